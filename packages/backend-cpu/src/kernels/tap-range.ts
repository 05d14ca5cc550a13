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
