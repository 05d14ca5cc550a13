import { describe, expect, it } from "vitest";
import { onnxIndices, relinearize } from "../src/cases/onnx.js";

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
