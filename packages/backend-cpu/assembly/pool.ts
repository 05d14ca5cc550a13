/**
 * Max and average pooling, one task per (plane, block of output rows). Each output row first reduces
 * its in-input kernel rows (kd, kh) into a row buffer that carries the left and right padding as the
 * reduction's identity (-Infinity for max, 0 for sums), then reduces kernel columns along the buffer
 * with vector loads (strides 1 and 2) and no bounds tests. f32x4.max returns NaN when either operand
 * is NaN, which is PyTorch's propagation rule; padding (-Infinity) never wins over an input value.
 * 2-d max pooling 2 or 3 wide at stride 2 over at most 3 rows runs max-pool-s2.ts instead.
 */
import {
  D, DD, DH, DW, EXTRA, H, KD, KH, KW, OD, OH, OUT, OW, PD, PH, PW, SCRATCH, SCRATCH_STRIDE, SD, SH, SW, W, X,
  loadGeometry, param, paramPtr,
} from "./params";
import { maxPoolS2Rows } from "./max-pool-s2";

const ROWS_PER_TASK = EXTRA;
const ROW_TASKS = EXTRA + 1;
const IS_AVG = EXTRA + 2;
const DIV_D = EXTRA + 3; // avg: per-output-index divisor factors (f32), one array per dim
const DIV_H = EXTRA + 4;
const DIV_W = EXTRA + 5;
const HAS_OVERRIDE = EXTRA + 6;
const OVERRIDE = EXTRA + 7; // f32 bits
const ROW_LENGTH = EXTRA + 8; // padded row buffer length (floats)
const MAX_S2 = EXTRA + 9; // 1: 2-d max pooling 2 or 3 wide at stride 2, at most 3 rows (max-pool-s2.ts)

/**
 * a (op) b. For max, `exact` uses f32x4.max (NaN-propagating, several instructions on x64); otherwise
 * f32x4.pmax (a single maxps), which the caller may use only where no operand is NaN.
 */
@inline function combine(a: v128, b: v128, avg: bool, exact: bool = true): v128 {
  return avg ? f32x4.add(a, b) : exact ? f32x4.max(a, b) : f32x4.pmax(a, b);
}

@inline function combine1(a: f32, b: f32, avg: bool): f32 {
  // Scalar max with wasm's NaN propagation (Math.max-like), matching f32x4.max.
  return avg ? a + b : a != a || b != b ? NaN : max(a, b);
}

/**
 * buf[i] (op)= op(s0[i], s1[i], s2[i]) over i < n for the `count` (1..3) sources given, or buf[i] =
 * op(sources) when `first`: three kernel rows per pass over the row buffer. Inlined with constant
 * flags so each combination is a branch-free loop. Returns the sum of every source vector read, which
 * is NaN when any source element is NaN (or when +Infinity meets -Infinity): the fast max path
 * (`exact` false) checks it and redoes the row exactly.
 */
@inline function vpass(buf: usize, s0: usize, s1: usize, s2: usize, count: i32, n: i32, first: bool, avg: bool, exact: bool): v128 {
  let i = 0;
  let check = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = v128.load(s0 + o);
    let v = a;
    if (!exact) check = f32x4.add(check, a);
    if (count > 1) {
      const b = v128.load(s1 + o);
      if (!exact) check = f32x4.add(check, b);
      v = combine(v, b, avg, exact);
    }
    if (count > 2) {
      const c = v128.load(s2 + o);
      if (!exact) check = f32x4.add(check, c);
      v = combine(v, c, avg, exact);
    }
    if (!first) v = combine(v128.load(buf + o), v, avg, exact);
    v128.store(buf + o, v);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(s0 + o);
    if (count > 1) v = combine1(v, load<f32>(s1 + o), avg);
    if (count > 2) v = combine1(v, load<f32>(s2 + o), avg);
    if (!first) v = combine1(load<f32>(buf + o), v, avg);
    store<f32>(buf + o, v);
    // The scalar tail is exact already; only a NaN it wrote needs reporting.
    if (!exact) check = f32x4.add(check, f32x4.splat(v - v));
  }
  return check;
}

