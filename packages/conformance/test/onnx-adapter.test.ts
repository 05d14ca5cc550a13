import { describe, expect, it } from "vitest";
import { convTransposePads, loadOnnxCases, onnxCases, onnxIndices, onnxInexpressible, relinearize } from "../src/cases/onnx.js";

// Expected values are worked out by hand from the ONNX MaxPool / MaxUnpool index definitions
// (`(n*C + c)*H*W + h*W + w`, storage_order 1: `(n*C + c)*H*W + h + w*H`), for a 2 x 3 input plane.
describe("ONNX index adapter", () => {
  it("onnxIndices adds the (n, c) plane offset to per-plane indices (storage_order 0)", () => {
    expect(Array.from(onnxIndices([1, 3, 5, 2], 2, [2, 3], false))).toEqual([1, 3, 11, 8]);
  });

  it("onnxIndices re-linearises inside the plane column-major for storage_order 1 (h + w*H)", () => {
    expect(Array.from(onnxIndices([1, 3, 5, 2], 2, [2, 3], true))).toEqual([2, 1, 11, 10]);
  });

  it("relinearize keeps (h, w) when moving an index from the default 4x4 unpool plane to a 5x5 one", () => {
    expect([5, 7, 13, 15].map((v) => relinearize(v, [4, 4], [5, 5]))).toEqual([6, 8, 16, 18]);
  });
});

// Effective pads as listed in the ONNX extract's README (checked there against every upstream output).
describe("ONNX ConvTranspose pads", () => {
  const byName = new Map(loadOnnxCases().map((c) => [c.name, c]));
  const geometry = { kernel: [3, 3], dilation: [1, 1], groups: 1 };
  const padsOf = (name: string, stride: number[], outputPadding = [0, 0]) => {
    const c = byName.get(name);
    if (c === undefined) throw new Error(`missing ONNX case ${name}`);
    return convTransposePads(c, c.inputs[0].shape.slice(2), { ...geometry, stride }, outputPadding);
  };

  it("auto_pad SAME_UPPER targets in * stride and puts the odd pad at the end", () => {
    expect(padsOf("test_convtranspose_autopad_same", [2, 2])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it("output_shape above the full size gives a negative end pad (NOTSET: floor(total / 2) at the end)", () => {
    expect(padsOf("test_convtranspose_output_shape", [3, 2])).toEqual([
      [0, -1],
      [0, -1],
    ]);
  });

  it("output_shape counts output_padding in the full size", () => {
    expect(padsOf("test_convtranspose_kernel_shape", [3, 2], [1, 1])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it("explicit pads are read as all begins, then all ends", () => {
    expect(padsOf("test_convtranspose_pads", [3, 2])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
});

describe("ONNX case mapping", () => {
  it("maps every copied ONNX case to a runnable case: none is listed as not expressible", () => {
    expect(onnxInexpressible()).toEqual([]);
    expect(onnxCases().map((c) => c.id)).toEqual(loadOnnxCases().map((c) => `onnx/${c.name}`));
  });
});
