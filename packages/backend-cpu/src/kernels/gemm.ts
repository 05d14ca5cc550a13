/**
 * Cache-blocked single-precision GEMM core for the convolution kernels: C[M, N] (+)= A[M, K] * B[K, N]
 * with float64 accumulation. Operands are packed into Float64 panels first (A: 3 rows interleaved per k,
 * B: 4 columns interleaved per k) so the micro-kernel reads both contiguously; Float64 panels avoid a
 * float32->float64 conversion per load.
 *
 * The micro-tile is 3x4 with the source ordered "load one B value, multiply it into the 3 row
 * accumulators": 12 accumulators + 3 A values + 1 B value fit the 16 XMM registers, and TurboFan keeps
 * that order. Measured here (AMD EPYC, Node 20) against the 2x4 tile with all loads first: 3.46 vs 2.80
 * GMAC/s; 4x4 (21 live values) spills and drops to 2.9, unrolling k by 2 drops to 2.7. The last panel of
 * an M that is not a multiple of 3 has 1 or 2 rows and its own small tile (no padded rows computed).
 *
 * Everything is a module-level function taking explicit arguments: closures over buffers lose V8's
 * specialisation as soon as a second instance exists, and `| 0` keeps index math in int32.
 */
import { C_BLOCK, f64Scratch } from "./workspace.js";

/** Rows per A panel and columns per B panel (the micro-tile). */
export const MR = 3;
export const NR = 4;

/** Largest K slice kept in one packed block; larger K is split into near-equal slices. */
const KC_MAX = 256;
/** Target size (elements) of one packed B block: about 256 KB of float64, half of a core's L2. */
const B_BLOCK_ELEMENTS = 32768;

/** Splits K into slices of at most KC_MAX that are as equal as possible (no tiny remainder slice). */
export function kSliceSize(K: number): number {
  const slices = Math.ceil(K / KC_MAX);
  return Math.ceil(K / slices);
}

/**
 * Columns per block for a K slice of `kc` and M rows: a multiple of NR (at least NR) that keeps both the
 * packed B block (kc x n) and the float64 C block (M x n) within B_BLOCK_ELEMENTS, so the C block written
 * by the tiles is still cached when it is stored out.
 */
export function nBlockSize(kc: number, M = 1): number {
  const n = Math.floor(B_BLOCK_ELEMENTS / Math.max(kc, M) / NR) * NR;
  return Math.max(n, NR);
}

/** Elements a packed A of M rows and K columns needs (no padding: the last panel has M mod 3 rows). */
export function packedASize(M: number, K: number): number {
  return M * K;
}

/**
 * Packs A[m, k] = src[off + m * rowStride + k * colStride] (m < M, k < K) into panels of r = min(3, M - m0)
 * rows starting at rows m0 = 0, 3, 6, ...: dst[dstOff + m0 * K + r * k + (m - m0)].
 */
export function packA(src: Float32Array, off: number, rowStride: number, colStride: number, M: number, K: number, dst: Float64Array, dstOff: number): void {
  for (let m0 = 0; m0 < M; m0 = (m0 + MR) | 0) {
    const r = Math.min(MR, M - m0);
    const base = (dstOff + m0 * K) | 0;
    for (let i = 0; i < r; i++) {
      const row = (off + (m0 + i) * rowStride) | 0;
      for (let k = 0; k < K; k++) dst[(base + r * k + i) | 0] = src[(row + k * colStride) | 0];
    }
  }
}

/**
 * Packs the block B[k, j] = src[off + k * ld + j] for k < kc, jc <= j < jc + nc into 4-column panels:
 * dst[(q >> 2) * 4kc + 4k + (q & 3)] with q = j - jc; columns past nc in the last panel are zeros.
 */
