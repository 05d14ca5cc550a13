import type { BinaryOp } from "../backend.js";
import { fromData } from "../create.js";
import type { DType } from "../dtype.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { broadcastShapes, withRank } from "./dims.js";
import { backendOf, wrap } from "./kernel-call.js";

/** A tensor operand or a plain number (a scalar operand, as in `x * 2` or `1 - x`). */
export type Operand = Tensor | number;

function describe(v: Operand): string {
  return typeof v === "number" ? `number ${v}` : `${v.dtype} tensor of shape ${fmt(v.shape)}`;
}

/** The dtype both sides compute in: the tensors' common dtype; an int32 tensor with a fractional number is rejected rather than promoted. */
function resultDtype(op: string, a: Operand, b: Operand): DType {
  const ts = [a, b].filter((v): v is Tensor => typeof v !== "number");
  const dtype = ts[0].dtype;
  const mismatch = ts.some((t) => t.dtype !== dtype);
  const fractional = dtype === "int32" && [a, b].some((v) => typeof v === "number" && !Number.isInteger(v));
  if (mismatch || fractional) {
    throw new ArgumentError(`${op}: operands must share one dtype (float32 or int32, integer numbers only with int32), got ${describe(a)} and ${describe(b)}; convkit does not promote dtypes`);
  }
  if (dtype === "int32" && op === "div") {
    throw new ArgumentError(`div: int32 operands are not supported (torch's true division returns float32), got ${describe(a)} and ${describe(b)}`);
  }
  return dtype;
}

function checkOperand(op: string, name: string, v: unknown): void {
  if (typeof v === "number") return;
  if (v === null || typeof v !== "object" || !("shape" in v) || !("impl" in v)) {
    throw new ArgumentError(`${op}: ${name} must be a Tensor or a number, got ${v === null ? "null" : typeof v}`);
  }
}

function scalarTensor(v: number, dtype: DType, like: Tensor): Tensor {
  const data = dtype === "int32" ? Int32Array.of(v) : Float32Array.of(v);
  return fromData(data, [], dtype, like.impl);
}

function binary(op: BinaryOp, a: Operand, b: Operand): Tensor {
  checkOperand(op, "input", a);
  checkOperand(op, "other", b);
  if (typeof a === "number" && typeof b === "number") throw new ArgumentError(`${op}: at least one operand must be a Tensor, got numbers ${a} and ${b}`);
  const dtype = resultDtype(op, a, b);
  const like = (typeof a === "number" ? b : a) as Tensor;
  // A number operand becomes a 0-d tensor of the result dtype: torch casts it to the tensor's dtype too.
  const ta = typeof a === "number" ? scalarTensor(a, dtype, like) : a;
  const tb = typeof b === "number" ? scalarTensor(b, dtype, like) : b;
  const impl = backendOf(op, ta, tb);
  const outShape = broadcastShapes(op, ta.shape, tb.shape);
  const va = withRank(ta, outShape.length);
  const vb = withRank(tb, outShape.length);
  try {
    return wrap(impl, impl.binary(va, vb, op, outShape), outShape, dtype);
  } finally {
    va.dispose();
    vb.dispose();
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

/** `input + other` with broadcasting, like torch.add (either side may be a number). */
export const add = (input: Operand, other: Operand): Tensor => binary("add", input, other);
/** `input - other` with broadcasting, like torch.sub. */
export const sub = (input: Operand, other: Operand): Tensor => binary("sub", input, other);
/** `input * other` with broadcasting, like torch.mul. */
export const mul = (input: Operand, other: Operand): Tensor => binary("mul", input, other);
/** `input / other` (true division, float32 only) with broadcasting, like torch.div. */
export const div = (input: Operand, other: Operand): Tensor => binary("div", input, other);
/** Element-wise maximum with broadcasting; NaN wins, like torch.maximum. */
export const maximum = (input: Operand, other: Operand): Tensor => binary("maximum", input, other);
/** Element-wise minimum with broadcasting; NaN wins, like torch.minimum. */
export const minimum = (input: Operand, other: Operand): Tensor => binary("minimum", input, other);
