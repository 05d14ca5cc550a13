/**
 * Ranges of output positions whose kernel tap lands inside the input, so the inner loops of the direct
 * and im2col kernels need no per-element bounds test. A tap of output `o` reads input `o * s + off`.
 */

/** First output index `o >= 0` whose tap `o * s + off` is >= 0. */
export function firstInside(off: number, s: number): number {
  return off >= 0 ? 0 : Math.floor((-off + s - 1) / s);
}

/** One past the last output index `o < outSize` whose tap `o * s + off` is < size (may be below firstInside). */
export function endInside(off: number, s: number, size: number, outSize: number): number {
  if (size - 1 - off < 0) return 0;
  const e = Math.floor((size - 1 - off) / s) + 1;
  return Math.min(e, outSize);
}

/** Per kernel column `kw`: its input offset `kw * dilation - padBegin` and the output columns `[lo, hi)` whose tap lands inside the input. */
export interface ColumnReach {
  readonly offW: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

/** Column reach for the last spatial dim of a window geometry: computed once per call, outside the loops. */
export function columnReach(KW: number, dilation: number, padBegin: number, stride: number, W: number, OW: number): ColumnReach {
  const offW = new Int32Array(KW),
    lo = new Int32Array(KW),
    hi = new Int32Array(KW);
  for (let kw = 0; kw < KW; kw++) {
    offW[kw] = kw * dilation - padBegin;
    lo[kw] = firstInside(offW[kw], stride);
    hi[kw] = Math.max(lo[kw], endInside(offW[kw], stride, W, OW));
  }
  return { offW, lo, hi };
}
