/**
 * Building blocks of gradient formulas: comparisons as float32 0/1 masks, element-wise selection (torch's
 * `where` and `masked_fill`), broadcasting to a shape and its adjoint, summing back to an operand's shape.
 * They run on the autograd kernels and record nothing (backward runs with grad mode off).
 */
import type { CompareOp } from "../backend.js";
import { fromData } from "../create.js";
import type { DType } from "../dtype.js";
import { type Tensor, sameShape, sizeOf } from "../tensor.js";
import { broadcastShapes, withRank } from "./dims.js";
import { gradKernels, wrap } from "./kernel-call.js";
import { sum } from "./reduce.js";

function scalarOn(like: Tensor, v: number, dtype: DType): Tensor {
  return fromData(dtype === "int32" ? Int32Array.of(v) : Float32Array.of(v), [], dtype, like.impl);
}

/** float32 mask of `a op b` (broadcasting; a number takes `a`'s dtype). */
export function compare(a: Tensor, b: Tensor | number, op: CompareOp): Tensor {
  const tb = typeof b === "number" ? scalarOn(a, b, a.dtype) : b;
  const outShape = broadcastShapes("compare", a.shape, tb.shape);
  const va = withRank(a, outShape.length);
  const vb = withRank(tb, outShape.length);
  try {
    return wrap(a.impl, gradKernels("compare", a.impl).compare(va, vb, op, outShape), outShape, "float32");
  } finally {
    va.dispose();
    vb.dispose();
    if (tb !== b) tb.dispose();
  }
}

function select(cond: Tensor, a: Tensor | number, b: Tensor | number, outShape: readonly number[]): Tensor {
  const like = typeof a === "number" ? (typeof b === "number" ? cond : b) : a;
  const dtype = like === cond ? "float32" : like.dtype;
  const ta = typeof a === "number" ? scalarOn(cond, a, dtype) : a;
  const tb = typeof b === "number" ? scalarOn(cond, b, dtype) : b;
  const vs = [cond, ta, tb].map((t) => withRank(t, outShape.length));
  try {
    return wrap(cond.impl, gradKernels("where", cond.impl).where(vs[0], vs[1], vs[2], outShape), outShape, dtype);
  } finally {
    for (const v of vs) v.dispose();
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

/** `a` where `cond` is non-zero, else `b`, broadcasting all three (numbers take the tensor operand's dtype). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  let shape = cond.shape as readonly number[];
  for (const v of [a, b]) if (typeof v !== "number") shape = broadcastShapes("where", shape, v.shape);
  return select(cond, a, b, shape);
}

/** Zeros of `shape` on `like`'s backend. */
export function zerosOn(like: Tensor, shape: readonly number[]): Tensor {
  return fromData(new Float32Array(sizeOf(shape)), shape, "float32", like.impl);
}

/** `g` broadcast to `shape` (torch's `expand`, as a copy); `g` itself when it already has that shape. */
export function expandTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const one = scalarOn(g, 1, "float32");
  try {
    return select(one, g, g, shape);
  } finally {
    one.dispose();
  }
}

/**
 * The adjoint of broadcasting `shape` up to `g`'s shape: sums `g` over the dims broadcasting added or
 * stretched from 1 (torch's `sum_to_size`); `g` itself when the shapes are equal.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  if (axes.length === 0) return g.reshape(shape);
  const s = sum(g, axes);
  const r = s.reshape(shape);
  s.dispose();
  return r;
}
