import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MODEL_WORKLOADS } from "../src/model-workloads.js";
import { flops, selectWorkloads } from "../src/workloads.js";

const TORCH = JSON.parse(readFileSync(new URL("../../layers/test/fixtures/model-keys.json", import.meta.url), "utf8")) as {
  models: { name: string; inputShape: number[]; outputShape: number[]; macs: number }[];
};

describe("whole-model workloads", () => {
  it("M1-M3 are ResNet-18, MobileNetV2 and ShuffleNetV2 x1.0 at 1x3x224x224", () => {
    expect(MODEL_WORKLOADS.map((w) => [w.id, w.model, w.inputShape])).toEqual([
      ["M1", "resnet18", [1, 3, 224, 224]],
      ["M2", "mobilenet_v2", [1, 3, 224, 224]],
      ["M3", "shufflenet_v2_x1_0", [1, 3, 224, 224]],
    ]);
    expect(selectWorkloads(["m1", "M3"]).map((w) => w.id)).toEqual(["M1", "M3"]);
  });

  it.each(MODEL_WORKLOADS.map((w) => [w.id, w]))("%s counts 2 x the MACs torch counts for the network, with torch's output shape", (_id, w) => {
    const torch = TORCH.models.find((m) => m.name === w.model);
    expect(torch).toBeDefined();
    expect(flops(w)).toBe(2 * (torch?.macs ?? 0));
    expect(w.inputShape).toEqual(torch?.inputShape);
    expect(w.outputShape).toEqual(torch?.outputShape);
  });
});
