/**
 * The convolution's weight gradient: per group, dW[Mg, K] = sum over the batch of dy[Mg, P] * cols[K, P]^T,
 * where cols is the forward's im2col matrix (K = (Cin/g) * prod(kernel) rows, P = prod(output spatial)
 * columns). The reduction runs over output positions, so dy slices are packed as the GEMM's A panels
 * and the im2col matrix is gathered transposed, straight into B panels, from the same zero-padded
 * float64 copy of the input the forward uses. Everything accumulates in one float64 block per (group,
 * column block) over the whole batch, so each weight gradient is rounded to float32 once. Depthwise
 * convolutions (one input channel per group) take a direct path: K would be just prod(kernel).
 */
import { copyPadded, im2colTables, paddedSizes } from "./conv.js";
import { cBlockSize, gemmBlock64, kSliceSize, nBlockSize, packA, packedASize } from "./gemm.js";
import type { Geometry3 } from "./lift.js";
import { columnReach } from "./tap-range.js";
import { ACCUM, COL_TABLE, C_BLOCK, PACKED_A, PACKED_B, PADDED_INPUT, ROW_TABLE, f64Scratch, i32Scratch } from "./workspace.js";

/**
 * Gathers output positions [p0, p0 + pc) (the reduction) and im2col rows [jc, jc + nc) (the columns) of
 * the transposed im2col matrix into 4-column panels: dst[(q >> 2) * 4pc + 4pp + (q & 3)] =
 * xp[rows[jc + q] + cols[p0 + pp]], zeros past nc.
 */
function im2colPackT(xp: Float64Array, rows: Int32Array, cols: Int32Array, p0: number, pc: number, jc: number, nc: number, dst: Float64Array): void {
  const pEnd = (p0 + pc) | 0;
  const full = nc & ~3;
  let d = 0;
  for (let q0 = 0; q0 < full; q0 = (q0 + 4) | 0) {
    const k = (jc + q0) | 0;
    const r0 = rows[k];
    const r1 = rows[(k + 1) | 0];
    const r2 = rows[(k + 2) | 0];
    const r3 = rows[(k + 3) | 0];
    for (let p = p0; p < pEnd; p++) {
      const o = cols[p];
      dst[d] = xp[(r0 + o) | 0];
      dst[(d + 1) | 0] = xp[(r1 + o) | 0];
      dst[(d + 2) | 0] = xp[(r2 + o) | 0];
      dst[(d + 3) | 0] = xp[(r3 + o) | 0];
      d = (d + 4) | 0;
    }
  }
  const lanes = nc - full;
  if (lanes > 0) {
    const k = (jc + full) | 0;
    for (let p = p0; p < pEnd; p++) {
      const o = cols[p];
      for (let l = 0; l < 4; l++) dst[(d + l) | 0] = l < lanes ? xp[(rows[(k + l) | 0] + o) | 0] : 0;
      d = (d + 4) | 0;
    }
  }
}

/**
 * Weight gradient of the convolution of x [N, C, D, H, W] into dy [N, M, OD, OH, OW] (zero padding, any
 * stride and dilation, `groups` groups): out [M, C / groups, KD, KH, KW] with
 * out[m, c, t] = sum_n sum_o dy[n, m, o] * x[n, group(m) * C/groups + c, o * stride - padBegin + t * dilation].
 */
