/**
 * Direct depthwise convolution (one input channel per group, `M / C` output channels per input
 * channel). One task per (batch, output channel, block of output rows). Input rows are first copied
 * into zero-padded row buffers (each row once per task where consecutive output rows share it), so
 * every output column, edges included, runs the same vector code with no bounds tests; kernel rows
 * that fall in the top or bottom padding read a row of zeros. Each output starts from its bias and
 * adds the taps in (kd, kh, kw) order.
 */
import {
  BIAS, C, D, DD, DH, DW, EXTRA, H, KD, KH, KW, M, OD, OH, OUT, OW, PD, PH, PW, SCRATCH, SCRATCH_STRIDE, SD, SH, SW, W, WEIGHT, X,
  loadGeometry, param, paramPtr,
} from "./params";

const ROWS_PER_TASK = EXTRA;
const ROW_TASKS = EXTRA + 1;
const ROW_LENGTH = EXTRA + 2; // padded row buffer length (floats, multiple of 4)
const ROW_SLOTS = EXTRA + 3; // row buffers per thread (the zero row is one more)

/** Four inputs at row[o * s], row[(o + 1) * s], ... for strides 1 and 2 (stride 2 reads one past). */
@inline function load4(row: usize, o: i32, s: i32): v128 {
  if (s == 1) return v128.load(row + (<usize>o << 2));
  const at = row + (<usize>o << 3);
  return v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6);
}

/**
 * The vector part of one output row for 3x3 kernels at stride 1, dilation 1: 4 outputs per step, the
 * nine weights in registers and the bias broadcast from memory (more live vectors than this makes V8
 * spill). r0..r2 are padded rows. Returns the first output left to do.
 */
function row3x3s1(outRow: usize, r0: usize, r1: usize, r2: usize, w: usize, biasAt: usize, n: i32): i32 {
  const w00 = v128.load32_splat(w);
  const w01 = v128.load32_splat(w, 4);
  const w02 = v128.load32_splat(w, 8);
  const w10 = v128.load32_splat(w, 12);
  const w11 = v128.load32_splat(w, 16);
  const w12 = v128.load32_splat(w, 20);
  const w20 = v128.load32_splat(w, 24);
  const w21 = v128.load32_splat(w, 28);
  const w22 = v128.load32_splat(w, 32);
  let ow = 0;
  for (; ow + 4 <= n; ow += 4) {
    const o = <usize>ow << 2;
    let a0 = f32x4.add(v128.load32_splat(biasAt), f32x4.mul(w00, v128.load(r0 + o)));
    a0 = f32x4.add(a0, f32x4.mul(w01, v128.load(r0 + o, 4)));
    a0 = f32x4.add(a0, f32x4.mul(w02, v128.load(r0 + o, 8)));
    a0 = f32x4.add(a0, f32x4.mul(w10, v128.load(r1 + o)));
    a0 = f32x4.add(a0, f32x4.mul(w11, v128.load(r1 + o, 4)));
    a0 = f32x4.add(a0, f32x4.mul(w12, v128.load(r1 + o, 8)));
    a0 = f32x4.add(a0, f32x4.mul(w20, v128.load(r2 + o)));
    a0 = f32x4.add(a0, f32x4.mul(w21, v128.load(r2 + o, 4)));
    a0 = f32x4.add(a0, f32x4.mul(w22, v128.load(r2 + o, 8)));
    v128.store(outRow + o, a0);
  }
  return ow;
}

/**
 * Two consecutive output rows of a 3x3 kernel at stride 1, dilation 1, from the four padded input rows
 * r0..r3 they span: each loaded input vector feeds both rows (12 loads per 8 outputs instead of 18).
 * Each output still adds its taps in (kh, kw) order after its bias. Returns the first column left to do.
 */
