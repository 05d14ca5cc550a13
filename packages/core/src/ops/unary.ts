import type { UnaryOp } from "../backend.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { assertTensor } from "../args.js";
import { wrap } from "./kernel-call.js";

export function unary(op: string, kind: UnaryOp, x: Tensor, alpha = 0): Tensor {
  assertTensor(op, "input", x);
  if (x.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${x.dtype} (shape ${fmt(x.shape)})`);
  return wrap(x.impl, x.impl.unary(x, kind, alpha), x.shape, "float32");
}

export const abs = (x: Tensor): Tensor => unary("abs", "abs", x);
export const neg = (x: Tensor): Tensor => unary("neg", "neg", x);
/** -1, 0 or 1, like torch.sign: NaN gives 0 (PyTorch's `(0 < x) - (x < 0)`, unlike NumPy's NaN). */
export const sign = (x: Tensor): Tensor => unary("sign", "sign", x);
export const relu = (x: Tensor): Tensor => unary("relu", "relu", x);
export const sqrt = (x: Tensor): Tensor => unary("sqrt", "sqrt", x);
export const exp = (x: Tensor): Tensor => unary("exp", "exp", x);
export const log = (x: Tensor): Tensor => unary("log", "log", x);

/** `x ** exponent` element-wise, computed as PyTorch does (2 and 3 by multiplication, 0.5 by sqrt). */
export function pow(x: Tensor, exponent: number): Tensor {
  if (typeof exponent !== "number" || Number.isNaN(exponent)) throw new ArgumentError(`pow: exponent must be a number, got ${fmt(exponent)}`);
  return unary("pow", "pow", x, exponent);
}

/** `x * scalar`. */
export function mulScalar(x: Tensor, scalar: number): Tensor {
  return unary("mulScalar", "mulScalar", x, scalar);
}

/** `x + scalar`. */
export function addScalar(x: Tensor, scalar: number): Tensor {
  return unary("addScalar", "addScalar", x, scalar);
}