export function convWeightGrad3(x: Float32Array, dy: Float32Array, N: number, C: number, M: number, groups: number, g: Geometry3, out: Float32Array): void {
  const Cg = C / groups;
  const Mg = M / groups;
  const P = g.outS[0] * g.outS[1] * g.outS[2];
  if (N === 0 || P === 0) {
    out.fill(0);
    return;
  }
  if (Cg === 1) {
    depthwiseWeightGrad3(x, dy, N, C, Mg, g, out);
    return;
  }
  const K = Cg * g.k[0] * g.k[1] * g.k[2];
  const inPlane = g.inS[0] * g.inS[1] * g.inS[2];
  const pcMax = kSliceSize(P);
  const ncMax = nBlockSize(pcMax, Mg);
  const ap = f64Scratch(PACKED_A, packedASize(Mg, pcMax));
  const bp = f64Scratch(PACKED_B, pcMax * ((ncMax + 3) & ~3));
  const cb = f64Scratch(C_BLOCK, cBlockSize(Mg, ncMax));
  const padded = paddedSizes(g);
  const paddedSize = Cg * padded[0] * padded[1] * padded[2];
  const xp = f64Scratch(PADDED_INPUT, paddedSize);
  const rowT = i32Scratch(ROW_TABLE, K);
  const colT = i32Scratch(COL_TABLE, P);
  xp.fill(0, 0, paddedSize);
  im2colTables(g, Cg, rowT, colT);
  for (let gi = 0; gi < groups; gi++) {
    // Column blocks outermost: one float64 block holds a block's sums over the whole batch. The
    // padded copy is refreshed per block, a small cost next to the block's GEMM (Mg * P * nc).
    for (let jc = 0; jc < K; jc += ncMax) {
      const nc = Math.min(K - jc, ncMax);
      const ldc = (nc + 3) & ~3;
      let add = 0;
      for (let n = 0; n < N; n++) {
        copyPadded(x, (n * C + gi * Cg) * inPlane, Cg, g, xp);
        const dyOff = (n * M + gi * Mg) * P;
        for (let p0 = 0; p0 < P; p0 += pcMax) {
          const pc = Math.min(P - p0, pcMax);
          packA(dy, dyOff + p0, P, 1, Mg, pc, ap, 0);
          im2colPackT(xp, rowT, colT, p0, pc, jc, nc, bp);
          gemmBlock64(ap, 0, pc, 0, Mg, bp, pc, nc, cb, ldc, add);
          add = 1;
        }
      }
      for (let m = 0; m < Mg; m++) {
        const dst = (gi * Mg + m) * K + jc;
        const src = m * ldc;
        for (let q = 0; q < nc; q++) out[dst + q] = cb[src + q];
      }
    }
  }
}

/** sum over o in [lo, hi) of dy[dyRow + o] * x[xRow + o * sw], in float64. */
function dotRow(dy: Float32Array, dyRow: number, x: Float32Array, xRow: number, sw: number, lo: number, hi: number): number {
  let s = 0;
  if (sw === 1) {
    for (let o = lo; o < hi; o++) s += dy[(dyRow + o) | 0] * x[(xRow + o) | 0];
  } else {
    for (let o = lo; o < hi; o++) s += dy[(dyRow + o) | 0] * x[(xRow + o * sw) | 0];
  }
  return s;
}

/**
 * Depthwise weight gradient: x [N, C, D, H, W], dy [N, C * mult, OD, OH, OW] into out [C * mult, 1, KD,
 * KH, KW]; output channel `c * mult + j` reads input channel `c`. Each output row adds its dot product
 * with the tap's input row to every tap's float64 sum, so dy is read once per kernel row.
 */
function depthwiseWeightGrad3(x: Float32Array, dy: Float32Array, N: number, C: number, mult: number, g: Geometry3, out: Float32Array): void {
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
  const acc = f64Scratch(ACCUM, KS);
  for (let oc = 0; oc < M; oc++) {
    acc.fill(0, 0, KS);
    const c = Math.floor(oc / mult);
    for (let n = 0; n < N; n++) {
      const xPlane = (n * C + c) * inPlane;
      let dyRow = (n * M + oc) * outPlane;
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd + kd * g.d[0] - g.pb[0];
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh + kh * g.d[1] - g.pb[1];
              if (ih < 0 || ih >= H) continue;
              const xRow = xPlane + (id * H + ih) * W;
              const t = (kd * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) acc[t + kw] += dotRow(dy, dyRow, x, xRow + offW[kw], sw, lo[kw], hi[kw]);
            }
          }
          dyRow += OW;
        }
      }
    }
    for (let t = 0; t < KS; t++) out[oc * KS + t] = acc[t];
  }
}