function rows3x3s1x2(out0: usize, out1: usize, r0: usize, r1: usize, r2: usize, r3: usize, w: usize, biasAt: usize, n: i32): i32 {
  const w00 = v128.load32_splat(w);
  const w01 = v128.load32_splat(w, 4);
  const w02 = v128.load32_splat(w, 8);
  const w10 = v128.load32_splat(w, 12);
  const w11 = v128.load32_splat(w, 16);
  const w12 = v128.load32_splat(w, 20);
  const w20 = v128.load32_splat(w, 24);
  const w21 = v128.load32_splat(w, 28);
  const w22 = v128.load32_splat(w, 32);
  let ow = 0;
  for (; ow + 4 <= n; ow += 4) {
    const o = <usize>ow << 2;
    let v = v128.load(r0 + o);
    let a0 = f32x4.add(v128.load32_splat(biasAt), f32x4.mul(w00, v));
    v = v128.load(r0 + o, 4);
    a0 = f32x4.add(a0, f32x4.mul(w01, v));
    v = v128.load(r0 + o, 8);
    a0 = f32x4.add(a0, f32x4.mul(w02, v));
    v = v128.load(r1 + o);
    a0 = f32x4.add(a0, f32x4.mul(w10, v));
    let a1 = f32x4.add(v128.load32_splat(biasAt), f32x4.mul(w00, v));
    v = v128.load(r1 + o, 4);
    a0 = f32x4.add(a0, f32x4.mul(w11, v));
    a1 = f32x4.add(a1, f32x4.mul(w01, v));
    v = v128.load(r1 + o, 8);
    a0 = f32x4.add(a0, f32x4.mul(w12, v));
    a1 = f32x4.add(a1, f32x4.mul(w02, v));
    v = v128.load(r2 + o);
    a0 = f32x4.add(a0, f32x4.mul(w20, v));
    a1 = f32x4.add(a1, f32x4.mul(w10, v));
    v = v128.load(r2 + o, 4);
    a0 = f32x4.add(a0, f32x4.mul(w21, v));
    a1 = f32x4.add(a1, f32x4.mul(w11, v));
    v = v128.load(r2 + o, 8);
    a0 = f32x4.add(a0, f32x4.mul(w22, v));
    a1 = f32x4.add(a1, f32x4.mul(w12, v));
    v128.store(out0 + o, a0);
    v = v128.load(r3 + o);
    a1 = f32x4.add(a1, f32x4.mul(w20, v));
    v = v128.load(r3 + o, 4);
    a1 = f32x4.add(a1, f32x4.mul(w21, v));
    v = v128.load(r3 + o, 8);
    a1 = f32x4.add(a1, f32x4.mul(w22, v));
    v128.store(out1 + o, a1);
  }
  return ow;
}

export function depthwiseTask(p: usize, task: i32, tid: i32): void {
  loadGeometry(p);
  const x = paramPtr(p, X);
  const w = paramPtr(p, WEIGHT);
  const bias = paramPtr(p, BIAS);
  const out = paramPtr(p, OUT);
  const Cin = param(p, C);
  const Cout = param(p, M);
  const rowsPerTask = param(p, ROWS_PER_TASK);
  const rowTasks = param(p, ROW_TASKS);
  const rowLength = param(p, ROW_LENGTH);
  const slots = param(p, ROW_SLOTS);
  const mult = Cout / Cin;
  const rt = task % rowTasks;
  const plane = task / rowTasks;
  const n = plane / Cout;
  const oc = plane - n * Cout;
  const inPlane = D * H * W;
  const KS = KD * KH * KW;
  const xPlane = x + (<usize>((n * Cin + oc / mult) * inPlane) << 2);
  const wk = w + (<usize>(oc * KS) << 2);
  const bv: f32 = bias != 0 ? load<f32>(bias + (<usize>oc << 2)) : 0;
  const bias4 = f32x4.splat(bv);
  const r0 = rt * rowsPerTask;
  const r1 = min(r0 + rowsPerTask, OD * OH);
  // Scratch: `slots` padded row buffers, then a zero row, then the input row each buffer holds.
  const rowBytes = <usize>rowLength << 2;
  const bufs = paramPtr(p, SCRATCH) + <usize>tid * paramPtr(p, SCRATCH_STRIDE);
  const zeroRow = bufs + <usize>slots * rowBytes;
  const held = zeroRow + rowBytes;
  const z = f32x4.splat(0);
  for (let i = 0; i < (slots + 1) * rowLength; i += 4) v128.store(bufs + (<usize>i << 2), z);
  for (let s = 0; s < slots; s++) store<i32>(held + (<usize>s << 2), -1);
  // With one kernel depth, rows are cached by input row (consecutive output rows share them).
  const cacheRows = KD == 1;
  const fast3 = KD == 1 && KH == 3 && KW == 3 && SW == 1 && DW == 1;
  // Output rows in pairs share their middle input rows (the cache holds the four rows a pair spans).
  const pairs = fast3 && SH == 1 && DH == 1;
  const biasAt = bias != 0 ? bias + (<usize>oc << 2) : zeroRow;
  // Row pointers of the current output row's kernel rows (padded buffers or the zero row), then the next row's.
  const taps = held + (<usize>slots << 2);
  const taps1 = taps + (<usize>(KD * KH) << 2);
  let r = r0;
  while (r < r1) {
    const t = fillTaps(r, xPlane, bufs, rowBytes, slots, zeroRow, held, taps, cacheRows);
    const outRow = out + (<usize>((plane * OD * OH + r) * OW) << 2);
    if (pairs && r + 1 < r1) {
      fillTaps(r + 1, xPlane, bufs, rowBytes, slots, zeroRow, held, taps1, cacheRows);
      const outRow1 = outRow + (<usize>OW << 2);
      const ow = rows3x3s1x2(outRow, outRow1, <usize>load<u32>(taps), <usize>load<u32>(taps, 4), <usize>load<u32>(taps, 8), <usize>load<u32>(taps1, 8), wk, biasAt, OW);
      scalarTail(outRow, taps, t, ow, wk, bv);
      scalarTail(outRow1, taps1, t, ow, wk, bv);
      r += 2;
      continue;
    }
    let ow = 0;
    if (fast3) {
      ow = row3x3s1(outRow, <usize>load<u32>(taps), <usize>load<u32>(taps, 4), <usize>load<u32>(taps, 8), wk, biasAt, OW);
    } else if (SW <= 2) {
      const dwBytes = <usize>DW << 2;
      for (; ow + 4 <= OW; ow += 4) {
        let acc = bias4;
        for (let tt = 0; tt < t; tt++) {
          let col = <usize>load<u32>(taps + (<usize>tt << 2));
          let wr = wk + (<usize>(tt * KW) << 2);
          for (let kw = 0; kw < KW; kw++) {
            acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(wr), load4(col, ow, SW)));
            wr += 4;
            col += dwBytes;
          }
        }
        v128.store(outRow + (<usize>ow << 2), acc);
      }
    }
    scalarTail(outRow, taps, t, ow, wk, bv);
    r++;
  }
}

