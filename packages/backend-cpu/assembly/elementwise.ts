/**
 * Element-wise float32 ops over an output walked as rows (up to two outer dims) of `n` contiguous
 * elements: binary ops whose operands each step 1 or 0 (broadcast) along the row, and relu / relu6.
 * One task per (block of rows, chunk of a row). Every result is IEEE single precision, as the
 * TypeScript kernels' double arithmetic rounded to float32 is for these ops (products and quotients of
 * floats round the same either way); max / min return NaN when either operand is NaN, like wasm's
 * f32.max / f32.min and PyTorch.
 */
import { EXTRA, OUT, WEIGHT, X, param, paramPtr } from "./params";

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_MAX = 4;
export const OP_MIN = 5;
export const OP_RELU = 16;
export const OP_RELU6 = 17;

const OP = EXTRA;
const ROWS = EXTRA + 1; // R0 * R1 rows
const R1 = EXTRA + 2; // size of the inner row dim
const N_ = EXTRA + 3; // row length
const A0 = EXTRA + 4; // a's element strides along the two row dims and the row
const A1 = EXTRA + 5;
const AI = EXTRA + 6;
const B0 = EXTRA + 7;
const B1 = EXTRA + 8;
const BI = EXTRA + 9;
const ROWS_PER_TASK = EXTRA + 10;
const CHUNK = EXTRA + 11; // row elements per task (a multiple of 4)
const CHUNKS = EXTRA + 12; // tasks per row block

@inline function vop(op: i32, a: v128, b: v128): v128 {
  if (op == OP_ADD) return f32x4.add(a, b);
  if (op == OP_SUB) return f32x4.sub(a, b);
  if (op == OP_MUL) return f32x4.mul(a, b);
  if (op == OP_DIV) return f32x4.div(a, b);
  if (op == OP_MAX) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

@inline function sop(op: i32, a: f32, b: f32): f32 {
  if (op == OP_ADD) return a + b;
  if (op == OP_SUB) return a - b;
  if (op == OP_MUL) return a * b;
  if (op == OP_DIV) return a / b;
  if (op == OP_MAX) return max<f32>(a, b);
  return min<f32>(a, b);
}

/** out[i] = a[i * sa] (op) b[i * sb] for i < n, sa and sb in {0, 1} (constant per inlined copy). */
@inline function row(op: i32, sa: i32, sb: i32, a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  const as = sa == 0 ? v128.load32_splat(a) : f32x4.splat(0);
  const bs = sb == 0 ? v128.load32_splat(b) : f32x4.splat(0);
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a0 = sa == 0 ? as : v128.load(a + o);
    const a1 = sa == 0 ? as : v128.load(a + o, 16);
    const b0 = sb == 0 ? bs : v128.load(b + o);
    const b1 = sb == 0 ? bs : v128.load(b + o, 16);
    v128.store(out + o, vop(op, a0, b0));
    v128.store(out + o, vop(op, a1, b1), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sop(op, load<f32>(a + (sa == 0 ? 0 : o)), load<f32>(b + (sb == 0 ? 0 : o))));
  }
}

@inline function rowStrides(op: i32, sa: i32, sb: i32, a: usize, b: usize, out: usize, n: i32): void {
  if (sa == 1 && sb == 1) row(op, 1, 1, a, b, out, n);
  else if (sa == 1) row(op, 1, 0, a, b, out, n);
  else if (sb == 1) row(op, 0, 1, a, b, out, n);
  else row(op, 0, 0, a, b, out, n);
}

function binaryRow(op: i32, sa: i32, sb: i32, a: usize, b: usize, out: usize, n: i32): void {
  if (op == OP_ADD) rowStrides(OP_ADD, sa, sb, a, b, out, n);
  else if (op == OP_SUB) rowStrides(OP_SUB, sa, sb, a, b, out, n);
  else if (op == OP_MUL) rowStrides(OP_MUL, sa, sb, a, b, out, n);
  else if (op == OP_DIV) rowStrides(OP_DIV, sa, sb, a, b, out, n);
  else if (op == OP_MAX) rowStrides(OP_MAX, sa, sb, a, b, out, n);
  else rowStrides(OP_MIN, sa, sb, a, b, out, n);
}

/** relu keeps NaN and maps -0 to +0 (v > 0 || v is NaN ? v : 0); relu6 clamps to [0, 6], keeping NaN and -0. */
function unaryRow(op: i32, a: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const six = f32x4.splat(6);
  let i = 0;
  if (op == OP_RELU) {
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const v0 = v128.load(a + o);
      const v1 = v128.load(a + o, 16);
      v128.store(out + o, v128.and(v0, v128.or(f32x4.gt(v0, zero), f32x4.ne(v0, v0))));
      v128.store(out + o, v128.and(v1, v128.or(f32x4.gt(v1, zero), f32x4.ne(v1, v1))), 16);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(a + o);
      store<f32>(out + o, v > 0 || v != v ? v : 0);
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(a + o);
      const lo = v128.bitselect(zero, v, f32x4.lt(v, zero));
      v128.store(out + o, v128.bitselect(six, lo, f32x4.gt(v, six)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(a + o);
      store<f32>(out + o, v < 0 ? 0 : v > 6 ? 6 : v);
    }
  }
}

export function elementwiseTask(p: usize, task: i32): void {
  const a = paramPtr(p, X);
  const b = paramPtr(p, WEIGHT);
  const out = paramPtr(p, OUT);
  const op = param(p, OP);
  const rows = param(p, ROWS);
  const r1Size = param(p, R1);
  const n = param(p, N_);
  const rowsPerTask = param(p, ROWS_PER_TASK);
  const chunk = param(p, CHUNK);
  const chunks = param(p, CHUNKS);
  const ci = task % chunks;
  const c0 = ci * chunk;
  const len = min(chunk, n - c0);
  const first = (task / chunks) * rowsPerTask;
  const last = min(first + rowsPerTask, rows);
  const a0 = param(p, A0);
  const a1 = param(p, A1);
  const ai = param(p, AI);
  const b0 = param(p, B0);
  const b1 = param(p, B1);
  const bi = param(p, BI);
  for (let r = first; r < last; r++) {
    const q = r / r1Size;
    const s = r - q * r1Size;
    const o = out + (<usize>(r * n + c0) << 2);
    const ap = a + (<usize>(q * a0 + s * a1 + c0 * ai) << 2);
    if (op >= OP_RELU) {
      unaryRow(op, ap, o, len);
    } else {
      binaryRow(op, ai, bi, ap, b + (<usize>(q * b0 + s * b1 + c0 * bi) << 2), o, len);
    }
  }
}
