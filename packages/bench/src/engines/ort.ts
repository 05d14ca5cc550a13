/**
 * onnxruntime-node peers: the CPU execution provider running a one-node model built in memory, with 1 or
 * 2 intra-op threads.
 */
import type * as Ort from "onnxruntime-node";
import type { WorkloadData } from "../data.js";
import { MODEL_INPUT, MODEL_OUTPUT, type SingleNodeModelSpec, buildSingleNodeModel } from "../onnx-model.js";
import type { Workload } from "../workloads.js";
import { prepareOrtModel } from "./ort-model.js";
import type { EngineInstance, EngineSpec, PrepareResult } from "./types.js";

export function onnxSpecFor(w: Workload, data: WorkloadData): SingleNodeModelSpec {
  const pads = [...w.padding, ...w.padding];
  const common = { inputShape: w.inputShape, outputShape: w.outputShape };
  switch (w.kind) {
    case "model":
      throw new Error(`${w.id}: a whole model is not a single ONNX node (see ort-model.ts)`);
    case "maxPool":
      return { ...common, opType: "MaxPool", attributes: { kernel_shape: w.kernel, strides: w.stride, pads } };
    case "avgPool":
      // count_include_pad = 1 is PyTorch's avg_pool default.
      return { ...common, opType: "AveragePool", attributes: { kernel_shape: w.kernel, strides: w.stride, pads, count_include_pad: 1 } };
    case "conv":
    case "convTranspose": {
      if (!data.weight || !w.weightShape) throw new Error(`${w.id}: conv workload without a weight`);
      return {
        ...common,
        opType: w.kind === "conv" ? "Conv" : "ConvTranspose",
        weight: { data: data.weight, shape: w.weightShape },
        attributes: { kernel_shape: w.kernel, strides: w.stride, pads, group: w.groups },
      };
    }
  }
}

class OrtInstance implements EngineInstance {
  constructor(
    private readonly ort: typeof Ort,
    private readonly threads: number,
    readonly versions: Record<string, string>,
  ) {}

  async prepare(w: Workload, data: WorkloadData): Promise<PrepareResult> {
    const { ort } = this;
    if (w.kind === "model") return prepareOrtModel(ort, this.threads, w, data);
    const model = buildSingleNodeModel(onnxSpecFor(w, data));
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ["cpu"],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    const feeds = { [MODEL_INPUT]: new ort.Tensor("float32", data.input, w.inputShape) };
    const expected = w.outputShape.join();
    return {
      ok: true,
      run: {
        run: async () => {
          const out = await session.run(feeds);
          out[MODEL_OUTPUT].dispose();
        },
        read: async () => {
          const out = await session.run(feeds);
          const y = out[MODEL_OUTPUT];
          try {
            if (y.dims.join() !== expected) throw new Error(`onnxruntime output shape [${y.dims}], expected [${expected}]`);
            return Float32Array.from(y.data as Float32Array);
          } finally {
            y.dispose();
          }
        },
        dispose: () => session.release(),
      },
    };
  }
}

function ortEngine(threads: number): EngineSpec {
  return {
    id: `ort-${threads}t`,
    family: "peer",
    description: `onnxruntime-node 1.30 CPU EP, intraOpNumThreads ${threads}`,
    async load() {
      const ort = await import("onnxruntime-node");
      return new OrtInstance(ort, threads, { "onnxruntime-node": ort.env.versions.node ?? "?" });
    },
  };
}

export const ORT_ENGINES: readonly EngineSpec[] = [ortEngine(1), ortEngine(2)];
