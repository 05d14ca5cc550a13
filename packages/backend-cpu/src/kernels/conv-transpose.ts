/**
 * Transposed convolution as GEMM + col2im, never by inflating the input with zeros: per (batch, group)
 * cols[(oc, t), i] = sum_ci W[ci, oc, t] * x[ci, i] (the GEMM, with K = Cin/g), then every column entry
 * is added to output position `i * stride - padBegin + t * dilation` (col2im; positions outside the
 * output are dropped). Columns are produced one block of input positions at a time into a reused
 * float64 scratch, so memory stays bounded for large layers, and summed into a float64 copy of the
 * group's output planes, so each output is rounded to float32 once.
 */
import { cBlockSize, gemmBlock64, kSliceSize, packA, packRows, packedASize } from "./gemm.js";
import type { Geometry3 } from "./lift.js";
import { endInside, firstInside } from "./tap-range.js";
import { ACCUM, C_BLOCK, PACKED_A, PACKED_B, f64Scratch } from "./workspace.js";

/** Input positions per column block: bounds the float64 column scratch to about 1 MB. */
const COL_BLOCK_ELEMENTS = 131072;

/**
 * Scatters cols[m * ldc + q] (m = (oc, t) over rows, q over input positions [jc, jc + nc)) of one group
 * into the float64 output planes `acc` (one group's, `Mg * outPlane`). `g.inS` is the transposed conv's input, `g.outS` its output.
 */
function col2im(cols: Float64Array, ldc: number, rows: number, jc: number, nc: number, g: Geometry3, acc: Float64Array): void {
  const IH = g.inS[1],
    IW = g.inS[2];
  const OD = g.outS[0],
    OH = g.outS[1],
    OW = g.outS[2];
  const KH = g.k[1],
    KW = g.k[2];
  const sd = g.s[0],
    sh = g.s[1],
    sw = g.s[2];
  const outPlane = OD * OH * OW;
  const ihw = IH * IW;
  const id0 = Math.floor(jc / ihw);
  const ih0 = Math.floor((jc - id0 * ihw) / IW);
  const iw0 = jc - id0 * ihw - ih0 * IW;
  let oc = 0,
    kd = 0,
    kh = 0,
    kw = 0;
  for (let m = 0; m < rows; m++) {
    const plane = (oc * outPlane) | 0;
    const offD = kd * g.d[0] - g.pb[0];
    const offH = kh * g.d[1] - g.pb[1];
    const offW = kw * g.d[2] - g.pb[2];
    const lo = firstInside(offW, sw);
    const hi = endInside(offW, sw, OW, IW);
    let src = (m * ldc) | 0;
    let id = id0,
      ih = ih0,
      iw = iw0;
    let q = 0;
    while (q < nc) {
      const len = Math.min(IW - iw, nc - q);
      const end = (iw + len) | 0;
      const od = id * sd + offD;
      const oh = ih * sh + offH;
      if (od >= 0 && od < OD && oh >= 0 && oh < OH) {
        const row = (plane + (od * OH + oh) * OW + offW) | 0;
        const a = Math.max(lo, iw);
        const b = Math.min(hi, end);
        for (let i = a; i < b; i++) acc[(row + i * sw) | 0] += cols[(src + i - iw) | 0];
      }
      src = (src + len) | 0;
      q += len;
      iw = end;
      if (iw === IW) {
        iw = 0;
        if (++ih === IH) {
          ih = 0;
          id++;
        }
      }
    }
    if (++kw === KW) {
      kw = 0;
      if (++kh === KH) {
        kh = 0;
        if (++kd === g.k[0]) {
          kd = 0;
          oc++;
        }
      }
    }
  }
}

/**
 * x [N, C, ID, IH, IW], w [C, M / groups, KD, KH, KW] (+ bias [M]) into out [N, M, OD, OH, OW] with the
 * geometry's stride, dilation and begin padding (output shape already resolved by core).
 */
export function convTranspose3(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  N: number,
  C: number,
  M: number,
  groups: number,
  g: Geometry3,
  out: Float32Array,
): void {
  const Cg = C / groups;
  const Mg = M / groups;
  const KS = g.k[0] * g.k[1] * g.k[2];
  const rows = Mg * KS;
  const inPlane = g.inS[0] * g.inS[1] * g.inS[2];
  const outPlane = g.outS[0] * g.outS[1] * g.outS[2];
  if (N === 0 || outPlane === 0) return;
  const aSize = packedASize(rows, Cg);
  const ap = f64Scratch(PACKED_A, aSize * groups);
  // A[m, ci] = W[g * Cg + ci, m]: the weight read transposed.
  for (let gi = 0; gi < groups; gi++) packA(w, gi * Cg * rows, 1, rows, rows, Cg, ap, gi * aSize);
  const kcMax = kSliceSize(Cg);
  const ncMax = Math.max(4, Math.min(inPlane, Math.floor(COL_BLOCK_ELEMENTS / rows / 4) * 4));
  const bp = f64Scratch(PACKED_B, kcMax * ((ncMax + 3) & ~3));
  const cols = f64Scratch(C_BLOCK, cBlockSize(rows, ncMax));
  const acc = f64Scratch(ACCUM, Mg * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      const outOff = (n * M + gi * Mg) * outPlane;
      for (let m = 0; m < Mg; m++) acc.fill(bias === null ? 0 : bias[gi * Mg + m], m * outPlane, (m + 1) * outPlane);
      for (let jc = 0; jc < inPlane; jc += ncMax) {
        const nc = Math.min(inPlane - jc, ncMax);
        const ldc = (nc + 3) & ~3;
        for (let k0 = 0; k0 < Cg; k0 += kcMax) {
          const kc = Math.min(Cg - k0, kcMax);
          packRows(x, xOff + k0 * inPlane, inPlane, kc, jc, nc, bp);
          gemmBlock64(ap, gi * aSize, Cg, k0, rows, bp, kc, nc, cols, ldc, k0 === 0 ? 0 : 1);
        }
        col2im(cols, ldc, rows, jc, nc, g, acc);
      }
      for (let i = 0; i < Mg * outPlane; i++) out[outOff + i] = acc[i];
    }
  }
}
