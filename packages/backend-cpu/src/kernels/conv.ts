/**
 * Convolution as GEMM: per (batch, group), C[Cout/g, P] = W[Cout/g, K] * cols[K, P] with K = (Cin/g) *
 * prod(kernel) and P = prod(output spatial). The im2col matrix is never built whole: each block of
 * (K slice x column block) is gathered straight into the packed panel layout the GEMM reads, in a
 * reused scratch buffer. Pointwise convolutions (1x1, stride 1, no padding) pack the input directly;
 * depthwise ones (one input channel per group) go to the direct kernel in depthwise.ts.
 */
import { depthwise3 } from "./depthwise.js";
import { cBlockSize, gemmBlock64, kSliceSize, nBlockSize, packA, packRows, packedASize } from "./gemm.js";
import type { Geometry3 } from "./lift.js";
import { endInside, firstInside } from "./tap-range.js";
import { C_BLOCK, PACKED_A, PACKED_B, f64Scratch } from "./workspace.js";

/**
 * Gathers rows [k0, k0 + kc) and columns [jc, jc + nc) of the im2col matrix of one group's input
 * (channel planes starting at xOff) into 4-column panels: dst[(q >> 2) * 4kc + 4kk + (q & 3)].
 * Row k is (channel, kd, kh, kw); column p is (od, oh, ow). Taps in the padding read 0.
 */
function im2colPack(x: Float32Array, xOff: number, g: Geometry3, k0: number, kc: number, jc: number, nc: number, dst: Float64Array): void {
  const D = g.inS[0],
    H = g.inS[1],
    W = g.inS[2];
  const OH = g.outS[1],
    OW = g.outS[2];
  const KD = g.k[0],
    KH = g.k[1],
    KW = g.k[2];
  const sd = g.s[0],
    sh = g.s[1],
    sw = g.s[2];
  const inPlane = D * H * W;
  const KHW = KH * KW;
  const KS = KD * KHW;
  const panel = (4 * kc) | 0;
  const ohw = OH * OW;
  const od0 = Math.floor(jc / ohw);
  const oh0 = Math.floor((jc - od0 * ohw) / OW);
  const ow0 = jc - od0 * ohw - oh0 * OW;
  const ncPadded = (nc + 3) & ~3;
  let c = Math.floor(k0 / KS);
  let r = k0 - c * KS;
  let kd = Math.floor(r / KHW);
  r -= kd * KHW;
  let kh = Math.floor(r / KW);
  let kw = r - kh * KW;
  for (let kk = 0; kk < kc; kk++) {
    const chan = (xOff + c * inPlane) | 0;
    const offD = kd * g.d[0] - g.pb[0];
    const offH = kh * g.d[1] - g.pb[1];
    const offW = kw * g.d[2] - g.pb[2];
    const lo = firstInside(offW, sw);
    const hi = endInside(offW, sw, W, OW);
    const lane = (4 * kk) | 0;
    let od = od0,
      oh = oh0,
      ow = ow0;
    let q = 0;
    while (q < nc) {
      const len = Math.min(OW - ow, nc - q);
      const id = od * sd + offD;
      const ih = oh * sh + offH;
      const end = (ow + len) | 0;
      if (id < 0 || id >= D || ih < 0 || ih >= H) {
        for (let o = ow; o < end; o++, q++) dst[((q >> 2) * panel + lane + (q & 3)) | 0] = 0;
      } else {
        const row = (chan + (id * H + ih) * W + offW) | 0;
        const a = lo > ow ? Math.min(lo, end) : ow;
        const b = hi < end ? Math.max(hi, a) : end;
        let o = ow;
        for (; o < a; o++, q++) dst[((q >> 2) * panel + lane + (q & 3)) | 0] = 0;
        for (; o < b; o++, q++) dst[((q >> 2) * panel + lane + (q & 3)) | 0] = x[(row + o * sw) | 0];
        for (; o < end; o++, q++) dst[((q >> 2) * panel + lane + (q & 3)) | 0] = 0;
      }
      ow = end;
      if (ow === OW) {
        ow = 0;
        if (++oh === OH) {
          oh = 0;
          od++;
        }
      }
    }
    for (; q < ncPadded; q++) dst[((q >> 2) * panel + lane + (q & 3)) | 0] = 0;
    if (++kw === KW) {
      kw = 0;
      if (++kh === KH) {
        kh = 0;
        if (++kd === KD) {
          kd = 0;
          c++;
        }
      }
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
  const ncMax = nBlockSize(kcMax);
  const bp = f64Scratch(PACKED_B, kcMax * ((ncMax + 3) & ~3));
  const cb = f64Scratch(C_BLOCK, cBlockSize(Mg, ncMax));
  const pointwise = isPointwise(g);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      const outOff = (n * M + gi * Mg) * P;
      for (let jc = 0; jc < P; jc += ncMax) {
        const nc = Math.min(P - jc, ncMax);
        const ldc = (nc + 3) & ~3;
        for (let k0 = 0; k0 < K; k0 += kcMax) {
          const kc = Math.min(K - k0, kcMax);
          if (pointwise) packRows(x, xOff + k0 * inPlane, inPlane, kc, jc, nc, bp);
          else im2colPack(x, xOff, g, k0, kc, jc, nc, bp);
          gemmBlock64(ap, gi * aSize, K, k0, Mg, bp, kc, nc, cb, ldc, k0 === 0 ? 0 : 1);
        }
        storeBlock(cb, ldc, Mg, nc, bias, gi * Mg, out, outOff + jc, P);
      }
    }
  }
}

/** out[outOff + m * P + q] = C[m * ldc + q] + bias[m0 + m]: the one float32 rounding of each output. */
function storeBlock(cb: Float64Array, ldc: number, M: number, nc: number, bias: Float32Array | null, m0: number, out: Float32Array, outOff: number, P: number): void {
  for (let m = 0; m < M; m++) {
    const bv = bias === null ? 0 : bias[m0 + m];
    const src = m * ldc;
    const dst = outOff + m * P;
    for (let q = 0; q < nc; q++) out[dst + q] = cb[src + q] + bv;
  }
}