@inline function vpassAll(buf: usize, s0: usize, s1: usize, s2: usize, count: i32, n: i32, first: bool, avg: bool, exact: bool): v128 {
  if (count == 3) {
    if (first) return vpass(buf, s0, s1, s2, 3, n, true, avg, exact);
    return vpass(buf, s0, s1, s2, 3, n, false, avg, exact);
  }
  if (count == 2) {
    if (first) return vpass(buf, s0, s1, s2, 2, n, true, avg, exact);
    return vpass(buf, s0, s1, s2, 2, n, false, avg, exact);
  }
  if (first) return vpass(buf, s0, s1, s2, 1, n, true, avg, exact);
  return vpass(buf, s0, s1, s2, 1, n, false, avg, exact);
}

/** One vertical pass (see vpass); mode 0 = average, 1 = fast max, 2 = exact max. */
function rowsInto(buf: usize, s0: usize, s1: usize, s2: usize, count: i32, n: i32, first: bool, mode: i32): v128 {
  if (mode == 0) return vpassAll(buf, s0, s1, s2, count, n, first, true, true);
  if (mode == 1) return vpassAll(buf, s0, s1, s2, count, n, first, false, false);
  return vpassAll(buf, s0, s1, s2, count, n, first, false, true);
}

/**
 * Reduces the in-input kernel rows of output row (od, oh) into the row buffer at `mid`; returns how
 * many rows there were (0: the buffer is untouched) and leaves the NaN check in `rowCheck`.
 */
let rowCheck: v128 = f32x4.splat(0);
function verticalRows(mid: usize, xPlane: usize, od: i32, oh: i32, mode: i32): i32 {
  let rowsIn = 0;
  let pending = 0;
  let s0: usize = 0;
  let s1: usize = 0;
  let check = f32x4.splat(0);
  for (let kd = 0; kd < KD; kd++) {
    const id = od * SD + kd * DD - PD;
    if (id < 0 || id >= D) continue;
    for (let kh = 0; kh < KH; kh++) {
      const ih = oh * SH + kh * DH - PH;
      if (ih < 0 || ih >= H) continue;
      const src = xPlane + (<usize>((id * H + ih) * W) << 2);
      if (pending == 0) s0 = src;
      else if (pending == 1) s1 = src;
      else {
        check = f32x4.add(check, rowsInto(mid, s0, s1, src, 3, W, rowsIn == 0, mode));
        rowsIn += 3;
        pending = -1;
      }
      pending++;
    }
  }
  if (pending > 0) {
    check = f32x4.add(check, rowsInto(mid, s0, s1, s1, pending, W, rowsIn == 0, mode));
    rowsIn += pending;
  }
  rowCheck = check;
  return rowsIn;
}

/** Four row elements at o * s, (o + 1) * s, ... for strides 1 and 2 (stride 2 reads one past). */
@inline function load4(row: usize, o: i32, s: i32): v128 {
  if (s == 1) return v128.load(row + (<usize>o << 2));
  const at = row + (<usize>o << 3);
  return v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6);
}

/**
 * Vector part of the horizontal reduction of one output row: out[ow] = op over kw of buf[ow * s + kw * dw]
 * (divided by its divisor for averages), 4 outputs at a time; returns the first output left to do.
 */
@inline function hpass(buf: usize, outRow: usize, OWn: i32, s: i32, dwBytes: usize, divW: usize, rowDiv4: v128, hasOverride: bool, avg: bool, exact: bool): i32 {
  let ow = 0;
  for (; ow + 4 <= OWn; ow += 4) {
    let col = buf;
    let acc = load4(col, ow, s);
    for (let kw = 1; kw < KW; kw++) {
      col += dwBytes;
      acc = combine(acc, load4(col, ow, s), avg, exact);
    }
    if (avg) {
      const div = hasOverride ? rowDiv4 : f32x4.mul(rowDiv4, v128.load(divW + (<usize>ow << 2)));
      acc = f32x4.div(acc, div);
    }
    v128.store(outRow + (<usize>ow << 2), acc);
  }
  return ow;
}

