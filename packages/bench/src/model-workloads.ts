/**
 * Whole-model workloads: torchvision networks at 1x3x224x224, each run by convkit (its definition in
 * @convkit/layers with torch's seeded weights loaded from safetensors) and by onnxruntime-node (torch's
 * ONNX export of the same model), both from files tools/models/export_torchvision.py writes.
 */
import type { Workload } from "./workloads.js";

function model(id: string, name: string, label: string, macs: number): Workload {
  return {
    id,
    label,
    kind: "model",
    model: name,
    modelMacs: macs,
    inputShape: [1, 3, 224, 224],
    kernel: [],
    stride: [],
    padding: [],
    groups: 1,
    outputShape: [1, 1000],
  };
}

/** MACs: the conv and linear multiply-accumulates torch counts (packages/layers/test/fixtures/model-keys.json). */
export const MODEL_WORKLOADS: readonly Workload[] = [
  model("M1", "resnet18", "ResNet-18 1x3x224²", 1_814_073_344),
  model("M2", "mobilenet_v2", "MobileNetV2 1x3x224²", 300_774_272),
  model("M3", "shufflenet_v2_x1_0", "ShuffleNetV2 x1.0 1x3x224²", 144_907_992),
];