/**
 * Points taps[0..KD * KH) at the padded buffers of output row r's kernel rows (the zero row for rows
 * in the padding), copying an input row into its buffer when the buffer holds another. Returns the
 * number of taps.
 */
function fillTaps(r: i32, xPlane: usize, bufs: usize, rowBytes: usize, slots: i32, zeroRow: usize, held: usize, taps: usize, cacheRows: bool): i32 {
  const od = r / OH;
  const oh = r - od * OH;
  let t = 0;
  for (let kd = 0; kd < KD; kd++) {
    const id = od * SD + kd * DD - PD;
    for (let kh = 0; kh < KH; kh++) {
      const ih = oh * SH + kh * DH - PH;
      let row = zeroRow;
      if (id >= 0 && id < D && ih >= 0 && ih < H) {
        const key = id * H + ih;
        const s = cacheRows ? key % slots : t;
        row = bufs + <usize>s * rowBytes;
        if (load<i32>(held + (<usize>s << 2)) != key) {
          const src = xPlane + (<usize>(key * W) << 2);
          const dst = row + (<usize>PW << 2);
          let i = 0;
          for (; i + 4 <= W; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
          for (; i < W; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
          store<i32>(held + (<usize>s << 2), key);
        }
      }
      store<u32>(taps + (<usize>t << 2), <u32>row);
      t++;
    }
  }
  return t;
}

/** Outputs [ow, OW) of one row, one at a time, taps in (kd, kh, kw) order after the bias. */
function scalarTail(outRow: usize, taps: usize, t: i32, from: i32, wk: usize, bv: f32): void {
  const dwBytes = <usize>DW << 2;
  for (let ow = from; ow < OW; ow++) {
    let acc = bv;
    for (let tt = 0; tt < t; tt++) {
      let col = <usize>load<u32>(taps + (<usize>tt << 2)) + (<usize>(ow * SW) << 2);
      let wr = wk + (<usize>(tt * KW) << 2);
      for (let kw = 0; kw < KW; kw++) {
        acc += load<f32>(wr) * load<f32>(col);
        wr += 4;
        col += dwBytes;
      }
    }
    store<f32>(outRow + (<usize>ow << 2), acc);
  }
}
