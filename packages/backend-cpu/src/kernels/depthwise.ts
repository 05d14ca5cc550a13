/**
 * Direct depthwise convolution (one input channel per group, channel multiplier `mult` output channels
 * per input channel). A GEMM would have K = prod(kernel), far too short to amortise packing, so each
 * output row is accumulated tap by tap in a float64 row buffer: the inner loop is a strided axpy over
 * the output positions whose tap lands inside the input (ranges computed once per kernel column).
 */
import type { Geometry3 } from "./lift.js";
import { columnReach } from "./tap-range.js";
import { ACCUM, f64Scratch } from "./workspace.js";

/** acc[lo..hi) += wv * x[row + o * sw] for o in [lo, hi). */
function axpyRow(acc: Float64Array, x: Float32Array, row: number, sw: number, wv: number, lo: number, hi: number): void {
  if (sw === 1) {
    for (let o = lo; o < hi; o++) acc[o] += wv * x[(row + o) | 0];
  } else {
    for (let o = lo; o < hi; o++) acc[o] += wv * x[(row + o * sw) | 0];
  }
}

/**
 * x [N, C, D, H, W], w [C * mult, 1, KD, KH, KW] (+ bias [C * mult]) into out [N, C * mult, OD, OH, OW];
 * output channel `c * mult + j` reads input channel `c`.
 */
export function depthwise3(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  N: number,
  C: number,
  mult: number,
  g: Geometry3,
  out: Float32Array,
): void {
  const D = g.inS[0],
    H = g.inS[1],
    W = g.inS[2];
  const OD = g.outS[0],
    OH = g.outS[1],
    OW = g.outS[2];
  const KD = g.k[0],
    KH = g.k[1],
    KW = g.k[2];
  const sd = g.s[0],
    sh = g.s[1],
    sw = g.s[2];
  const KS = KD * KH * KW;
  const inPlane = D * H * W;
  const outPlane = OD * OH * OW;
  const M = C * mult;
  const { lo, hi, offW } = columnReach(KW, g.d[2], g.pb[2], sw, W, OW);
  const acc = f64Scratch(ACCUM, OW);
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < M; oc++) {
      const xPlane = (n * C + Math.floor(oc / mult)) * inPlane;
      const wOff = oc * KS;
      const bv = bias === null ? 0 : bias[oc];
      let o = (n * M + oc) * outPlane;
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          acc.fill(bv, 0, OW);
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd + kd * g.d[0] - g.pb[0];
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh + kh * g.d[1] - g.pb[1];
              if (ih < 0 || ih >= H) continue;
              const rowBase = xPlane + (id * H + ih) * W;
              const wRow = wOff + (kd * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) axpyRow(acc, x, rowBase + offW[kw], sw, w[wRow + kw], lo[kw], hi[kw]);
            }
          }
          for (let ow = 0; ow < OW; ow++) out[(o + ow) | 0] = acc[ow];
          o += OW;
        }
      }
    }
  }
}
