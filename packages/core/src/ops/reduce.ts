import { assertTensor } from "../args.js";
import type { ReduceOp } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { fromData } from "../create.js";
import type { Tensor } from "../tensor.js";
import { div, mul } from "./binary.js";
import { normDim, normDims } from "./dims.js";
import { noGrad, record, wrap } from "./kernel-call.js";
import { compare, expandTo, where } from "./select.js";

export interface ReduceOptions {
  /** Keep each reduced dim as size 1 (default false). */
  keepdim?: boolean;
}

/** Dims to reduce: a dim, a list, or every dim for null/undefined/[] (as torch 1.13 reads `dim=()`). */
export type ReduceDims = number | readonly number[] | null;

function keepdimOf(op: string, options: ReduceOptions | undefined): boolean {
  if (options !== undefined && options !== null && typeof options !== "object") {
    throw new ArgumentError(`${op}: options must be an object such as { keepdim: true }, got ${fmt(options)}`);
  }
  const k = options?.keepdim ?? false;
  if (typeof k !== "boolean") throw new ArgumentError(`${op}: keepdim must be a boolean, got ${fmt(k)}`);
  return k;
}

function resultShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

function checkNonEmpty(op: string, input: Tensor, axes: readonly number[]): void {
  const empty = axes.find((a) => input.shape[a] === 0);
  if (empty !== undefined) throw new ShapeError(`${op}: cannot reduce dim ${empty} of size 0 (input shape ${fmt(input.shape)}): the result has no identity`);
}

/**
 * How max/min reductions share the gradient among tied extremes: amax/amin scale it by the count of
 * elements equal to the result (torch's scale_grad_by_count, so a NaN result gives NaN gradients);
 * max()/min() over everything distribute it evenly among them, NaN results to the NaN elements (torch's
 * evenly_distribute_backward).
 */
type TieRule = "scale" | "even";

function reduceGrad(kind: ReduceOp, tie: TieRule, g: Tensor, saved: readonly Tensor[], inShape: readonly number[], axes: readonly number[]): Tensor {
  // The gradient with the reduced dims restored as size 1, so it broadcasts against the input.
  const keepShape = inShape.map((d, i) => (axes.includes(i) ? 1 : d));
  const gk = g.reshape(keepShape);
  if (kind === "sum") return expandTo(gk, inShape);
  if (kind === "mean") return div(expandTo(gk, inShape), axes.reduce((n, a) => n * inShape[a], 1));
  const [x, y] = saved;
  const yk = y.reshape(keepShape);
  if (tie === "scale") {
    const mask = compare(x, yk, "eq");
    return mul(div(gk, sum(mask, axes.length ? axes : null, { keepdim: true })), mask);
  }
  const mask = where(compare(yk, yk, "ne"), compare(x, x, "ne"), compare(x, yk, "eq"));
  return where(mask, div(gk, sum(mask)), 0);
}

