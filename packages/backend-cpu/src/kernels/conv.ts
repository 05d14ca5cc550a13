/**
 * Convolution as GEMM: per (batch, group), C[Cout/g, P] = W[Cout/g, K] * cols[K, P] with K = (Cin/g) *
 * prod(kernel) and P = prod(output spatial). The im2col matrix is never built whole: each (K slice x
 * column block) is gathered straight into the packed panel layout the GEMM reads, in a reused scratch
 * buffer, from a zero-padded float64 copy of the group's input (so the gather needs no bounds tests and
 * converts each input value once, not once per tap). Pointwise convolutions (1x1, stride 1, no padding)
 * pack the input directly; depthwise ones (one input channel per group) go to depthwise.ts.
 */
import { depthwise3 } from "./depthwise.js";
import { cBlockSize, gemmBlock64, kSliceSize, nBlockSize, packA, packRows, packedASize } from "./gemm.js";
import type { Geometry3 } from "./lift.js";
import { COL_TABLE, C_BLOCK, PACKED_A, PACKED_B, PADDED_INPUT, ROW_TABLE, f64Scratch, i32Scratch } from "./workspace.js";

/** Spatial sizes of the zero-padded input copy: [Dp, Hp, Wp] = in + padBegin + padEnd. */
export function paddedSizes(g: Geometry3): [number, number, number] {
  return [g.inS[0] + g.pb[0] + g.pe[0], g.inS[1] + g.pb[1] + g.pe[1], g.inS[2] + g.pb[2] + g.pe[2]];
}

/**
 * Offsets into the padded copy: element (k, p) of the im2col matrix is xp[rows[k] + cols[p]].
 * Row k is (channel, kd, kh, kw): rows[k] = channel * plane + (kd * dd * Hp + kh * dh) * Wp + kw * dw.
 * Column p is (od, oh, ow): cols[p] = (od * sd * Hp + oh * sh) * Wp + ow * sw.
 */
export function im2colTables(g: Geometry3, Cg: number, rows: Int32Array, cols: Int32Array): void {
  const [Dp, Hp, Wp] = paddedSizes(g);
  const plane = Dp * Hp * Wp;
  let k = 0;
  for (let c = 0; c < Cg; c++) {
    for (let kd = 0; kd < g.k[0]; kd++) {
      for (let kh = 0; kh < g.k[1]; kh++) {
        for (let kw = 0; kw < g.k[2]; kw++) rows[k++] = c * plane + (kd * g.d[0] * Hp + kh * g.d[1]) * Wp + kw * g.d[2];
      }
    }
  }
  let p = 0;
  for (let od = 0; od < g.outS[0]; od++) {
    for (let oh = 0; oh < g.outS[1]; oh++) {
      for (let ow = 0; ow < g.outS[2]; ow++) cols[p++] = (od * g.s[0] * Hp + oh * g.s[1]) * Wp + ow * g.s[2];
    }
  }
}

/** Copies `planes` input planes from x[xOff] into the interior of the zero-bordered padded copy. */
export function copyPadded(x: Float32Array, xOff: number, planes: number, g: Geometry3, xp: Float64Array): void {
  const D = g.inS[0];
  const H = g.inS[1];
  const W = g.inS[2];
  const [Dp, Hp, Wp] = paddedSizes(g);
  let s = xOff;
  for (let c = 0; c < planes; c++) {
    for (let d = 0; d < D; d++) {
      for (let h = 0; h < H; h++) {
        let t = (((c * Dp + d + g.pb[0]) * Hp + h + g.pb[1]) * Wp + g.pb[2]) | 0;
        for (let w = 0; w < W; w++) xp[t++] = x[s++];
      }
    }
  }
}

/**
 * Gathers rows [k0, k0 + kc) and columns [jc, jc + nc) of the im2col matrix into 4-column panels:
 * dst[(q >> 2) * 4kc + 4kk + (q & 3)], zeros past nc.
 */
