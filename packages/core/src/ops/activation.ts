import { assertTensor } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { add, div, mul, sub } from "./binary.js";
import { normDim } from "./dims.js";
import { noGrad, record, wrap } from "./kernel-call.js";
import { sum } from "./reduce.js";
import { compare, where } from "./select.js";
import { type UnaryGrad, addScalar, exp, mulScalar, unary } from "./unary.js";

const f32 = Math.fround;
// PyTorch's gelu_backward constants, as float32 (its CPU kernel computes in float32).
const GELU_ALPHA = f32(Math.SQRT1_2);
const GELU_BETA = f32((2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5);
const GELU_TANH_BETA = f32(Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5);
const GELU_TANH_KAPPA = f32(0.044715);

/** The error function, element-wise (gelu's gradient needs it). */
const erf = (x: Tensor): Tensor => unary("erf", "erf", x);

/** torch's gelu_backward (exact): `g * (cdf + x * pdf)`, cdf = (1 + erf(x / √2)) / 2, pdf = e^(-x²/2) / √(2π). */
function geluGrad(g: Tensor, x: Tensor): Tensor {
  const cdf = mulScalar(addScalar(erf(mulScalar(x, GELU_ALPHA)), 1), 0.5);
  const pdf = mulScalar(exp(mulScalar(mul(x, x), -0.5)), GELU_BETA);
  return mul(g, add(cdf, mul(x, pdf)));
}

/** torch's gelu_backward with approximate='tanh', step by step in float32 as its kernel does. */
function geluTanhGrad(g: Tensor, x: Tensor): Tensor {
  const xSq = mul(x, x);
  const inner = mulScalar(add(x, mulScalar(mul(xSq, x), GELU_TANH_KAPPA)), GELU_TANH_BETA);
  const t = tanh(inner);
  const leftDerivative = mulScalar(addScalar(t, 1), 0.5);
  const tanhDerivative = sub(1, mul(t, t));
  const innerDerivative = mulScalar(addScalar(mulScalar(xSq, f32(3 * GELU_TANH_KAPPA)), 1), GELU_TANH_BETA);
  const rightDerivative = mul(mul(mulScalar(x, 0.5), tanhDerivative), innerDerivative);
  return mul(g, add(leftDerivative, rightDerivative));
}

const grads = {
  // relu6 is torch's hardtanh(0, 6). Its gradient follows torch's vectorized CPU kernel, which every
  // element but a short tail goes through: `(x > 0) & (x < 6) & g`, so 0 at 0, at 6 and at NaN.
  relu6: { saves: "input", fn: (g, x) => where(compare(x, 0, "gt"), where(compare(x, 6, "lt"), g, 0), 0) },
  // leaky_relu_backward: the gradient where x > 0, else times the slope (so at 0 and at NaN).
  leakyRelu: { saves: "input", fn: (g, x, slope) => where(compare(x, 0, "gt"), g, mulScalar(g, slope)) },
  // sigmoid_backward: g * (1 - y) * y.
  sigmoid: { saves: "output", fn: (g, y) => mul(mul(g, sub(1, y)), y) },
  // tanh_backward: g * (1 - y * y).
  tanh: { saves: "output", fn: (g, y) => mul(g, sub(1, mul(y, y))) },
  // hardswish_backward as torch's vectorized CPU kernel computes it: 0 below -3, g from 3 on,
  // g * (x / 3 + 1/2) in between (so -0.5 g at -3, g at 3, NaN at NaN).
  hardswish: { saves: "input", fn: (g, x) => where(compare(x, -3, "lt"), 0, where(compare(x, 3, "ge"), g, mul(g, addScalar(div(x, 3), 0.5)))) },
  // hardsigmoid_backward: g / 6 strictly between -3 and 3, else 0 (NaN included).
  hardsigmoid: { saves: "input", fn: (g, x) => where(compare(x, -3, "gt"), where(compare(x, 3, "lt"), mulScalar(g, f32(1 / 6)), 0), 0) },
  gelu: { saves: "input", fn: geluGrad },
  geluTanh: { saves: "input", fn: geluTanhGrad },
} satisfies Record<string, UnaryGrad>;

/** `min(max(x, 0), 6)`, like F.relu6. */
export const relu6 = (input: Tensor): Tensor => unary("relu6", "relu6", input, 0, grads.relu6);
/** `1 / (1 + exp(-x))`, like torch.sigmoid. */
export const sigmoid = (input: Tensor): Tensor => unary("sigmoid", "sigmoid", input, 0, grads.sigmoid);
/** Like torch.tanh. */
export const tanh = (input: Tensor): Tensor => unary("tanh", "tanh", input, 0, grads.tanh);
/** `x * relu6(x + 3) / 6`, like F.hardswish. */
export const hardswish = (input: Tensor): Tensor => unary("hardswish", "hardswish", input, 0, grads.hardswish);
/** `relu6(x + 3) / 6`, like F.hardsigmoid. */
export const hardsigmoid = (input: Tensor): Tensor => unary("hardsigmoid", "hardsigmoid", input, 0, grads.hardsigmoid);

/** `x` where positive, else `x * negativeSlope`, like F.leaky_relu. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  if (typeof negativeSlope !== "number") throw new ArgumentError(`leakyRelu: negativeSlope must be a number, got ${fmt(negativeSlope)}`);
  // torch casts the slope to the tensor's float32 before multiplying.
  return unary("leakyRelu", "leakyRelu", input, Math.fround(negativeSlope), grads.leakyRelu);
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
  return approximate === "tanh" ? unary("gelu", "geluTanh", input, 0, grads.geluTanh) : unary("gelu", "gelu", input, 0, grads.gelu);
}

function softmaxForward(input: Tensor, axis: number, log: boolean): Tensor {
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

function softmaxOp(op: string, input: Tensor, dim: number, log: boolean): Tensor {
  assertTensor(op, "input", input);
  if (input.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  const axis = normDim(op, "dim", dim, input.shape);
  const y = noGrad(() => softmaxForward(input, axis, log));
  // torch's _softmax_backward_data: y * (g - sum(g * y)); _log_softmax_backward_data: g - exp(y) * sum(g).
  record(`${op}Backward`, [input], [y], ([g], [out]) => [
    log ? sub(g, mul(exp(out), sum(g, axis, { keepdim: true }))) : mul(out, sub(g, sum(mul(g, out), axis, { keepdim: true }))),
  ], [y]);
  return y;
}

/** `exp(x) / sum(exp(x))` along `dim`, like F.softmax(input, dim). */
export const softmax = (input: Tensor, dim: number): Tensor => softmaxOp("softmax", input, dim, false);
/** `x - log(sum(exp(x)))` along `dim`, like F.log_softmax(input, dim). */
export const logSoftmax = (input: Tensor, dim: number): Tensor => softmaxOp("logSoftmax", input, dim, true);
