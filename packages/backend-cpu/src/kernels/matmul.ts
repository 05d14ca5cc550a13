/**
 * Batched float32 matrix product on the shared blocked GEMM (gemm.ts): A is packed once per distinct
 * batch matrix, B block by block (kc x nc panels), with either operand read transposed through strides.
 */
import { gemmBlock, kSliceSize, nBlockSize, packA, packRows, packedASize } from "./gemm.js";
import { C_BLOCK, PACKED_A, PACKED_B, f64Scratch } from "./workspace.js";
import { stridesOf } from "./strided.js";

/**
 * Packs the block B[k, j] = src[off + k * ldk + (jc + q) * ldj] (k < kc, q < nc) into gemm's 4-column
 * panel layout (see packRows): used for a transposed B, whose columns are rows of memory.
 */
function packStrided(src: Float32Array, off: number, ldk: number, ldj: number, kc: number, jc: number, nc: number, dst: Float64Array): void {
  let d = 0;
  for (let q = 0; q < nc; q = (q + 4) | 0) {
    const cols = Math.min(nc - q, 4);
    const col0 = (off + (jc + q) * ldj) | 0;
    for (let k = 0; k < kc; k++) {
      const s = (col0 + k * ldk) | 0;
      for (let l = 0; l < 4; l++) dst[(d + l) | 0] = l < cols ? src[(s + l * ldj) | 0] : 0;
      d = (d + 4) | 0;
    }
  }
}

/**
 * C[1, N] = A[1, K] * B[K, N] (a linear layer on one sample) without packing B, which for one row of A
 * costs as much as the product. The same arithmetic as gemm: per K slice a float64 sum in k order,
 * rounded to float32 into C after each slice.
 */
function gemv(a: Float32Array, aOff: number, aCol: number, b: Float32Array, bOff: number, bK: number, bN: number, K: number, N: number, c: Float32Array, cOff: number): void {
  const kc0 = kSliceSize(K);
  const acc = f64Scratch(C_BLOCK, N);
  for (let k0 = 0; k0 < K; k0 += kc0) {
    const k1 = Math.min(K, k0 + kc0);
    if (bK === 1) {
      // B's columns are contiguous (a transposed weight): one dot product per column.
      for (let n = 0; n < N; n++) {
        let s = 0;
        let bi = (bOff + n * bN + k0) | 0;
        for (let k = k0; k < k1; k++) {
          s += a[(aOff + k * aCol) | 0] * b[bi];
          bi = (bi + 1) | 0;
        }
        acc[n] = s;
      }
    } else {
      acc.fill(0, 0, N);
      for (let k = k0; k < k1; k++) {
        const av = a[(aOff + k * aCol) | 0];
        const row = (bOff + k * bK) | 0;
        for (let n = 0; n < N; n++) acc[n] += av * b[(row + n * bN) | 0];
      }
    }
    if (k0 === 0) for (let n = 0; n < N; n++) c[cOff + n] = acc[n];
    else for (let n = 0; n < N; n++) c[cOff + n] += acc[n];
  }
}

/** C[M, N] = A[M, K] * B[K, N] for one matrix pair, each operand given as (offset, row stride, column stride). */
function gemm(a: Float32Array, aOff: number, aRow: number, aCol: number, packedAReady: boolean, b: Float32Array, bOff: number, bK: number, bN: number, M: number, K: number, N: number, c: Float32Array, cOff: number): void {
  if (K === 0) {
    c.fill(0, cOff, cOff + M * N);
    return;
  }
  if (M === 1) {
    gemv(a, aOff, aCol, b, bOff, bK, bN, K, N, c, cOff);
    return;
  }
  const pa = f64Scratch(PACKED_A, packedASize(M, K));
  if (!packedAReady) packA(a, aOff, aRow, aCol, M, K, pa, 0);
  const kc0 = kSliceSize(K);
  const nc0 = nBlockSize(kc0);
  const pb = f64Scratch(PACKED_B, ((Math.min(nc0, N) + 3) & ~3) * kc0);
  for (let k0 = 0; k0 < K; k0 += kc0) {
    const kc = Math.min(kc0, K - k0);
    for (let jc = 0; jc < N; jc += nc0) {
      const nc = Math.min(nc0, N - jc);
      if (bN === 1) packRows(b, bOff + k0 * bK, bK, kc, jc, nc, pb);
      else packStrided(b, bOff + k0 * bK, bK, bN, kc, jc, nc, pb);
      gemmBlock(pa, 0, K, k0, M, pb, kc, nc, c, cOff + jc, N, k0 > 0 ? 1 : 0);
    }
  }
}

/**
 * `a`: [...batch, M, K] ([..., K, M] when transposeA), `b`: [...batch, K, N] ([..., N, K] when
 * transposeB), batch dims equal to outShape's or 1; `out`: outShape [...batch, M, N].
 */
export function matmul(a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], transposeA: boolean, transposeB: boolean, outShape: readonly number[], out: Float32Array): void {
  const rank = outShape.length;
  const M = outShape[rank - 2];
  const N = outShape[rank - 1];
  const K = transposeA ? aShape[rank - 2] : aShape[rank - 1];
  if (out.length === 0) return;
  // A[m, k] = a[off + m * aRow + k * aCol] and B[k, n] = b[off + k * bK + n * bN] within one matrix.
  const aRow = transposeA ? 1 : K;
  const aCol = transposeA ? M : 1;
  const bK = transposeB ? 1 : N;
  const bN = transposeB ? K : 1;
  const batch = outShape.slice(0, rank - 2);
  const aStrides = stridesOf(aShape).slice(0, rank - 2).map((s, i) => (aShape[i] === 1 ? 0 : s));
  const bStrides = stridesOf(bShape).slice(0, rank - 2).map((s, i) => (bShape[i] === 1 ? 0 : s));
  const count = out.length / (M * N);
  const counter = new Int32Array(batch.length);
  let aOff = 0;
  let bOff = 0;
  let packedOff = -1;
  for (let i = 0; i < count; i++) {
    const ready = aOff === packedOff;
    // A broadcast over the batch is packed once.
    gemm(a, aOff, aRow, aCol, ready, b, bOff, bK, bN, M, K, N, out, i * M * N);
    packedOff = K === 0 ? -1 : aOff;
    for (let d = batch.length - 1; d >= 0; d--) {
      aOff += aStrides[d];
      bOff += bStrides[d];
      if (++counter[d] < batch[d]) break;
      counter[d] = 0;
      aOff -= aStrides[d] * batch[d];
      bOff -= bStrides[d] * batch[d];
    }
  }
}
