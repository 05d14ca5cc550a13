/**
 * Host side of the element-wise kernel (assembly/elementwise.ts): float32 binary ops with broadcasting
 * and relu / relu6, split into row blocks and row chunks. Returns false, having changed nothing, when
 * the walk does not fit the kernel (more than three merged dims) or linear memory is exhausted; the
 * backend then runs the TypeScript kernel.
 */
import type { BinaryOp } from "@convkit/core";
import { merge, stridesOf } from "../kernels/strided.js";
import { Operands, setCommon } from "./operands.js";
import { EXTRA, KERNEL_ELEMENTWISE } from "./params.js";
import type { WasmRuntime } from "./runtime.js";

const BINARY_CODES: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
export const UNARY_CODES = { relu: 16, relu6: 17 } as const;
export type SimdUnaryOp = keyof typeof UNARY_CODES;

/** Elements per task: large enough to amortise a task claim, small enough to even out two threads. */
const CHUNK = 16384;

function broadcastStrides(shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, i) => (shape[i] === 1 ? 0 : s));
}

function run(rt: WasmRuntime, op: number, a: Float32Array, b: Float32Array | null, out: Float32Array, sizes: readonly number[], sa: readonly number[], sb: readonly number[]): boolean {
  const rank = sizes.length;
  const n = sizes[rank - 1];
  const r1 = rank >= 2 ? sizes[rank - 2] : 1;
  const rows = out.length / n;
  const chunk = Math.min(n, CHUNK);
  const chunks = Math.ceil(n / chunk);
  const rowsPerTask = n > CHUNK ? 1 : Math.max(1, Math.floor(CHUNK / n));
  const tasks = Math.ceil(rows / rowsPerTask) * chunks;
  const threads = rt.threadsFor(KERNEL_ELEMENTWISE, tasks, out.length);
  const ops = new Operands(rt);
  const ap = ops.input(a);
  const bp = b === null ? 0 : ops.input(b);
  const op_ = ops.output(out);
  if (ops.ok) {
    const p = rt.params;
    setCommon(p, ap, bp, 0, op_, 1, 1, 1, 1);
    const at = (s: readonly number[], d: number): number => (d >= 0 ? s[d] : 0);
    p[EXTRA] = op;
    p[EXTRA + 1] = rows;
    p[EXTRA + 2] = r1;
    p[EXTRA + 3] = n;
    p[EXTRA + 4] = at(sa, rank - 3);
    p[EXTRA + 5] = at(sa, rank - 2);
    p[EXTRA + 6] = sa[rank - 1];
    p[EXTRA + 7] = at(sb, rank - 3);
    p[EXTRA + 8] = at(sb, rank - 2);
    p[EXTRA + 9] = sb[rank - 1];
    p[EXTRA + 10] = rowsPerTask;
    p[EXTRA + 11] = chunk;
    p[EXTRA + 12] = chunks;
    rt.run(KERNEL_ELEMENTWISE, tasks, threads);
  }
  ops.finish();
  return ops.ok;
}

/** out = a (op) b, a and b of the output's rank with each dim equal to the output's or 1. */
export function simdBinary(rt: WasmRuntime, op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], outShape: readonly number[], out: Float32Array): boolean {
  if (out.length === 0) return true;
  const w = merge(outShape, [broadcastStrides(aShape), broadcastStrides(bShape)]);
  const rank = w.sizes.length;
  const [sa, sb] = w.strides;
  // Inner strides are 0 or 1 for broadcasts of contiguous operands; anything else stays in TypeScript.
  if (rank > 3 || sa[rank - 1] > 1 || sb[rank - 1] > 1) return false;
  return run(rt, BINARY_CODES[op], a, b, out, w.sizes, sa, sb);
}

/** out = op(x) element-wise. */
export function simdUnary(rt: WasmRuntime, op: SimdUnaryOp, x: Float32Array, out: Float32Array): boolean {
  if (out.length === 0) return true;
  return run(rt, UNARY_CODES[op], x, null, out, [out.length], [1], [0]);
}
