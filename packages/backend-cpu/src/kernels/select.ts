/**
 * Broadcasting comparison (a float32 0/1 mask) and selection, the element-wise kernels gradient formulas
 * are composed from. The walk is merged to as few dims as possible; the innermost runs as one loop per
 * row, the outer ones by an odometer over the remaining dims.
 */
import type { CompareOp, TypedArray } from "@convkit/core";
import { merge, stridesOf } from "./strided.js";

function broadcastStrides(shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, i) => (shape[i] === 1 ? 0 : s));
}

/** Offsets of each operand at the start of every row of the walk, in output order. */
function rowOffsets(outShape: readonly number[], shapes: readonly (readonly number[])[]): { n: number; inner: number[]; starts: Int32Array[] } {
  const w = merge(outShape, shapes.map(broadcastStrides));
  const rank = w.sizes.length;
  const n = w.sizes[rank - 1];
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= w.sizes[d];
  const starts = shapes.map(() => new Int32Array(rows));
  const counter = new Int32Array(rank);
  const off = shapes.map(() => 0);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < off.length; k++) starts[k][r] = off[k];
    for (let d = rank - 2; d >= 0; d--) {
      for (let k = 0; k < off.length; k++) off[k] += w.strides[k][d];
      if (++counter[d] < w.sizes[d]) break;
      counter[d] = 0;
      for (let k = 0; k < off.length; k++) off[k] -= w.strides[k][d] * w.sizes[d];
    }
  }
  return { n, inner: w.strides.map((s) => s[rank - 1]), starts };
}

export function compare(
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  op: CompareOp,
  outShape: readonly number[],
  out: Float32Array,
): void {
  if (out.length === 0) return;
  const { n, inner, starts } = rowOffsets(outShape, [aShape, bShape]);
  for (let r = 0, o = 0; o < out.length; r++, o += n) compareRow(op, a, starts[0][r], inner[0], b, starts[1][r], inner[1], out, o, n);
}

function compareRow(
  op: CompareOp,
  a: TypedArray,
  ai: number,
  sa: number,
  b: TypedArray,
  bi: number,
  sb: number,
  out: Float32Array,
  o: number,
  n: number,
): void {
  switch (op) {
    case "eq":
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] === b[bi + i * sb] ? 1 : 0;
      return;
    case "ne":
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] !== b[bi + i * sb] ? 1 : 0;
      return;
    case "lt":
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] < b[bi + i * sb] ? 1 : 0;
      return;
    case "le":
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] <= b[bi + i * sb] ? 1 : 0;
      return;
    case "gt":
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] > b[bi + i * sb] ? 1 : 0;
      return;
    case "ge":
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] >= b[bi + i * sb] ? 1 : 0;
      return;
  }
}

/** `a` where `cond` is non-zero (NaN included), else `b`; a copy, so -0 and NaN stay as they are. */
export function where(
  cond: Float32Array,
  cShape: readonly number[],
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  outShape: readonly number[],
  out: TypedArray,
): void {
  if (out.length === 0) return;
  const { n, inner, starts } = rowOffsets(outShape, [cShape, aShape, bShape]);
  for (let r = 0, o = 0; o < out.length; r++, o += n) whereRow(cond, starts[0][r], inner[0], a, starts[1][r], inner[1], b, starts[2][r], inner[2], out, o, n);
}

function whereRow(
  c: Float32Array,
  ci: number,
  sc: number,
  a: TypedArray,
  ai: number,
  sa: number,
  b: TypedArray,
  bi: number,
  sb: number,
  out: TypedArray,
  o: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) out[o + i] = c[ci + i * sc] !== 0 ? a[ai + i * sa] : b[bi + i * sb];
}
