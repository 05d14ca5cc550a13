/** Copy kernels that only move data: transpose (permute), concat and strided slices. Any dtype. */
import type { TypedArray } from "@convkit/core";
import { merge, stridesOf } from "./strided.js";

/**
 * Copies `src` into `out` (contiguous, row-major over `sizes`) reading element `idx` of the walk at
 * `offset + sum(idx[d] * strides[d])`. The innermost dim is one loop; the outer ones an odometer.
 */
function gather(src: TypedArray, offset: number, sizes: readonly number[], strides: readonly number[], out: TypedArray): void {
  if (out.length === 0) return;
  const rank = sizes.length;
  const n = sizes[rank - 1];
  const s = strides[rank - 1];
  const counter = new Int32Array(rank);
  let off = offset;
  for (let o = 0; o < out.length; o += n) {
    if (s === 1) for (let i = 0; i < n; i++) out[o + i] = src[off + i];
    else for (let i = 0, j = off; i < n; i++, j += s) out[o + i] = src[j];
    for (let d = rank - 2; d >= 0; d--) {
      off += strides[d];
      if (++counter[d] < sizes[d]) break;
      counter[d] = 0;
      off -= strides[d] * sizes[d];
    }
  }
}

/** Output dim i is input dim perm[i]. */
export function transpose(x: TypedArray, shape: readonly number[], perm: readonly number[], out: TypedArray): void {
  const inStrides = stridesOf(shape);
  const outSizes = perm.map((p) => shape[p]);
  const w = merge(outSizes, [perm.map((p) => inStrides[p])]);
  gather(x, 0, w.sizes, w.strides[0], out);
}

/** Elements begin[d] + j * step[d], j < size[d], of every dim. */
export function slice(x: TypedArray, shape: readonly number[], begin: readonly number[], size: readonly number[], step: readonly number[], out: TypedArray): void {
  const inStrides = stridesOf(shape);
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += begin[d] * inStrides[d];
  const w = merge(size, [inStrides.map((s, d) => s * step[d])]);
  gather(x, offset, w.sizes, w.strides[0], out);
}

/** Joins `parts` (each `outer x part[axis] x inner`, contiguous) along `axis`. */
export function concat(parts: readonly TypedArray[], shapes: readonly (readonly number[])[], axis: number, out: TypedArray): void {
  const shape0 = shapes[0];
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape0[d];
  let inner = 1;
  for (let d = axis + 1; d < shape0.length; d++) inner *= shape0[d];
  const chunks = shapes.map((s) => s[axis] * inner);
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (let p = 0; p < parts.length; p++) {
      const len = chunks[p];
      const src = parts[p];
      const from = o * len;
      // Short runs copy by hand: a subarray view per run would allocate more than it saves.
      if (len < 64) for (let i = 0; i < len; i++) out[pos + i] = src[from + i];
      else out.set(src.subarray(from, from + len), pos);
      pos += len;
    }
  }
}
