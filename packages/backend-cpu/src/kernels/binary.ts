import type { BinaryOp, TypedArray } from "@convkit/core";
import { merge, stridesOf } from "./strided.js";

/**
 * Broadcasting element-wise op: `a` and `b` have the output's rank, each dim equal to the output's or 1.
 * The walk is merged to a few dims; the innermost runs as one tight loop per op, the outer ones by
 * an odometer over the remaining dims.
 */
export function binary(a: TypedArray, aShape: readonly number[], b: TypedArray, bShape: readonly number[], op: BinaryOp, outShape: readonly number[], out: TypedArray): void {
  if (out.length === 0) return;
  const sa = stridesOf(aShape).map((s, i) => (aShape[i] === 1 ? 0 : s));
  const sb = stridesOf(bShape).map((s, i) => (bShape[i] === 1 ? 0 : s));
  const w = merge(outShape, [sa, sb]);
  const rank = w.sizes.length;
  const n = w.sizes[rank - 1];
  const ia = w.strides[0][rank - 1];
  const ib = w.strides[1][rank - 1];
  const isInt = out instanceof Int32Array;
  const counter = new Int32Array(rank);
  let offA = 0;
  let offB = 0;
  for (let o = 0; o < out.length; o += n) {
    row(op, isInt, a, offA, ia, b, offB, ib, out, o, n);
    // Advance the odometer over the outer dims.
    for (let d = rank - 2; d >= 0; d--) {
      offA += w.strides[0][d];
      offB += w.strides[1][d];
      if (++counter[d] < w.sizes[d]) break;
      counter[d] = 0;
      offA -= w.strides[0][d] * w.sizes[d];
      offB -= w.strides[1][d] * w.sizes[d];
    }
  }
}

function row(op: BinaryOp, isInt: boolean, a: TypedArray, ai: number, sa: number, b: TypedArray, bi: number, sb: number, out: TypedArray, oi: number, n: number): void {
  // The common float cases without index multiplies: equal shapes, and a broadcast scalar on the right.
  if (!isInt && sa === 1 && (sb === 1 || sb === 0) && op !== "maximum" && op !== "minimum") {
    if (sb === 1) contiguous(op, a as Float32Array, ai, b as Float32Array, bi, out as Float32Array, oi, n);
    else withScalar(op, a as Float32Array, ai, b[bi], out as Float32Array, oi, n);
    return;
  }
  switch (op) {
    case "add":
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa] + b[bi + i * sb];
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa] - b[bi + i * sb];
      return;
    case "mul":
      // int32 products must wrap like C++ int32 (a double product can exceed 2^53).
      if (isInt) for (let i = 0; i < n; i++) out[oi + i] = Math.imul(a[ai + i * sa], b[bi + i * sb]);
      else for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa] * b[bi + i * sb];
      return;
    case "div":
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa] / b[bi + i * sb];
      return;
    case "maximum":
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa];
        const y = b[bi + i * sb];
        out[oi + i] = Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y);
      }
      return;
    case "minimum":
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa];
        const y = b[bi + i * sb];
        out[oi + i] = Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.min(x, y);
      }
      return;
  }
}

function contiguous(op: BinaryOp, a: Float32Array, ai: number, b: Float32Array, bi: number, out: Float32Array, oi: number, n: number): void {
  const d = bi - ai;
  const o = oi - ai;
  const end = ai + n;
  if (op === "add") for (let i = ai; i < end; i++) out[i + o] = a[i] + b[i + d];
  else if (op === "sub") for (let i = ai; i < end; i++) out[i + o] = a[i] - b[i + d];
  else if (op === "mul") for (let i = ai; i < end; i++) out[i + o] = a[i] * b[i + d];
  else for (let i = ai; i < end; i++) out[i + o] = a[i] / b[i + d];
}

function withScalar(op: BinaryOp, a: Float32Array, ai: number, s: number, out: Float32Array, oi: number, n: number): void {
  const o = oi - ai;
  const end = ai + n;
  if (op === "add") for (let i = ai; i < end; i++) out[i + o] = a[i] + s;
  else if (op === "sub") for (let i = ai; i < end; i++) out[i + o] = a[i] - s;
  else if (op === "mul") for (let i = ai; i < end; i++) out[i + o] = a[i] * s;
  else for (let i = ai; i < end; i++) out[i + o] = a[i] / s;
}
