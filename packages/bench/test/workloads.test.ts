import { describe, expect, it } from "vitest";
import { WORKLOADS, flops, ioBytes, selectWorkloads } from "../src/workloads.js";

const byId = (id: string) => {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`${id} missing`);
  return w;
};

describe("workload geometry", () => {
  it("W3 conv2d 7x7 stride 2 pad 3 maps 224² to 112² (PyTorch's floor((224 + 6 - 7) / 2) + 1)", () => {
    expect(byId("W3").outputShape).toEqual([1, 64, 112, 112]);
  });

  it("W6 maxPool2d 3x3 stride 2 pad 1 maps 112² to 56²", () => {
    expect(byId("W6").outputShape).toEqual([1, 64, 56, 56]);
  });

  it("W8 convTranspose2d 4x4 stride 2 pad 1 maps 32² to 64² ((32 - 1) * 2 - 2 + 4)", () => {
    expect(byId("W8").outputShape).toEqual([1, 32, 64, 64]);
    expect(byId("W8").weightShape).toEqual([64, 32, 4, 4]);
  });

  it("W4 depthwise has one input channel per group in its weight", () => {
    expect(byId("W4").weightShape).toEqual([256, 1, 3, 3]);
    expect(byId("W4").groups).toBe(256);
  });

  it("counts 2 x MACs: W1 is 64 * 64 * 9 * 56 * 56 MACs, W8 scatters each input to 32 * 16 outputs", () => {
    expect(flops(byId("W1"))).toBe(2 * 64 * 64 * 9 * 56 * 56);
    expect(flops(byId("W8"))).toBe(2 * 64 * 32 * 16 * 32 * 32);
    expect(flops(byId("W9"))).toBe(2 * 16 * 16 * 27 * 16 * 32 * 32);
  });

  it("counts pooling bytes as float32 input plus output", () => {
    expect(ioBytes(byId("W7"))).toBe(4 * (64 * 112 * 112 + 64 * 56 * 56));
  });

  it("selectWorkloads(['w1', 'W6']) picks those two, and an unknown id is an error", () => {
    expect(selectWorkloads(["w1", "W6"]).map((w) => w.id)).toEqual(["W1", "W6"]);
    expect(() => selectWorkloads(["W10"])).toThrow(/unknown workload\(s\) W10/);
  });
});