export function packRows(src: Float32Array, off: number, ld: number, kc: number, jc: number, nc: number, dst: Float64Array): void {
  const full = nc & ~3;
  let d = 0;
  for (let q = 0; q < full; q = (q + 4) | 0) {
    let s = (off + jc + q) | 0;
    for (let k = 0; k < kc; k++) {
      dst[d] = src[s];
      dst[(d + 1) | 0] = src[(s + 1) | 0];
      dst[(d + 2) | 0] = src[(s + 2) | 0];
      dst[(d + 3) | 0] = src[(s + 3) | 0];
      d = (d + 4) | 0;
      s = (s + ld) | 0;
    }
  }
  const rest = nc - full;
  if (rest > 0) {
    let s = (off + jc + full) | 0;
    for (let k = 0; k < kc; k++) {
      for (let l = 0; l < 4; l++) dst[(d + l) | 0] = l < rest ? src[(s + l) | 0] : 0;
      d = (d + 4) | 0;
      s = (s + ld) | 0;
    }
  }
}

/**
 * C[ci + r * ldc + j] (+)= sum_k A-panel[ai + 3k + r] * B-panel[bi + 4k + j] for r < 3, j < 4: one
 * 3x4 tile over a K slice of `kc`. `add` is 1 to accumulate into C, 0 to overwrite. C is a float64
 * block padded to whole column panels, so partial sums across K slices stay float64.
 */
function tile3x4(a: Float64Array, ai: number, b: Float64Array, bi: number, kc: number, c: Float64Array, ci: number, ldc: number, add: number): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  const end = (ai + 3 * kc) | 0;
  while (ai < end) {
    const a0 = a[ai];
    const a1 = a[(ai + 1) | 0];
    const a2 = a[(ai + 2) | 0];
    let bv = b[bi];
    c00 += a0 * bv;
    c10 += a1 * bv;
    c20 += a2 * bv;
    bv = b[(bi + 1) | 0];
    c01 += a0 * bv;
    c11 += a1 * bv;
    c21 += a2 * bv;
    bv = b[(bi + 2) | 0];
    c02 += a0 * bv;
    c12 += a1 * bv;
    c22 += a2 * bv;
    bv = b[(bi + 3) | 0];
    c03 += a0 * bv;
    c13 += a1 * bv;
    c23 += a2 * bv;
    ai = (ai + 3) | 0;
    bi = (bi + 4) | 0;
  }
  const c1 = (ci + ldc) | 0;
  const c2 = (c1 + ldc) | 0;
  if (add !== 0) {
    c[ci] += c00;
    c[(ci + 1) | 0] += c01;
    c[(ci + 2) | 0] += c02;
    c[(ci + 3) | 0] += c03;
    c[c1] += c10;
    c[(c1 + 1) | 0] += c11;
    c[(c1 + 2) | 0] += c12;
    c[(c1 + 3) | 0] += c13;
    c[c2] += c20;
    c[(c2 + 1) | 0] += c21;
    c[(c2 + 2) | 0] += c22;
    c[(c2 + 3) | 0] += c23;
  } else {
    c[ci] = c00;
    c[(ci + 1) | 0] = c01;
    c[(ci + 2) | 0] = c02;
    c[(ci + 3) | 0] = c03;
    c[c1] = c10;
    c[(c1 + 1) | 0] = c11;
    c[(c1 + 2) | 0] = c12;
    c[(c1 + 3) | 0] = c13;
    c[c2] = c20;
    c[(c2 + 1) | 0] = c21;
    c[(c2 + 2) | 0] = c22;
    c[(c2 + 3) | 0] = c23;
  }
}

/** The 2-row tile of a last A panel (M mod 3 = 2): A-panel[ai + 2k + r]. */
function tile2x4(a: Float64Array, ai: number, b: Float64Array, bi: number, kc: number, c: Float64Array, ci: number, ldc: number, add: number): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  const end = (ai + 2 * kc) | 0;
  while (ai < end) {
    const a0 = a[ai];
    const a1 = a[(ai + 1) | 0];
    const b0 = b[bi];
    const b1 = b[(bi + 1) | 0];
    const b2 = b[(bi + 2) | 0];
    const b3 = b[(bi + 3) | 0];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    ai = (ai + 2) | 0;
    bi = (bi + 4) | 0;
  }
  const c1 = (ci + ldc) | 0;
  if (add !== 0) {
    c[ci] += c00;
    c[(ci + 1) | 0] += c01;
    c[(ci + 2) | 0] += c02;
    c[(ci + 3) | 0] += c03;
    c[c1] += c10;
    c[(c1 + 1) | 0] += c11;
    c[(c1 + 2) | 0] += c12;
    c[(c1 + 3) | 0] += c13;
  } else {
    c[ci] = c00;
    c[(ci + 1) | 0] = c01;
    c[(ci + 2) | 0] = c02;
    c[(ci + 3) | 0] = c03;
    c[c1] = c10;
    c[(c1 + 1) | 0] = c11;
    c[(c1 + 2) | 0] = c12;
    c[(c1 + 3) | 0] = c13;
  }
}

