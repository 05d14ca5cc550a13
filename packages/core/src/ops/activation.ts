import { assertTensor } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { normDim } from "./dims.js";
import { wrap } from "./kernel-call.js";
import { unary } from "./unary.js";

/** `min(max(x, 0), 6)`, like F.relu6. */
export const relu6 = (input: Tensor): Tensor => unary("relu6", "relu6", input);
/** `1 / (1 + exp(-x))`, like torch.sigmoid. */
export const sigmoid = (input: Tensor): Tensor => unary("sigmoid", "sigmoid", input);
/** Like torch.tanh. */
export const tanh = (input: Tensor): Tensor => unary("tanh", "tanh", input);
/** `x * relu6(x + 3) / 6`, like F.hardswish. */
export const hardswish = (input: Tensor): Tensor => unary("hardswish", "hardswish", input);
/** `relu6(x + 3) / 6`, like F.hardsigmoid. */
export const hardsigmoid = (input: Tensor): Tensor => unary("hardsigmoid", "hardsigmoid", input);

/** `x` where positive, else `x * negativeSlope`, like F.leaky_relu. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  if (typeof negativeSlope !== "number") throw new ArgumentError(`leakyRelu: negativeSlope must be a number, got ${fmt(negativeSlope)}`);
  // torch casts the slope to the tensor's float32 before multiplying.
  return unary("leakyRelu", "leakyRelu", input, Math.fround(negativeSlope));
}

export interface GeluOptions {
  /** "none" (default): `x * Φ(x)` with the exact normal CDF; "tanh": the tanh approximation. */
  approximate?: "none" | "tanh";
}

/** Like F.gelu. */
export function gelu(input: Tensor, options: GeluOptions = {}): Tensor {
  if (options === null || typeof options !== "object") throw new ArgumentError(`gelu: options must be an object such as { approximate: "tanh" }, got ${fmt(options)}`);
  const approximate = options.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") throw new ArgumentError(`gelu: approximate must be "none" or "tanh", got ${fmt(approximate)}`);
  return unary("gelu", approximate === "tanh" ? "geluTanh" : "gelu", input);
}

function softmaxOp(op: string, input: Tensor, dim: number, log: boolean): Tensor {
  assertTensor(op, "input", input);
  if (input.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  const axis = normDim(op, "dim", dim, input.shape);
  if (input.shape.length === 0) {
    // torch treats a 0-d input as one element along its only dim.
    const v = input.reshape([1]);
    try {
      return wrap(v.impl, v.impl.softmax(v, 0, log), [], "float32");
    } finally {
      v.dispose();
    }
  }
  return wrap(input.impl, input.impl.softmax(input, axis, log), input.shape, "float32");
}

/** `exp(x) / sum(exp(x))` along `dim`, like F.softmax(input, dim). */
export const softmax = (input: Tensor, dim: number): Tensor => softmaxOp("softmax", input, dim, false);
/** `x - log(sum(exp(x)))` along `dim`, like F.log_softmax(input, dim). */
export const logSoftmax = (input: Tensor, dim: number): Tensor => softmaxOp("logSoftmax", input, dim, true);
