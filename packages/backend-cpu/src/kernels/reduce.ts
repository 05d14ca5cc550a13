/** Reductions (sum, mean, max, min over axes), arg-reductions and softmax along one axis. */
import type { ReduceOp, TypedArray } from "@convkit/core";
import { stridesOf } from "./strided.js";

/** A shape split around one axis: `outer x r x inner`, row-major. */
export interface AxisSplit {
  readonly outer: number;
  readonly r: number;
  readonly inner: number;
}

export function splitAt(shape: readonly number[], axis: number): AxisSplit {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, r: shape[axis], inner };
}

/**
 * Unit dims dropped and neighbours with the same reduced/kept status merged: the reduction then is
 * `[kept?, reduced, kept?]` (the fast path) or a general alternation.
 */
function canonical(shape: readonly number[], axes: readonly number[]): { sizes: number[]; reduced: boolean[] } {
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  shape.forEach((n, d) => {
    if (n === 1) return;
    const red = axes.includes(d);
    if (reduced.length > 0 && reduced[reduced.length - 1] === red) sizes[sizes.length - 1] *= n;
    else {
      sizes.push(n);
      reduced.push(red);
    }
  });
  return { sizes, reduced };
}

export function reduce(x: TypedArray, shape: readonly number[], axes: readonly number[], op: ReduceOp, out: TypedArray): void {
  if (out.length === 0) return;
  if (x.length === 0) {
    out.fill(op === "mean" ? Number.NaN : 0); // max/min of an empty axis are rejected by core
    return;
  }
  const { sizes, reduced } = canonical(shape, axes);
  const count = x.length / out.length;
  const groups = reduced.filter((r) => r).length;
  if (groups === 0) {
    // Only unit dims were reduced: a copy.
    for (let i = 0; i < x.length; i++) out[i] = x[i];
    return;
  }
  if (groups === 1) {
    const at = reduced.indexOf(true);
    const outer = at > 0 ? sizes[0] : 1;
    const inner = at < sizes.length - 1 ? sizes[at + 1] : 1;
    reduceAxis(x, outer, sizes[at], inner, op, out);
  } else {
    reduceGeneral(x, sizes, reduced, op, out);
  }
  if (op === "mean") for (let i = 0; i < out.length; i++) out[i] = out[i] / count;
}

/** Sum of a row into float64 accumulators (sum/mean) or NaN-propagating extremes. */
function reduceAxis(x: TypedArray, outer: number, r: number, inner: number, op: ReduceOp, out: TypedArray): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) out[o] = reduceRow(x, o * r, r, op);
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let j = 0; j < inner; j++) acc[j] = x[base + j];
    for (let k = 1; k < r; k++) accumulate(x, base + k * inner, acc, inner, op);
    out.set(acc, o * inner);
  }
}

function reduceRow(x: TypedArray, from: number, n: number, op: ReduceOp): number {
  const end = from + n;
  if (op === "sum" || op === "mean") {
    let s = 0;
    for (let i = from; i < end; i++) s += x[i];
    return s;
  }
  let m = x[from];
  if (op === "max") {
    for (let i = from + 1; i < end; i++) {
      const v = x[i];
      if (v > m || Number.isNaN(v)) m = v; // once m is NaN nothing compares greater, so NaN sticks
    }
  } else {
    for (let i = from + 1; i < end; i++) {
      const v = x[i];
      if (v < m || Number.isNaN(v)) m = v;
    }
  }
  return m;
}

function accumulate(x: TypedArray, from: number, acc: Float64Array, n: number, op: ReduceOp): void {
  if (op === "sum" || op === "mean") {
    for (let j = 0; j < n; j++) acc[j] += x[from + j];
  } else if (op === "max") {
    for (let j = 0; j < n; j++) {
      const v = x[from + j];
      if (v > acc[j] || Number.isNaN(v)) acc[j] = v;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const v = x[from + j];
      if (v < acc[j] || Number.isNaN(v)) acc[j] = v;
    }
  }
}