export function poolTask(p: usize, task: i32, tid: i32): void {
  loadGeometry(p);
  const x = paramPtr(p, X);
  const out = paramPtr(p, OUT);
  const rowsPerTask = param(p, ROWS_PER_TASK);
  const rowTasks = param(p, ROW_TASKS);
  const avg = param(p, IS_AVG) != 0;
  const divD = paramPtr(p, DIV_D);
  const divH = paramPtr(p, DIV_H);
  const divW = paramPtr(p, DIV_W);
  const hasOverride = param(p, HAS_OVERRIDE) != 0;
  const divisorOverride = load<f32>(p + (<usize>OVERRIDE << 2));
  const rowLength = param(p, ROW_LENGTH);
  const rt = task % rowTasks;
  const plane = task / rowTasks;
  const inPlane = D * H * W;
  const xPlane = x + (<usize>(plane * inPlane) << 2);
  const buf = paramPtr(p, SCRATCH) + <usize>tid * paramPtr(p, SCRATCH_STRIDE);
  if (param(p, MAX_S2) != 0) {
    const r = rt * rowsPerTask;
    maxPoolS2Rows(xPlane, out + (<usize>(plane * OH * OW) << 2), r, min(r + rowsPerTask, OH));
    return;
  }
  const identity: f32 = avg ? 0 : -Infinity;
  const id4 = f32x4.splat(identity);
  // The padding cells of the row buffer never change; only [PW, PW + W) is rewritten per output row.
  {
    let i = 0;
    for (; i + 4 <= rowLength; i += 4) v128.store(buf + (<usize>i << 2), id4);
    for (; i < rowLength; i++) store<f32>(buf + (<usize>i << 2), identity);
  }
  const mid = buf + (<usize>PW << 2);
  const r0 = rt * rowsPerTask;
  const r1 = min(r0 + rowsPerTask, OD * OH);
  const dwBytes = <usize>DW << 2;
  for (let r = r0; r < r1; r++) {
    const od = r / OH;
    const oh = r - od * OH;
    const outRow = out + (<usize>((plane * OD * OH + r) * OW) << 2);
    let exactRow = avg;
    let rowsIn = verticalRows(mid, xPlane, od, oh, avg ? 0 : 1);
    if (!avg && v128.any_true(f32x4.ne(rowCheck, rowCheck))) {
      // A NaN (or +Infinity meeting -Infinity) among this row's inputs: redo it with the exact max.
      rowsIn = verticalRows(mid, xPlane, od, oh, 2);
      exactRow = true;
    }
    if (rowsIn == 0) {
      // No kernel row inside the input: max gives -Infinity (nothing beats the padding), average 0.
      let i = 0;
      for (; i + 4 <= OW; i += 4) v128.store(outRow + (<usize>i << 2), id4);
      for (; i < OW; i++) store<f32>(outRow + (<usize>i << 2), identity);
      continue;
    }
    const rowDiv: f32 = avg ? (hasOverride ? divisorOverride : load<f32>(divD + (<usize>od << 2)) * load<f32>(divH + (<usize>oh << 2))) : 1;
    const rowDiv4 = f32x4.splat(rowDiv);
    let ow = 0;
    if (avg) {
      if (SW == 1) ow = hpass(buf, outRow, OW, 1, dwBytes, divW, rowDiv4, hasOverride, true, true);
      else if (SW == 2) ow = hpass(buf, outRow, OW, 2, dwBytes, divW, rowDiv4, hasOverride, true, true);
    } else if (exactRow) {
      if (SW == 1) ow = hpass(buf, outRow, OW, 1, dwBytes, divW, rowDiv4, false, false, true);
      else if (SW == 2) ow = hpass(buf, outRow, OW, 2, dwBytes, divW, rowDiv4, false, false, true);
    } else {
      if (SW == 1) ow = hpass(buf, outRow, OW, 1, dwBytes, divW, rowDiv4, false, false, false);
      else if (SW == 2) ow = hpass(buf, outRow, OW, 2, dwBytes, divW, rowDiv4, false, false, false);
    }
    for (; ow < OW; ow++) {
      let col = buf + (<usize>(ow * SW) << 2);
      let acc = load<f32>(col);
      for (let kw = 1; kw < KW; kw++) {
        col += dwBytes;
        acc = combine1(acc, load<f32>(col), avg);
      }
      if (avg) acc /= hasOverride ? rowDiv : rowDiv * load<f32>(divW + (<usize>ow << 2));
      store<f32>(outRow + (<usize>ow << 2), acc);
    }
  }
}