/** The 1-row tile of a last A panel (M mod 3 = 1): A-panel[ai + k]. */
function tile1x4(a: Float64Array, ai: number, b: Float64Array, bi: number, kc: number, c: Float64Array, ci: number, add: number): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  const end = (ai + kc) | 0;
  while (ai < end) {
    const a0 = a[ai];
    c00 += a0 * b[bi];
    c01 += a0 * b[(bi + 1) | 0];
    c02 += a0 * b[(bi + 2) | 0];
    c03 += a0 * b[(bi + 3) | 0];
    ai = (ai + 1) | 0;
    bi = (bi + 4) | 0;
  }
  if (add !== 0) {
    c[ci] += c00;
    c[(ci + 1) | 0] += c01;
    c[(ci + 2) | 0] += c02;
    c[(ci + 3) | 0] += c03;
  } else {
    c[ci] = c00;
    c[(ci + 1) | 0] = c01;
    c[(ci + 2) | 0] = c02;
    c[(ci + 3) | 0] = c03;
  }
}

/**
 * Multiplies M rows of a packed A (see packA; starting at `aOff`, K slice starting at `k0`) by one packed
 * B block (kc x nc) into the float64 block C (M rows, row stride ldc >= nc rounded up to 4). Each B panel
 * (4 columns, 32*kc bytes) stays in L1 while every A panel of the slice streams past it.
 */
export function gemmBlock64(
  a: Float64Array,
  aOff: number,
  K: number,
  k0: number,
  M: number,
  b: Float64Array,
  kc: number,
  nc: number,
  c: Float64Array,
  ldc: number,
  add: number,
): void {
  const full = M - (M % MR);
  const rest = M - full;
  const panelB = (4 * kc) | 0;
  const rowStep = (MR * ldc) | 0;
  const aLast = (aOff + full * K + rest * k0) | 0;
  const cLast = (full * ldc) | 0;
  for (let j = 0, bi = 0; j < nc; j = (j + 4) | 0, bi = (bi + panelB) | 0) {
    let ai = (aOff + MR * k0) | 0;
    let ci = j;
    for (let m = 0; m < full; m = (m + MR) | 0) {
      tile3x4(a, ai, b, bi, kc, c, ci, ldc, add);
      ai = (ai + MR * K) | 0;
      ci = (ci + rowStep) | 0;
    }
    if (rest === 2) tile2x4(a, aLast, b, bi, kc, c, (cLast + j) | 0, ldc, add);
    else if (rest === 1) tile1x4(a, aLast, b, bi, kc, c, (cLast + j) | 0, add);
  }
}

/** Elements of the float64 C block `gemmBlock64` writes for M rows and nc columns (whole column panels). */
export function cBlockSize(M: number, nc: number): number {
  return M * ((nc + 3) & ~3);
}

/**
 * The same product written to a float32 C: C[cOff + m * ldc + j] (+)= (A * B)[m, j] for m < M, j < nc,
 * through the C_BLOCK scratch. Partial sums are rounded to float32 between K slices; callers that
 * split K keep a float64 block with gemmBlock64 instead (as the convolutions do).
 */
export function gemmBlock(
  a: Float64Array,
  aOff: number,
  K: number,
  k0: number,
  M: number,
  b: Float64Array,
  kc: number,
  nc: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  add: number,
): void {
  const ldb = (nc + 3) & ~3;
  const cb = f64Scratch(C_BLOCK, cBlockSize(M, nc));
  gemmBlock64(a, aOff, K, k0, M, b, kc, nc, cb, ldb, 0);
  for (let m = 0; m < M; m++) {
    const src = m * ldb;
    const dst = cOff + m * ldc;
    if (add !== 0) for (let j = 0; j < nc; j++) c[dst + j] += cb[src + j];
    else for (let j = 0; j < nc; j++) c[dst + j] = cb[src + j];
  }
}