function reduceOp(op: string, kind: ReduceOp, input: Tensor, dim: ReduceDims | undefined, options: ReduceOptions | undefined, tie: TieRule = "scale"): Tensor {
  assertTensor(op, "input", input);
  const keepdim = keepdimOf(op, options);
  if (kind === "mean" && input.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  const all = dim === null || dim === undefined || (Array.isArray(dim) && dim.length === 0);
  const axes = normDims(op, "dim", all ? null : dim, input.shape);
  if (kind === "max" || kind === "min") checkNonEmpty(op, input, axes);
  const shape = resultShape(input.shape, axes, keepdim);
  // A 0-d input reduces as one element along its only dim.
  const x = input.shape.length === 0 ? noGrad(() => input.reshape([1])) : input;
  let y: Tensor;
  try {
    y = wrap(x.impl, x.impl.reduce(x, input.shape.length === 0 ? [0] : axes, kind), shape, input.dtype);
  } finally {
    if (x !== input) x.dispose();
  }
  if (input.dtype === "float32") {
    const inShape = input.shape;
    record(`${op}Backward`, [input], [y], ([g], saved) => [reduceGrad(kind, tie, g, saved, inShape, axes)], kind === "max" || kind === "min" ? [input, y] : []);
  }
  return y;
}

/** Sum over `dim` (default: all dims), like torch.sum; int32 sums wrap around (torch widens to int64). */
export const sum = (input: Tensor, dim?: ReduceDims, options?: ReduceOptions): Tensor => reduceOp("sum", "sum", input, dim, options);
/** Mean over `dim` (default: all dims), like torch.mean; float32 only, NaN for an empty reduction. */
export const mean = (input: Tensor, dim?: ReduceDims, options?: ReduceOptions): Tensor => reduceOp("mean", "mean", input, dim, options);
/** Maximum over `dim` (default: all dims), NaN propagating, like torch.amax. */
export const amax = (input: Tensor, dim?: ReduceDims, options?: ReduceOptions): Tensor => reduceOp("amax", "max", input, dim, options);
/** Minimum over `dim` (default: all dims), NaN propagating, like torch.amin. */
export const amin = (input: Tensor, dim?: ReduceDims, options?: ReduceOptions): Tensor => reduceOp("amin", "min", input, dim, options);

/** torch's value_selecting_reduction_backward: the gradient goes to the selected index along `axis`, zeros elsewhere. */
function selectedGrad(g: Tensor, indices: Tensor, inShape: readonly number[], axis: number): Tensor {
  if (inShape.length === 0) return g;
  const keepShape = inShape.map((d, i) => (i === axis ? 1 : d));
  const positions = fromData(
    Int32Array.from({ length: inShape[axis] }, (_, i) => i),
    inShape.map((d, i) => (i === axis ? d : 1)),
    "int32",
    g.impl,
  );
  return where(compare(positions, indices.reshape(keepShape), "eq"), g.reshape(keepShape), 0);
}

function argReduce(op: string, kind: "max" | "min", input: Tensor, dim: number, keepdim: boolean): [Tensor, Tensor] {
  const axis = normDim(op, "dim", dim, input.shape);
  checkNonEmpty(op, input, [axis]);
  const shape = resultShape(input.shape, [axis], keepdim);
  const x = input.shape.length === 0 ? noGrad(() => input.reshape([1])) : input;
  let out: [Tensor, Tensor];
  try {
    const r = x.impl.argReduce(x, axis, kind);
    out = [wrap(x.impl, r.values, shape, input.dtype), wrap(x.impl, r.indices, shape, "int32")];
  } finally {
    if (x !== input) x.dispose();
  }
  if (input.dtype === "float32") {
    const inShape = input.shape;
    record(`${op}Backward`, [input], [out[0]], ([g], [indices]) => [selectedGrad(g, indices, inShape, axis)], [out[1]]);
  }
  return out;
}

function extreme(op: string, kind: "max" | "min", input: Tensor, dim: number | undefined, options: ReduceOptions | undefined): Tensor | [Tensor, Tensor] {
  assertTensor(op, "input", input);
  if (dim === undefined) {
    if (input.size === 0) throw new ShapeError(`${op}: cannot reduce an empty input (shape ${fmt(input.shape)}) without a dim`);
    return reduceOp(op, kind, input, null, options, "even");
  }
  return argReduce(op, kind, input, dim, keepdimOf(op, options));
}

export interface ExtremeFn {
  /** The extreme over all elements, 0-d. */
  (input: Tensor): Tensor;
  /** `[values, indices]` along `dim` (indices int32: the first NaN, else the first extreme). */
  (input: Tensor, dim: number, options?: ReduceOptions): [Tensor, Tensor];
}

/** Like torch.max: `max(x)` is the overall maximum, `max(x, dim)` gives `[values, indices]`. NaN propagates. */
export const max: ExtremeFn = ((input: Tensor, dim?: number, options?: ReduceOptions) => extreme("max", "max", input, dim, options)) as ExtremeFn;
/** Like torch.min: `min(x)` is the overall minimum, `min(x, dim)` gives `[values, indices]`. NaN propagates. */
export const min: ExtremeFn = ((input: Tensor, dim?: number, options?: ReduceOptions) => extreme("min", "min", input, dim, options)) as ExtremeFn;

function argExtreme(op: string, kind: "max" | "min", input: Tensor, dim: number | null | undefined, options: ReduceOptions | undefined): Tensor {
  assertTensor(op, "input", input);
  const keepdim = keepdimOf(op, options);
  if (dim === null || dim === undefined) {
    // torch: the index into the flattened input; keepdim keeps every dim as size 1.
    if (input.size === 0) throw new ShapeError(`${op}: cannot reduce an empty input (shape ${fmt(input.shape)})`);
    const flat = input.reshape([input.size]);
    try {
      const [v, i] = argReduce(op, kind, flat, 0, false);
      v.dispose();
      if (!keepdim) return i;
      const r = i.reshape(input.shape.map(() => 1));
      i.dispose();
      return r;
    } finally {
      flat.dispose();
    }
  }
  const [v, i] = argReduce(op, kind, input, dim, keepdim);
  v.dispose();
  return i;
}

/** Index (int32) of the first maximum along `dim`, or into the flattened input without one, like torch.argmax. */
export const argmax = (input: Tensor, dim?: number | null, options?: ReduceOptions): Tensor => noGrad(() => argExtreme("argmax", "max", input, dim, options));
/** Index (int32) of the first minimum along `dim`, or into the flattened input without one, like torch.argmin. */
export const argmin = (input: Tensor, dim?: number | null, options?: ReduceOptions): Tensor => noGrad(() => argExtreme("argmin", "min", input, dim, options));
