/**
 * The GEMM micro-kernel and A packing. A 4x8 tile of C (4 rows, two f32x4 columns) over a K slice, with
 * A packed as 4-row panels ([k][4], so one pointer and immediate offsets address all four rows) and B
 * as 8-column panels ([k][8]). Why 4x8: 8 accumulators + 2 B vectors + 1 broadcast fit V8's XMM
 * registers (6x8 spills, measured 45% slower), and packed A keeps the loop to 3 live integer registers
 * (unpacked A with 4 row pointers ran at 32 instead of 50 GFLOP/s per core, from register spills).
 */

export const MODE_ZERO = 0; // C = A * B
export const MODE_BIAS = 1; // C = bias[row] + A * B
export const MODE_ADD = 2; // C += A * B

/**
 * C[r][j] (op)= sum_k A[k][r] * B[k][j] for r < rows (<= 4), j < 8. A panel: a + 16k + 4r; B panel:
 * b + 32k + 4j; C[r][j] at c + r * ldc + 4j. Panel rows past `rows` are zeros and are not stored.
 */
export function tile4x8(a: usize, b: usize, kc: i32, c: usize, ldc: usize, rows: i32, mode: i32, bias: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  if (mode == MODE_BIAS) {
    c00 = v128.load32_splat(bias);
    c01 = c00;
    if (rows > 1) {
      c10 = v128.load32_splat(bias, 4);
      c11 = c10;
    }
    if (rows > 2) {
      c20 = v128.load32_splat(bias, 8);
      c21 = c20;
    }
    if (rows > 3) {
      c30 = v128.load32_splat(bias, 12);
      c31 = c30;
    }
  } else if (mode == MODE_ADD) {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    if (rows > 1) {
      c10 = v128.load(c + ldc);
      c11 = v128.load(c + ldc, 16);
    }
    if (rows > 2) {
      c20 = v128.load(c + 2 * ldc);
      c21 = v128.load(c + 2 * ldc, 16);
    }
    if (rows > 3) {
      c30 = v128.load(c + 3 * ldc);
      c31 = v128.load(c + 3 * ldc, 16);
    }
  }
  let ap = a;
  let bp = b;
  const end = b + (<usize>kc << 5);
  while (bp < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    ap += 16;
    bp += 32;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  if (rows > 1) {
    v128.store(c + ldc, c10);
    v128.store(c + ldc, c11, 16);
  }
  if (rows > 2) {
    v128.store(c + 2 * ldc, c20);
    v128.store(c + 2 * ldc, c21, 16);
  }
  if (rows > 3) {
    v128.store(c + 3 * ldc, c30);
    v128.store(c + 3 * ldc, c31, 16);
  }
}

/**
 * The same tile for the last, partial column panel (cols < 8): C goes through a 4x8 scratch tile so
 * the kernel never touches memory past a row's end.
 */
export function tile4xN(a: usize, b: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32, mode: i32, bias: usize, tile: usize): void {
  if (mode == MODE_ADD) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) store<f32>(tile + (<usize>(r * 8 + j) << 2), load<f32>(c + <usize>r * ldc + (<usize>j << 2)));
    }
  }
  tile4x8(a, b, kc, tile, 32, rows, mode, bias);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) store<f32>(c + <usize>r * ldc + (<usize>j << 2), load<f32>(tile + (<usize>(r * 8 + j) << 2)));
  }
}

/**
 * Packs A[m][k] = src[m * rowStride + k * 4] (bytes; m < rows, k < kc) into 4-row panels at dst:
 * panel g holds rows 4g..4g+3 as [k][4]; rows past `rows` are zeros. Row-major A (conv weights,
 * rowStride = K * 4) moves through 4x4 in-register transposes.
 */
export function packRowsA(src: usize, rowStride: usize, rows: i32, kc: i32, dst: usize): void {
  let d = dst;
  for (let m = 0; m < rows; m += 4) {
    const r0 = src + <usize>m * rowStride;
    if (m + 4 <= rows) {
      const r1 = r0 + rowStride;
      const r2 = r1 + rowStride;
      const r3 = r2 + rowStride;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2;
        const v0 = v128.load(r0 + o);
        const v1 = v128.load(r1 + o);
        const v2 = v128.load(r2 + o);
        const v3 = v128.load(r3 + o);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
        d += 64;
      }
      for (; k < kc; k++) {
        const o = <usize>k << 2;
        store<f32>(d, load<f32>(r0 + o));
        store<f32>(d, load<f32>(r1 + o), 4);
        store<f32>(d, load<f32>(r2 + o), 8);
        store<f32>(d, load<f32>(r3 + o), 12);
        d += 16;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < 4; r++) {
          store<f32>(d + (<usize>r << 2), m + r < rows ? load<f32>(r0 + <usize>r * rowStride + (<usize>k << 2)) : 0);
        }
        d += 16;
      }
    }
  }
}

/**
 * Packs A[m][k] = src[m * 4 + k * kStride] (bytes; rows contiguous, as a transposed convolution reads
 * its weight) into 4-row panels at dst, rows past `rows` zero.
 */
export function packColsA(src: usize, kStride: usize, rows: i32, kc: i32, dst: usize): void {
  let d = dst;
  for (let m = 0; m < rows; m += 4) {
    let s = src + (<usize>m << 2);
    if (m + 4 <= rows) {
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        d += 16;
        s += kStride;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < 4; r++) store<f32>(d + (<usize>r << 2), m + r < rows ? load<f32>(s + (<usize>r << 2)) : 0);
        d += 16;
        s += kStride;
      }
    }
  }
}
