import { assertTensor } from "../args.js";
import type { BinaryOp } from "../backend.js";
import { fromData } from "../create.js";
import type { DType } from "../dtype.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { broadcastShapes, withRank } from "./dims.js";
import { type BackwardFn, backendOf, noGrad, record, wrap } from "./kernel-call.js";
import { compare, sumTo, where } from "./select.js";
import { neg } from "./unary.js";

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
  assertTensor(op, name, v);
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
  // Kernel views of the operands, not ops of their own.
  const [va, vb] = noGrad(() => [withRank(ta, outShape.length), withRank(tb, outShape.length)]);
  try {
    const y = wrap(impl, impl.binary(va, vb, op, outShape), outShape, dtype);
    const [aShape, bShape] = [ta.shape, tb.shape];
    // Number operands are constants; the gradient formulas read them as the 0-d tensors they became.
    record(`${op}Backward`, [a === ta ? ta : null, b === tb ? tb : null], [y], (gs, saved, needed) => GRADS[op](gs[0], saved, needed, aShape, bShape), SAVES[op] ? [ta, tb] : []);
    return y;
  } finally {
    va.dispose();
    vb.dispose();
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

type BinaryGrad = (g: Tensor, saved: Parameters<BackwardFn>[1], needed: readonly boolean[], aShape: readonly number[], bShape: readonly number[]) => (Tensor | null)[];

const SAVES: Record<BinaryOp, boolean> = { add: false, sub: false, mul: true, div: true, maximum: true, minimum: true };

/**
 * torch's maximum/minimum backward: the gradient is halved where the operands are equal, and zeroed for
 * the operand that lost (`masked_fill(self < other, 0)` for maximum's self); NaN compares false, so where
 * one is NaN both get the whole gradient.
 */
function extremumGrad(lost: "lt" | "gt"): BinaryGrad {
  const won = lost === "lt" ? "gt" : "lt";
  return (g, [a, b], needed, aShape, bShape) => {
    const shared = where(compare(a, b, "eq"), div(g, 2), g);
    return [needed[0] ? sumTo(where(compare(a, b, lost), 0, shared), aShape) : null, needed[1] ? sumTo(where(compare(a, b, won), 0, shared), bShape) : null];
  };
}

/** Gradients of each operand at the broadcast shape, summed back to the operand's shape (PyTorch's formulas). */
const GRADS: Record<BinaryOp, BinaryGrad> = {
  add: (g, _, needed, aShape, bShape) => [needed[0] ? sumTo(g, aShape) : null, needed[1] ? sumTo(g, bShape) : null],
  sub: (g, _, needed, aShape, bShape) => [needed[0] ? sumTo(g, aShape) : null, needed[1] ? sumTo(neg(g), bShape) : null],
  mul: (g, [a, b], needed, aShape, bShape) => [needed[0] ? sumTo(mul(g, b), aShape) : null, needed[1] ? sumTo(mul(g, a), bShape) : null],
  // torch: grad / other, and -grad * ((self / other) / other).
  div: (g, [a, b], needed, aShape, bShape) => [needed[0] ? sumTo(div(g, b), aShape) : null, needed[1] ? sumTo(mul(neg(g), div(div(a, b), b)), bShape) : null],
  maximum: extremumGrad("lt"),
  minimum: extremumGrad("gt"),
};

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