/** Any alternation of reduced and kept dims: one pass over the input, output offset by odometer. */
function reduceGeneral(x: TypedArray, sizes: readonly number[], reduced: readonly boolean[], op: ReduceOp, out: TypedArray): void {
  const keptSizes = sizes.filter((_, d) => !reduced[d]);
  const keptStrides = stridesOf(keptSizes);
  const outStrides: number[] = [];
  let k = 0;
  for (let d = 0; d < sizes.length; d++) outStrides.push(reduced[d] ? 0 : keptStrides[k++]);
  const acc = new Float64Array(out.length);
  const seen = new Uint8Array(out.length);
  const rank = sizes.length;
  const counter = new Int32Array(rank);
  let o = 0;
  const isSum = op === "sum" || op === "mean";
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (isSum) acc[o] += v;
    else if (seen[o] === 0) {
      acc[o] = v;
      seen[o] = 1;
    } else if (op === "max" ? v > acc[o] || Number.isNaN(v) : v < acc[o] || Number.isNaN(v)) acc[o] = v;
    for (let d = rank - 1; d >= 0; d--) {
      o += outStrides[d];
      if (++counter[d] < sizes[d]) break;
      counter[d] = 0;
      o -= outStrides[d] * sizes[d];
    }
  }
  out.set(acc);
}

/** Extreme and its index along the middle dim of `outer x r x inner` (r >= 1): the first NaN, else the first extreme. */
export function argReduce(x: TypedArray, s: AxisSplit, op: "max" | "min", values: TypedArray, indices: Int32Array): void {
  const { outer, r, inner } = s;
  const isMax = op === "max";
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    const ob = o * inner;
    for (let j = 0; j < inner; j++) {
      values[ob + j] = x[base + j];
      indices[ob + j] = 0;
    }
    for (let k = 1; k < r; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const v = x[row + j];
        const best = values[ob + j];
        if (!Number.isNaN(best) && (Number.isNaN(v) || (isMax ? v > best : v < best))) {
          values[ob + j] = v;
          indices[ob + j] = k;
        }
      }
    }
  }
}

/**
 * Softmax or log-softmax along the middle dim of `outer x r x inner`, max-shifted, sums in float64.
 * Like PyTorch, softmax stores each exp as float32 and scales it by the reciprocal of the sum.
 */
export function softmax(x: Float32Array, s: AxisSplit, log: boolean, out: Float32Array): void {
  const { outer, r, inner } = s;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) softmaxRow(x, o * r, r, log, out);
    return;
  }
  // Lanes: every inner position is an independent softmax; walk rows contiguously.
  const m = new Float64Array(inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    m.fill(Number.NEGATIVE_INFINITY);
    sum.fill(0);
    for (let k = 0; k < r; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const v = x[row + j];
        if (v > m[j] || Number.isNaN(v)) m[j] = v;
      }
    }
    for (let k = 0; k < r; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const e = Math.exp(x[row + j] - m[j]);
        sum[j] += e;
        if (!log) out[row + j] = e;
      }
    }
    for (let j = 0; j < inner; j++) sum[j] = log ? m[j] + Math.log(sum[j]) : 1 / sum[j];
    for (let k = 0; k < r; k++) {
      const row = base + k * inner;
      if (log) for (let j = 0; j < inner; j++) out[row + j] = x[row + j] - sum[j];
      else for (let j = 0; j < inner; j++) out[row + j] *= sum[j];
    }
  }
}

function softmaxRow(x: Float32Array, from: number, n: number, log: boolean, out: Float32Array): void {
  const end = from + n;
  let m = Number.NEGATIVE_INFINITY;
  for (let i = from; i < end; i++) {
    const v = x[i];
    if (v > m || Number.isNaN(v)) m = v;
  }
  let sum = 0;
  for (let i = from; i < end; i++) {
    const e = Math.exp(x[i] - m);
    sum += e;
    if (!log) out[i] = e;
  }
  if (log) {
    const shift = m + Math.log(sum);
    for (let i = from; i < end; i++) out[i] = x[i] - shift;
  } else {
    const inv = 1 / sum;
    for (let i = from; i < end; i++) out[i] *= inv;
  }
}
