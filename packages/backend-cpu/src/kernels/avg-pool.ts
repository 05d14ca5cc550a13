/**
 * Average pooling over explicit windows. The divisor is the product over dims of the taps counted in
 * that dim (inside the input, or inside the padded extent with countIncludePad), which is PyTorch's
 * `(hend - hstart) * (wend - wstart)` and ONNX's dilated-tap count. A window with no input tap gives 0.
 */
import type { Geometry3 } from "./lift.js";

interface DimTaps {
  /** First in-input tap position per output index. */
  first: Int32Array;
  /** Number of in-input taps. */
  n: Int32Array;
  /** Number of taps inside [-padBegin, in + padEnd). */
  nPadded: Int32Array;
}

function dimTaps(inSize: number, outSize: number, k: number, s: number, d: number, pb: number, pe: number): DimTaps {
  const first = new Int32Array(outSize), n = new Int32Array(outSize), nPadded = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * s - pb;
    const tLo = start >= 0 ? 0 : Math.ceil(-start / d);
    const tHi = Math.min(k - 1, Math.floor((inSize - 1 - start) / d));
    first[o] = start + tLo * d;
    n[o] = Math.max(0, tHi - tLo + 1);
    nPadded[o] = Math.max(0, Math.min(k - 1, Math.floor((inSize + pe - 1 - start) / d)) + 1);
  }
  return { first, n, nPadded };
}

/** `dimTaps` of every spatial dim of the geometry (D, H, W). */
function windowTaps(g: Geometry3): DimTaps[] {
  return [0, 1, 2].map((i) => dimTaps(g.inS[i], g.outS[i], g.k[i], g.s[i], g.d[i], g.pb[i], g.pe[i]));
}

export function avgPool3(
  x: Float32Array,
  planes: number,
  g: Geometry3,
  countIncludePad: boolean,
  divisorOverride: number | null,
  out: Float32Array,
): void {
  const H = g.inS[1], W = g.inS[2];
  const OD = g.outS[0], OH = g.outS[1], OW = g.outS[2];
  const dd = g.d[0], dh = g.d[1], dw = g.d[2];
  const [tD, tH, tW] = windowTaps(g);
  const [cD, cH, cW] = [tD, tH, tW].map((t) => (countIncludePad ? t.nPadded : t.n));
  const inPlane = g.inS[0] * H * W;
  const outPlane = OD * OH * OW;
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    let o = p * outPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = tD.first[od], nd = tD.n[od];
      for (let oh = 0; oh < OH; oh++) {
        const h0 = tH.first[oh], nh = tH.n[oh];
        for (let ow = 0; ow < OW; ow++) {
          const w0 = tW.first[ow], nw = tW.n[ow];
          if (nd === 0 || nh === 0 || nw === 0) {
            out[o++] = 0;
            continue;
          }
          let sum = 0;
          for (let a = 0, id = d0; a < nd; a++, id += dd) {
            for (let b = 0, ih = h0; b < nh; b++, ih += dh) {
              const row = base + (id * H + ih) * W;
              for (let c = 0, iw = w0; c < nw; c++, iw += dw) sum += x[row + iw];
            }
          }
          const divisor = divisorOverride ?? cD[od] * cH[oh] * cW[ow];
          out[o++] = sum / divisor;
        }
      }
    }
  }
}

/**
 * avgPool3's adjoint: every output position, in row-major order, adds `float32(dy / divisor)` to each
 * input tap of its window (the same taps and divisor as the forward), accumulating in float32 as
 * PyTorch's CPU backward does.
 */
export function avgPoolBackward3(
  dy: Float32Array,
  planes: number,
  g: Geometry3,
  countIncludePad: boolean,
  divisorOverride: number | null,
  out: Float32Array,
): void {
  const H = g.inS[1], W = g.inS[2];
  const OD = g.outS[0], OH = g.outS[1], OW = g.outS[2];
  const dd = g.d[0], dh = g.d[1], dw = g.d[2];
  const [tD, tH, tW] = windowTaps(g);
  const [cD, cH, cW] = [tD, tH, tW].map((t) => (countIncludePad ? t.nPadded : t.n));
  const inPlane = g.inS[0] * H * W;
  const outPlane = OD * OH * OW;
  out.fill(0);
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    let o = p * outPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = tD.first[od], nd = tD.n[od];
      for (let oh = 0; oh < OH; oh++) {
        const h0 = tH.first[oh], nh = tH.n[oh];
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = tW.first[ow], nw = tW.n[ow];
          if (nd === 0 || nh === 0 || nw === 0) continue;
          const delta = Math.fround(dy[o] / (divisorOverride ?? cD[od] * cH[oh] * cW[ow]));
          for (let a = 0, id = d0; a < nd; a++, id += dd) {
            for (let b = 0, ih = h0; b < nh; b++, ih += dh) {
              const row = base + (id * H + ih) * W;
              for (let c = 0, iw = w0; c < nw; c++, iw += dw) out[row + iw] += delta;
            }
          }
        }
      }
    }
  }
}
