import { readFileSync } from "node:fs";
import "@convkit/backend-cpu";
import { ArgumentError, ShapeError, type Tensor, memory, tensor, tidy } from "@convkit/core";
import { type JsonTensor, decodeValues } from "@convkit/conformance";
import { describe, expect, test } from "vitest";
import { type CrossEntropyOptions, crossEntropy, mseLoss, nllLoss } from "../src/index.js";
import { expectAllClose } from "./model-helpers.js";

// Values and gradients from real PyTorch: tools/fixtures/generate_train.py.
interface LossCase {
  id: string;
  fn: "crossEntropy" | "nllLoss" | "mseLoss";
  input: JsonTensor;
  target: JsonTensor;
  options: CrossEntropyOptions;
  output: JsonTensor;
  upstream: JsonTensor;
  inputGrad: JsonTensor;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/train/losses.json", import.meta.url), "utf8")) as { cases: LossCase[] };

const toTensor = (t: JsonTensor, requiresGrad = false): Tensor => tensor(decodeValues(t), t.shape, t.dtype, { requiresGrad });
const FNS = { crossEntropy, nllLoss, mseLoss } as const;
const CLOSE = { rtol: 1e-5, atol: 1e-6 };

describe("losses agree with torch.nn.functional (value and input gradient)", () => {
  test.each(fixture.cases)("$id: $fn(input, target, $options) gives torch's loss and, through backward, torch's input gradient", (c) => {
    const before = memory().numTensors;
    const input = toTensor(c.input, true);
    const target = toTensor(c.target);
    const upstream = toTensor(c.upstream);
    const expected = toTensor(c.output);
    const expectedGrad = toTensor(c.inputGrad);
    const out = (FNS[c.fn] as (a: Tensor, b: Tensor, o: CrossEntropyOptions) => Tensor)(input, target, c.options);
    expectAllClose(out, expected, CLOSE, `${c.id} value`);
    out.backward(out.size === 1 && out.shape.length === 0 ? undefined : upstream);
    expect(input.grad, "input.grad after backward").not.toBeNull();
    expectAllClose(input.grad as Tensor, expectedGrad, CLOSE, `${c.id} input gradient`);
    for (const t of [input, target, upstream, expected, expectedGrad, out]) t.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("loss argument checks", () => {
  test("crossEntropy rejects a class index outside [0, C) that is not ignoreIndex, naming it and where it is", () => {
    tidy(() => {
      const x = tensor(new Float32Array(8), [2, 4]);
      expect(() => crossEntropy(x, tensor([1, 4], [2], "int32"))).toThrow(
        new ArgumentError("crossEntropy: target 4 at flat position 1 is out of bounds for 4 classes (valid: 0 to 3, or ignoreIndex -100); input shape [2, 4]"),
      );
      expect(() => crossEntropy(x, tensor([-1, 0], [2], "int32"))).toThrow(/target -1 at flat position 0 is out of bounds/);
    });
  });

  test("crossEntropy rejects a class-index target of the wrong shape and a probability target of the wrong shape", () => {
    tidy(() => {
      const x = tensor(new Float32Array(8), [2, 4]);
      expect(() => crossEntropy(x, tensor([1, 2, 3], [3], "int32"))).toThrow(ShapeError);
      expect(() => crossEntropy(x, tensor([1, 2, 3], [3], "int32"))).toThrow(/must have shape \[2\] for input shape \[2, 4\]/);
      expect(() => crossEntropy(x, tensor(new Float32Array(6), [2, 3]))).toThrow(/must have the input's shape \[2, 4\], got \[2, 3\]/);
    });
  });

  test("losses reject bad options: unknown reduction, labelSmoothing outside [0, 1], a 0-d input, int32 input", () => {
    tidy(() => {
      const x = tensor(new Float32Array(8), [2, 4]);
      const t = tensor([0, 1], [2], "int32");
      expect(() => crossEntropy(x, t, { reduction: "avg" as never })).toThrow(new ArgumentError('crossEntropy: reduction must be "mean", "sum" or "none", got "avg"'));
      expect(() => crossEntropy(x, t, { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be a number in \[0, 1\], got 1.5/);
      expect(() => crossEntropy(tensor(3), t)).toThrow(/input must have a class dim/);
      expect(() => crossEntropy(tensor([1, 2], [1, 2], "int32"), t)).toThrow(/crossEntropy: input must be float32, got int32/);
      expect(() => nllLoss(x, tensor(new Float32Array(2), [2]))).toThrow(/nllLoss: target must be an int32 tensor of class indices, got float32 of shape \[2\]/);
      expect(() => mseLoss(x, tensor(new Float32Array(4), [4]))).toThrow(new ShapeError("mseLoss: target shape [4] must equal input shape [2, 4]"));
    });
  });

  test("crossEntropy with every target ignored gives NaN for the mean (0 / 0), as torch does, and 0 for the sum", () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4], [2, 2]);
      const t = tensor([-100, -100], [2], "int32");
      expect(Number.isNaN(crossEntropy(x, t).dataSync()[0])).toBe(true);
      expect(crossEntropy(x, t, { reduction: "sum" }).dataSync()[0]).toBe(0);
    });
  });
});