function im2colPack(xp: Float64Array, rows: Int32Array, cols: Int32Array, k0: number, kc: number, jc: number, nc: number, dst: Float64Array): void {
  const kEnd = (k0 + kc) | 0;
  const full = nc & ~3;
  let d = 0;
  for (let q0 = 0; q0 < full; q0 = (q0 + 4) | 0) {
    const p0 = (jc + q0) | 0;
    const o0 = cols[p0];
    const o1 = cols[(p0 + 1) | 0];
    const o2 = cols[(p0 + 2) | 0];
    const o3 = cols[(p0 + 3) | 0];
    for (let k = k0; k < kEnd; k++) {
      const ko = rows[k];
      dst[d] = xp[(ko + o0) | 0];
      dst[(d + 1) | 0] = xp[(ko + o1) | 0];
      dst[(d + 2) | 0] = xp[(ko + o2) | 0];
      dst[(d + 3) | 0] = xp[(ko + o3) | 0];
      d = (d + 4) | 0;
    }
  }
  const lanes = nc - full;
  if (lanes > 0) {
    const p0 = (jc + full) | 0;
    for (let k = k0; k < kEnd; k++) {
      const ko = rows[k];
      for (let l = 0; l < 4; l++) dst[(d + l) | 0] = l < lanes ? xp[(ko + cols[(p0 + l) | 0]) | 0] : 0;
      d = (d + 4) | 0;
    }
  }
}

/** True when the convolution reads the input as a plain [Cin, P] matrix (1x1 kernel, stride 1, no padding). */
function isPointwise(g: Geometry3): boolean {
  for (let i = 0; i < 3; i++) {
    if (g.k[i] !== 1 || g.s[i] !== 1 || g.pb[i] !== 0 || g.outS[i] !== g.inS[i]) return false;
  }
  return true;
}

/**
 * Convolution of x [N, C, D, H, W] with w [M, C / groups, KD, KH, KW] (+ bias [M]) into
 * out [N, M, OD, OH, OW], zero padding, any stride and dilation.
 */
export function conv3(
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
  const inPlane = g.inS[0] * g.inS[1] * g.inS[2];
  const P = g.outS[0] * g.outS[1] * g.outS[2];
  if (N === 0 || P === 0) return;
  if (Cg === 1) {
    depthwise3(x, w, bias, N, C, Mg, g, out);
    return;
  }
  const K = Cg * g.k[0] * g.k[1] * g.k[2];
  const aSize = packedASize(Mg, K);
  const ap = f64Scratch(PACKED_A, aSize * groups);
  for (let gi = 0; gi < groups; gi++) packA(w, gi * Mg * K, K, 1, Mg, K, ap, gi * aSize);
  const kcMax = kSliceSize(K);
  const ncMax = nBlockSize(kcMax, Mg);
  const bp = f64Scratch(PACKED_B, kcMax * ((ncMax + 3) & ~3));
  const cb = f64Scratch(C_BLOCK, cBlockSize(Mg, ncMax));
  const pointwise = isPointwise(g);
  const padded = paddedSizes(g);
  const paddedSize = pointwise ? 0 : Cg * padded[0] * padded[1] * padded[2];
  const xp = f64Scratch(PADDED_INPUT, paddedSize);
  const rowT = i32Scratch(ROW_TABLE, pointwise ? 0 : K);
  const colT = i32Scratch(COL_TABLE, pointwise ? 0 : P);
  if (!pointwise) {
    xp.fill(0, 0, paddedSize);
    im2colTables(g, Cg, rowT, colT);
  }
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      const outOff = (n * M + gi * Mg) * P;
      if (!pointwise) copyPadded(x, xOff, Cg, g, xp);
      for (let jc = 0; jc < P; jc += ncMax) {
        const nc = Math.min(P - jc, ncMax);
        const ldc = (nc + 3) & ~3;
        for (let k0 = 0; k0 < K; k0 += kcMax) {
          const kc = Math.min(K - k0, kcMax);
          if (pointwise) packRows(x, xOff + k0 * inPlane, inPlane, kc, jc, nc, bp);
          else im2colPack(xp, rowT, colT, k0, kc, jc, nc, bp);
          gemmBlock64(ap, gi * aSize, K, k0, Mg, bp, kc, nc, cb, ldc, k0 === 0 ? 0 : 1);
        }
        storeBlock(cb, ldc, Mg, nc, bias, gi * Mg, out, outOff + jc, P);
      }
    }
  }
}

/** out[outOff + m * P + q] = C[m * ldc + q] + bias[m0 + m]: the one float32 rounding of each output. */
function storeBlock(
  cb: Float64Array,
  ldc: number,
  M: number,
  nc: number,
  bias: Float32Array | null,
  m0: number,
  out: Float32Array,
  outOff: number,
  P: number,
): void {
  for (let m = 0; m < M; m++) {
    const bv = bias === null ? 0 : bias[m0 + m];
    const src = m * ldc;
    const dst = outOff + m * P;
    for (let q = 0; q < nc; q++) out[dst + q] = cb[src + q] + bv;
  }
}
