import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { buildSingleNodeModel } from "../src/onnx-model.js";
import { encodeVarint } from "../src/protobuf.js";

async function runModel(model: Uint8Array, input: Float32Array, shape: number[]): Promise<{ data: number[]; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ X: new ort.Tensor("float32", input, shape) });
    const y = out.Y;
    return { data: Array.from(y.data as Float32Array), dims: y.dims };
  } finally {
    await session.release();
  }
}

const oneToNine = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe("protobuf varints", () => {
  it("encodeVarint(300) is the two bytes 0xac 0x02, as in the protobuf encoding guide", () => {
    expect(Array.from(encodeVarint(300))).toEqual([0xac, 0x02]);
  });

  it("encodeVarint(-1) is ten bytes of two's-complement int64", () => {
    expect(Array.from(encodeVarint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it("encodeVarint(2 ** 35) keeps the bits above 32", () => {
    expect(Array.from(encodeVarint(2 ** 35))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });
});

describe("buildSingleNodeModel", () => {
  it("a Conv model with a 2x2 kernel of ones sums each 2x2 window of a 3x3 input in onnxruntime", async () => {
    const model = buildSingleNodeModel({
      opType: "Conv",
      inputShape: [1, 1, 3, 3],
      outputShape: [1, 1, 2, 2],
      weight: { data: new Float32Array(4).fill(1), shape: [1, 1, 2, 2] },
      attributes: { kernel_shape: [2, 2] },
    });
    // 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9
    expect(await runModel(model, oneToNine, [1, 1, 3, 3])).toEqual({ data: [12, 16, 24, 28], dims: [1, 1, 2, 2] });
  });

  it("a Conv model applies pads, strides, bias and two output channels", async () => {
    // Channel 0: kernel [[1,0],[0,0]] picks the window's top-left value; channel 1: a 2x2 kernel of -1 plus bias 100.
    const weight = Float32Array.from([1, 0, 0, 0, -1, -1, -1, -1]);
    const model = buildSingleNodeModel({
      opType: "Conv",
      inputShape: [1, 1, 3, 3],
      outputShape: [1, 2, 2, 2],
      weight: { data: weight, shape: [2, 1, 2, 2] },
      bias: { data: Float32Array.from([0, 100]), shape: [2] },
      attributes: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] },
    });
    // Windows start at rows/cols -1 and 1 of the zero-padded input.
    // Top-left values: pad, pad, pad, 5. Window sums: 1, 2+3, 4+7, 5+6+8+9.
    const out = await runModel(model, oneToNine, [1, 1, 3, 3]);
    expect(out).toEqual({ data: [0, 0, 0, 5, 99, 95, 89, 72], dims: [1, 2, 2, 2] });
  });

  it("a MaxPool model with pads ignores the padding (-inf), like maxPool2d", async () => {
    const negatives = Float32Array.from(oneToNine, (v) => -v);
    const model = buildSingleNodeModel({
      opType: "MaxPool",
      inputShape: [1, 1, 3, 3],
      outputShape: [1, 1, 2, 2],
      attributes: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] },
    });
    // Windows: {-1}, {-2,-3}, {-4,-7}, {-5,-6,-8,-9}.
    expect(await runModel(model, negatives, [1, 1, 3, 3])).toEqual({ data: [-1, -2, -4, -5], dims: [1, 1, 2, 2] });
  });

  it("rejects an initializer whose data does not fill its shape", () => {
    expect(() =>
      buildSingleNodeModel({ opType: "Conv", inputShape: [1, 1, 3, 3], outputShape: [1, 1, 2, 2], weight: { data: new Float32Array(3), shape: [1, 1, 2, 2] } }),
    ).toThrow(/shape \[1,1,2,2\] holds 4 values, data has 3/);
  });
});
