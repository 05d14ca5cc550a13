import { assertTensor } from "../args.js";
import type { UnaryOp } from "../backend.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { div, mul } from "./binary.js";
import { record, wrap } from "./kernel-call.js";
import { compare, where, zerosOn } from "./select.js";

/**
 * The gradient of an element-wise function, PyTorch's formula: from the upstream gradient `g`, the
 * input `x` and the result `y` (only the one `saves` names is passed; the other is null), and the scalar.
 */
export interface UnaryGrad {
  readonly saves: "input" | "output" | "none";
  readonly fn: (g: Tensor, saved: Tensor, alpha: number) => Tensor;
}

export function unary(op: string, kind: UnaryOp, x: Tensor, alpha = 0, grad?: UnaryGrad): Tensor {
  assertTensor(op, "input", x);
  if (x.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${x.dtype} (shape ${fmt(x.shape)})`);
  const y = wrap(x.impl, x.impl.unary(x, kind, alpha), x.shape, "float32");
  if (grad) {
    const saved = grad.saves === "input" ? [x] : grad.saves === "output" ? [y] : [];
    record(`${op}Backward`, [x], [y], ([g], [s]) => [grad.fn(g, s, alpha)], saved);
  }
  return y;
}

const grads = {
  // torch: grad * self.sgn(), so 0 at 0 and at NaN.
  abs: { saves: "input", fn: (g, x) => mul(g, sign(x)) },
  neg: { saves: "none", fn: (g) => neg(g) },
  sign: { saves: "none", fn: (g) => zerosOn(g, g.shape) },
  // torch's threshold_backward(grad, result, 0): 0 where the result is <= 0 (so at 0), the gradient elsewhere (NaN included).
  relu: { saves: "output", fn: (g, y) => where(compare(y, 0, "le"), 0, g) },
  // torch: grad / (2 * result).
  sqrt: { saves: "output", fn: (g, y) => div(g, mulScalar(y, 2)) },
  exp: { saves: "output", fn: (g, y) => mul(g, y) },
  log: { saves: "input", fn: (g, x) => div(g, x) },
  // torch: zeros for exponent 0, else grad * (exponent * self.pow(exponent - 1)), the scalars cast to float32.
  pow: { saves: "input", fn: (g, x, e) => (e === 0 ? zerosOn(g, g.shape) : mul(g, mulScalar(pow(x, Math.fround(e - 1)), Math.fround(e)))) },
  mulScalar: { saves: "none", fn: (g, _, a) => mulScalar(g, a) },
  addScalar: { saves: "none", fn: (g) => g },
} satisfies Record<string, UnaryGrad>;

export const abs = (x: Tensor): Tensor => unary("abs", "abs", x, 0, grads.abs);
export const neg = (x: Tensor): Tensor => unary("neg", "neg", x, 0, grads.neg);
/** -1, 0 or 1, like torch.sign: NaN gives 0 (PyTorch's `(0 < x) - (x < 0)`, unlike NumPy's NaN). */
export const sign = (x: Tensor): Tensor => unary("sign", "sign", x, 0, grads.sign);
export const relu = (x: Tensor): Tensor => unary("relu", "relu", x, 0, grads.relu);
export const sqrt = (x: Tensor): Tensor => unary("sqrt", "sqrt", x, 0, grads.sqrt);
export const exp = (x: Tensor): Tensor => unary("exp", "exp", x, 0, grads.exp);
export const log = (x: Tensor): Tensor => unary("log", "log", x, 0, grads.log);

/** `x ** exponent` element-wise, computed as PyTorch does (2 and 3 by multiplication, 0.5 by sqrt). */
export function pow(x: Tensor, exponent: number): Tensor {
  if (typeof exponent !== "number" || Number.isNaN(exponent)) throw new ArgumentError(`pow: exponent must be a number, got ${fmt(exponent)}`);
  return unary("pow", "pow", x, exponent, grads.pow);
}

/** A scalar operand; `unary`'s default would turn a missing one into 0. */
function checkScalar(op: string, v: unknown): number {
  if (typeof v !== "number") throw new ArgumentError(`${op}: scalar must be a number, got ${fmt(v)}`);
  return v;
}

/** `x * scalar`. */
export function mulScalar(x: Tensor, scalar: number): Tensor {
  return unary("mulScalar", "mulScalar", x, checkScalar("mulScalar", scalar), grads.mulScalar);
}

/** `x + scalar`. */
export function addScalar(x: Tensor, scalar: number): Tensor {
  return unary("addScalar", "addScalar", x, checkScalar("addScalar", scalar), grads.addScalar);
}
