/**
 * Max pooling with PyTorch's CPU rules: padding never wins (taps outside the input are skipped), the
 * first maximum in scan order wins a tie, a NaN always replaces the running max (so NaN propagates and
 * its index is the last NaN's), and indices are flat within each (n, c) plane of the input.
 */
import type { Geometry3 } from "./lift.js";

/** First in-range tap position for a window starting at `start` with dilation `d`. */
function firstTap(start: number, d: number): number {
  let p = start;
  while (p < 0) p += d;
  return p;
}

/**
 * The max of one window of a `[D, H, W]` plane starting at `base` (taps `d0, d0 + dd, ... < d1`, likewise
 * for h and w) into `out[o]`, and its index within the plane into `indices[o]`: NaN always wins, the
 * first maximum wins a tie. Shared by max pooling and adaptive max pooling (unit steps).
 */
export function windowMax(
  x: Float32Array,
  base: number,
  H: number,
  W: number,
  d0: number,
  d1: number,
  dd: number,
  h0: number,
  h1: number,
  dh: number,
  w0: number,
  w1: number,
  dw: number,
  out: Float32Array,
  indices: Int32Array | null,
  o: number,
): void {
  let maxIdx = (d0 * H + h0) * W + w0;
  let maxVal = Number.NEGATIVE_INFINITY;
  for (let id = d0; id < d1; id += dd) {
    for (let ih = h0; ih < h1; ih += dh) {
      const row = (id * H + ih) * W;
      for (let iw = w0; iw < w1; iw += dw) {
        const v = x[base + row + iw];
        if (v > maxVal || Number.isNaN(v)) {
          maxVal = v;
          maxIdx = row + iw;
        }
      }
    }
  }
  out[o] = maxVal;
  if (indices !== null) indices[o] = maxIdx;
}

export function maxPool3(x: Float32Array, planes: number, g: Geometry3, out: Float32Array, indices: Int32Array | null): void {
  const D = g.inS[0], H = g.inS[1], W = g.inS[2];
  const OD = g.outS[0], OH = g.outS[1], OW = g.outS[2];
  const sd = g.s[0], sh = g.s[1], sw = g.s[2];
  const dd = g.d[0], dh = g.d[1], dw = g.d[2];
  const ed = (g.k[0] - 1) * dd + 1, eh = (g.k[1] - 1) * dh + 1, ew = (g.k[2] - 1) * dw + 1;
  const inPlane = D * H * W;
  const outPlane = OD * OH * OW;
  // Per output column, the first in-range tap and the end bound; computed once, reused for every row and plane.
  const w0s = new Int32Array(OW), w1s = new Int32Array(OW);
  for (let ow = 0; ow < OW; ow++) {
    const start = ow * sw - g.pb[2];
    w0s[ow] = firstTap(start, dw);
    w1s[ow] = Math.min(start + ew, W);
  }
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    let o = p * outPlane;
    for (let od = 0; od < OD; od++) {
      const sD = od * sd - g.pb[0];
      const d0 = firstTap(sD, dd), d1 = Math.min(sD + ed, D);
      for (let oh = 0; oh < OH; oh++) {
        const sH = oh * sh - g.pb[1];
        const h0 = firstTap(sH, dh), h1 = Math.min(sH + eh, H);
        for (let ow = 0; ow < OW; ow++) {
          windowMax(x, base, H, W, d0, d1, dd, h0, h1, dh, w0s[ow], w1s[ow], dw, out, indices, o);
          o++;
        }
      }
    }
  }
}
