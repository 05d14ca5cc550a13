/**
 * Argument validation of @convkit/core's tensor-plumbing ops (binary, activations, shape ops, reductions,
 * matmul, unfold/fold, shuffles), run on the CPU backend (core cannot depend on a backend package). Every
 * rejected call throws the right ConvkitError subclass naming the op, the parameter, the value and the
 * shapes, and leaves no tensor behind. Values themselves are checked against PyTorch by the conformance
 * fixtures (tensor-ops.json).
 */
import {
  ArgumentError,
  ConvkitError,
  ShapeError,
  type Tensor,
  add,
  amax,
  argmax,
  cat,
  channelShuffle,
  chunk,
  div,
  flatten,
  fold,
  gelu,
  leakyRelu,
  linear,
  matmul,
  max,
  mean,
  memory,
  mul,
  narrow,
  ones,
  permute,
  pixelShuffle,
  pixelUnshuffle,
  slice,
  softmax,
  split,
  squeeze,
  stack,
  sub,
  sum,
  tensor,
  transpose,
  unfold,
  unsqueeze,
  zeros,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { expectError } from "./expect-error.js";

const ints = (shape: readonly number[]): Tensor => tensor(new Int32Array(shape.reduce((a, b) => a * b, 1)), shape, "int32");

describe("element-wise binary ops broadcast like torch and refuse what torch refuses", () => {
  it("add([2, 3], [4]) throws ShapeError naming both shapes and the clashing dim", () => {
    expectError(() => add(ones([2, 3]), ones([4])), ShapeError, "add:", "[2, 3]", "[4]", "dim -1", "sizes 3 and 4");
  });

  it("mul([2, 3, 4], [3, 1, 4]) throws ShapeError at dim -3", () => {
    expectError(() => mul(ones([2, 3, 4]), ones([3, 1, 4])), ShapeError, "mul:", "dim -3", "sizes 2 and 3");
  });

  it("add(float32, int32) throws ArgumentError: convkit does not promote dtypes", () => {
    expectError(() => add(ones([2]), ints([2])), ArgumentError, "add:", "float32 tensor of shape [2]", "int32 tensor of shape [2]");
  });

  it("add(int32, 2.5) throws ArgumentError rather than promoting to float32", () => {
    expectError(() => add(ints([2]), 2.5), ArgumentError, "add:", "number 2.5");
  });

  it("div(int32, int32) throws ArgumentError: torch's true division returns float", () => {
    expectError(() => div(ints([2]), ints([2])), ArgumentError, "div:", "int32");
  });

  it("sub(1, 2) throws ArgumentError: one operand must be a tensor", () => {
    expectError(() => sub(1, 2), ArgumentError, "sub:", "at least one operand");
  });

  it("add(x, '1') throws ArgumentError naming the operand", () => {
    expectError(() => add(ones([2]), "1" as never), ArgumentError, "add:", "other", "Tensor or a number");
  });

  it("add(int32 max, 1) wraps around like int32 in torch", () => {
    expect(Array.from(add(tensor(Int32Array.of(2147483647)), 1).dataSync())).toEqual([-2147483648]);
  });
});

describe("activations", () => {
  it("leakyRelu(x, '0.1') throws ArgumentError for a non-number slope", () => {
    expectError(() => leakyRelu(ones([2]), "0.1" as never), ArgumentError, "leakyRelu:", "negativeSlope", '"0.1"');
  });

  it('gelu(x, { approximate: "erf" }) throws ArgumentError listing the allowed values', () => {
    expectError(() => gelu(ones([2]), { approximate: "erf" as never }), ArgumentError, "gelu:", "approximate", '"none" or "tanh"', '"erf"');
  });

  it("softmax(x, 2) on a 2-D input throws ArgumentError giving the dim range and shape", () => {
    expectError(() => softmax(ones([2, 3]), 2), ArgumentError, "softmax:", "dim", "[-2, 1]", "[2, 3]", "got 2");
  });

  it("softmax of an int32 input throws ArgumentError", () => {
    expectError(() => softmax(ints([2, 3]), 1), ArgumentError, "softmax:", "float32", "int32");
  });
});

describe("shape ops", () => {
  it("cat([]) throws ArgumentError", () => {
    expectError(() => cat([]), ArgumentError, "cat:", "non-empty");
  });

  it("cat([2, 3], [2, 4]) along dim 0 throws ShapeError naming the differing dim and entry", () => {
    expectError(() => cat([ones([2, 3]), ones([2, 4])], 0), ShapeError, "cat:", "except in dim 0", "[2, 4] at entry 1", "dim 1 differs");
  });

  it("cat of a 2-D and a 3-D tensor throws ShapeError", () => {
    expectError(() => cat([ones([2, 3]), ones([1, 2, 3])]), ShapeError, "cat:", "same number of dimensions", "[1, 2, 3]");
  });

  it("cat of 0-d tensors throws ShapeError", () => {
    expectError(() => cat([tensor(1), tensor(2)]), ShapeError, "cat:", "zero-dimensional");
  });

  it("cat of float32 and int32 throws ArgumentError", () => {
    expectError(() => cat([ones([2]), ints([2])]), ArgumentError, "cat:", "float32 at entry 0", "int32 at entry 1");
  });

  it("cat along dim 2 of 2-D tensors throws ArgumentError giving the dim range", () => {
    expectError(() => cat([ones([2, 3]), ones([2, 3])], 2), ArgumentError, "cat:", "dim", "[-2, 1]", "got 2");
  });

  it("stack of differently shaped tensors throws ShapeError naming both shapes", () => {
    expectError(() => stack([ones([2, 3]), ones([3, 2])]), ShapeError, "stack:", "[2, 3] at entry 0", "[3, 2] at entry 1");
  });

  it("stack(x, 3) for 2-D tensors throws ArgumentError: a new dim goes in [-3, 2]", () => {
    expectError(() => stack([ones([2, 3])], 3), ArgumentError, "stack:", "[-3, 2]", "got 3");
  });

  it("split(x, [2, 2]) of a dim of size 5 throws ShapeError: sections must sum to 5", () => {
    expectError(() => split(ones([5, 2]), [2, 2]), ShapeError, "split:", "summing to 5", "[2, 2]", "[5, 2]");
  });

  it("split(x, 0) of a non-empty dim throws ArgumentError", () => {
    expectError(() => split(ones([4, 3]), 0), ArgumentError, "split:", "split size of 0", "size 4");
  });

  it("split(x, -1) throws ArgumentError", () => {
    expectError(() => split(ones([4]), -1), ArgumentError, "split:", "splitSizeOrSections", "non-negative", "-1");
  });

  it("split of a 0-d tensor throws ShapeError", () => {
    expectError(() => split(tensor(1), 1), ShapeError, "split:", "at least one dimension");
  });

  it("chunk(x, 0) throws ArgumentError", () => {
    expectError(() => chunk(ones([4]), 0), ArgumentError, "chunk:", "chunks", "positive", "got 0");
  });

  it("narrow(x, 0, 3, 3) of a dim of size 5 throws ArgumentError: start + length exceeds the size", () => {
    expectError(() => narrow(ones([5, 2]), 0, 3, 3), ArgumentError, "narrow:", "start (3) + length (3)", "size 5", "[5, 2]");
  });

  it("narrow(x, 0, -6, 1) of a dim of size 5 throws ArgumentError giving the start range", () => {
    expectError(() => narrow(ones([5]), 0, -6, 1), ArgumentError, "narrow:", "start", "[-5, 5]", "-6");
  });

  it("slice(x, 0, 0, 4, 0) throws ArgumentError: step must be positive", () => {
    expectError(() => slice(ones([5]), 0, 0, 4, 0), ArgumentError, "slice:", "step", "positive", "got 0");
  });

  it("permute(x, [0, 1]) of a 3-D input throws ArgumentError", () => {
    expectError(() => permute(ones([2, 3, 4]), [0, 1]), ArgumentError, "permute:", "3 dims", "[0, 1]", "[2, 3, 4]");
  });

  it("permute(x, [0, 0, 1]) throws ArgumentError for the repeated dim", () => {
    expectError(() => permute(ones([2, 3, 4]), [0, 0, 1]), ArgumentError, "permute:", "repeated");
  });

  it("transpose(x, 0, 3) of a 3-D input throws ArgumentError naming dim1", () => {
    expectError(() => transpose(ones([2, 3, 4]), 0, 3), ArgumentError, "transpose:", "dim1", "[-3, 2]", "got 3");
  });

  it("flatten(x, 2, 1) throws ArgumentError: startDim after endDim", () => {
    expectError(() => flatten(ones([2, 3, 4]), 2, 1), ArgumentError, "flatten:", "startDim", "endDim");
  });

  it("squeeze(x, 2) of a 2-D input throws ArgumentError", () => {
    expectError(() => squeeze(ones([1, 3]), 2), ArgumentError, "squeeze:", "dim", "[-2, 1]");
  });

  it("unsqueeze(x, 2) of a 1-D input throws ArgumentError: a new dim goes in [-2, 1]", () => {
    expectError(() => unsqueeze(ones([3]), 2), ArgumentError, "unsqueeze:", "[-2, 1]", "got 2");
  });

  it("permute returns a contiguous copy that survives disposing its input", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = permute(x, [1, 0]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    y.dispose();
  });
});

describe("reductions", () => {
  it("sum(x, [1, 1]) throws ArgumentError for the repeated dim", () => {
    expectError(() => sum(ones([2, 3]), [1, 1]), ArgumentError, "sum:", "more than once", "[1, 1]");
  });

  it("sum(x, 1, true) throws ArgumentError: keepdim goes in the options object", () => {
    expectError(() => sum(ones([2, 3]), 1, true as never), ArgumentError, "sum:", "options", "keepdim");
  });

  it("mean of an int32 input throws ArgumentError", () => {
    expectError(() => mean(ints([2, 3])), ArgumentError, "mean:", "float32", "int32");
  });

  it("amax over a dim of size 0 throws ShapeError", () => {
    expectError(() => amax(zeros([2, 0]), 1), ShapeError, "amax:", "dim 1 of size 0", "[2, 0]");
  });

  it("max of an empty input without a dim throws ShapeError", () => {
    expectError(() => max(zeros([0, 3])), ShapeError, "max:", "empty", "[0, 3]");
  });

  it("argmax(x, 3) of a 3-D input throws ArgumentError", () => {
    expectError(() => argmax(ones([2, 3, 4]), 3), ArgumentError, "argmax:", "dim", "[-3, 2]");
  });

  it("sum over a dim of size 0 gives zeros and mean gives NaN", () => {
    expect(Array.from(sum(zeros([2, 0]), 1).dataSync())).toEqual([0, 0]);
    expect(Array.from(mean(zeros([2, 0]), 1).dataSync())).toEqual([Number.NaN, Number.NaN]);
  });
});

describe("matmul and linear", () => {
  it("matmul([2, 3], [4, 5]) throws ShapeError naming both shapes and the inner dims", () => {
    expectError(() => matmul(ones([2, 3]), ones([4, 5])), ShapeError, "matmul:", "[2, 3]", "[4, 5]", "(3)", "(4)");
  });

  it("matmul of a 0-d tensor throws ShapeError", () => {
    expectError(() => matmul(tensor(2), ones([2])), ShapeError, "matmul:", "at least 1-D");
  });

  it("matmul([2, 3, 4], [3, 4, 5]) throws ShapeError: batch dims 2 and 3 do not broadcast", () => {
    expectError(() => matmul(ones([2, 3, 4]), ones([3, 4, 5])), ShapeError, "matmul:", "sizes 2 and 3");
  });

  it("matmul of int32 tensors throws ArgumentError", () => {
    expectError(() => matmul(ints([2, 2]), ints([2, 2])), ArgumentError, "matmul:", "float32", "int32");
  });

  it("linear with a 1-D weight throws ShapeError", () => {
    expectError(() => linear(ones([2, 3]), ones([3])), ShapeError, "linear:", "weight", "2-D", "[3]");
  });

  it("linear(x [2, 3], weight [4, 5]) throws ShapeError: in_features 5 != 3", () => {
    expectError(() => linear(ones([2, 3]), ones([4, 5])), ShapeError, "linear:", "in_features 5", "[2, 3]");
  });

  it("linear with a bias of the wrong length throws ShapeError", () => {
    expectError(() => linear(ones([2, 3]), ones([4, 3]), ones([3])), ShapeError, "linear:", "bias", "[4]", "[3]");
  });
});

describe("unfold and fold", () => {
  it("unfold of a 2-D input throws ShapeError: 3-D (C, H, W) or 4-D (N, C, H, W)", () => {
    expectError(() => unfold(ones([4, 4]), 2), ShapeError, "unfold:", "(C, H, W)", "(N, C, H, W)", "[4, 4]");
  });

  it("unfold(x, 0) throws ArgumentError for the kernel size", () => {
    expectError(() => unfold(ones([1, 1, 4, 4]), 0), ArgumentError, "unfold:", "kernelSize", "positive");
  });

  it("unfold(x, 2, { padding: -1 }) throws ArgumentError", () => {
    expectError(() => unfold(ones([1, 1, 4, 4]), 2, { padding: -1 }), ArgumentError, "unfold:", "padding", "non-negative", "-1");
  });

  it("unfold(x, 5) of a 4x4 image throws ShapeError: no sliding block fits", () => {
    expectError(() => unfold(ones([1, 1, 4, 4]), 5), ShapeError, "unfold:", "no sliding block fits", "[4, 4]", "[5, 5]", "[0, 0]");
  });

  it("unfold(x, 2, 1) throws ArgumentError: options come as an object", () => {
    expectError(() => unfold(ones([1, 1, 4, 4]), 2, 1 as never), ArgumentError, "unfold:", "options");
  });

  it("fold of a 4-D input throws ShapeError", () => {
    expectError(() => fold(ones([1, 4, 9, 1]), 4, 2), ShapeError, "fold:", "2-D", "3-D", "[1, 4, 9, 1]");
  });

  it("fold with 6 rows and a 2x2 kernel throws ShapeError: rows must be divisible by 4", () => {
    expectError(() => fold(ones([1, 6, 9]), 4, 2), ShapeError, "fold:", "(6)", "divisible", "(4)");
  });

  it("fold with 10 columns where 3 * 3 = 9 blocks fit throws ShapeError", () => {
    expectError(() => fold(ones([1, 4, 10]), 4, 2), ShapeError, "fold:", "(10)", "3 * 3 = 9", "[1, 4, 10]");
  });
});

describe("channel and pixel shuffles", () => {
  it("channelShuffle with 6 channels and 4 groups throws ShapeError", () => {
    expectError(() => channelShuffle(ones([1, 6, 2, 2]), 4), ShapeError, "channelShuffle:", "(dim 1, 6)", "groups (4)", "[1, 6, 2, 2]");
  });

  it("channelShuffle(x, 0) throws ArgumentError", () => {
    expectError(() => channelShuffle(ones([1, 6, 2, 2]), 0), ArgumentError, "channelShuffle:", "groups", "positive", "got 0");
  });

  it("channelShuffle of a 2-D input throws ShapeError: at least 3 dims", () => {
    expectError(() => channelShuffle(ones([4, 6]), 2), ShapeError, "channelShuffle:", "at least 3 dims", "[4, 6]");
  });

  it("pixelShuffle with 5 channels and factor 2 throws ShapeError: 5 is not divisible by 2² = 4", () => {
    expectError(() => pixelShuffle(ones([1, 5, 2, 2]), 2), ShapeError, "pixelShuffle:", "(dim -3, 5)", "2² = 4", "[1, 5, 2, 2]");
  });

  it("pixelShuffle(x, 0) throws ArgumentError", () => {
    expectError(() => pixelShuffle(ones([1, 4, 2, 2]), 0), ArgumentError, "pixelShuffle:", "upscaleFactor", "positive");
  });

  it("pixelUnshuffle of a 5x4 image with factor 2 throws ShapeError: height 5 is not divisible", () => {
    expectError(() => pixelUnshuffle(ones([1, 1, 5, 4]), 2), ShapeError, "pixelUnshuffle:", "height (5)", "downscaleFactor (2)", "[1, 1, 5, 4]");
  });

  it("pixelShuffle of a 2-D input throws ShapeError", () => {
    expectError(() => pixelShuffle(ones([4, 4]), 2), ShapeError, "pixelShuffle:", "at least 3 dims", "[4, 4]");
  });
});

describe("failing calls leave nothing behind", () => {
  it("ops that fail after creating temporaries (scalar operands, views, unbatched inputs) dispose them", () => {
    const x = ones([2, 3]);
    const x3 = ones([2, 3, 1]);
    const i2 = ints([2]);
    const w = ones([4, 3]);
    const b5 = ones([5]);
    const chw = ones([1, 4, 4]);
    const cols = ones([4, 10]);
    const empty = zeros([0]);
    const nine = ones([9]);
    const before = memory().numTensors;
    const calls: (() => unknown)[] = [
      () => mul(i2, 2.5),
      () => add(x, nine),
      () => cat([x, x3]),
      () => stack([x, x3]),
      () => split(x, [1, 2], 0),
      () => matmul(x, x),
      () => linear(x, w, b5),
      () => unfold(chw, 5),
      () => fold(cols, 4, 2),
      () => pixelShuffle(chw, 3),
      () => max(empty),
      () => sum(x, [0, 0]),
    ];
    for (const call of calls) expect(call).toThrow(ConvkitError);
    expect(memory().numTensors).toBe(before);
  });
});
