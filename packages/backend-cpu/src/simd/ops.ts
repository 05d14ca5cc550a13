/**
 * Host side of the SIMD kernels: for each op, choose the task split and block sizes, place the operands
 * in linear memory (tensors already stored there are used in place; others are staged in a temporary
 * block), write the parameter block and run the job. Every function returns false, having changed
 * nothing, when linear memory is exhausted; the backend then runs the TypeScript kernel instead.
 */
import type { Geometry3 } from "../kernels/lift.js";
import type { WasmRuntime } from "./runtime.js";
import { Operands, setCommon } from "./operands.js";
import { EXTRA, KERNEL_CONV, KERNEL_CONV_PACK, KERNEL_CONV_TRANSPOSE, KERNEL_DEPTHWISE, KERNEL_POOL, SCRATCH, SCRATCH_STRIDE, writeGeometry } from "./params.js";

/** Longest K slice: a packed panel of 8 columns stays within 8 KB of L1. */
const KC_MAX = 256;
/** Output positions per conv task at most: the packed B block stays within 256 KB of L2. */
const P_BLOCK_MAX = 256;
const P_BLOCK_MIN = 64;
/** Tasks per thread a job aims for, so dynamic claiming evens out uneven tasks and a busy core. */
const TASKS_PER_THREAD = 4;
/** Largest im2col matrix packed once for all of a convolution's tasks (see simdConv). */
const SHARED_B_MAX_BYTES = 4 << 20;
/** Tasks per thread when the packed im2col matrix is shared: tasks then cost no extra packing. */
const SHARED_B_TASKS_PER_THREAD = 8;
/** Float elements of a transposed conv's column block per thread (256 KB). */
const COL_BLOCK_ELEMENTS = 65536;

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Near-equal K slices of at most KC_MAX. */
function sliceLength(K: number): number {
  return Math.ceil(K / Math.ceil(K / KC_MAX));
}

/** Convolution x [N, C, ...inS] * w [M, C / groups, ...k] (+ bias) into out [N, M, ...outS], groups with more than one input channel each. */
export function simdConv(rt: WasmRuntime, x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, Nb: number, Cin: number, Cout: number, groups: number, g: Geometry3): boolean {
  const Cg = Cin / groups;
  const Mg = Cout / groups;
  const K = Cg * g.k[0] * g.k[1] * g.k[2];
  const P = g.outS[0] * g.outS[1] * g.outS[2];
  if (Nb === 0 || P === 0 || Cout === 0) return true;
  if (K === 0) return false;
  const kc = sliceLength(K);
  const outer = Nb * groups;
  const work = outer * Mg * K * P;
  const maxThreads = rt.threadsFor(KERNEL_CONV, outer * Math.ceil(P / 8), work);
  const target = maxThreads > 1 ? TASKS_PER_THREAD * maxThreads : 1;
  let pBlock = Math.min(roundUp(P, 8), P_BLOCK_MAX);
  while (outer * Math.ceil(P / pBlock) < target && pBlock > P_BLOCK_MIN) pBlock = Math.max(P_BLOCK_MIN, roundUp(pBlock >> 1, 8));
  const pTasks = Math.ceil(P / pBlock);
  let mTasks = 1;
  // Few output positions (deep layers) split the output channels too. Then, for one image and group,
  // the im2col matrix is packed once into a shared block that every task reads (a first job), instead
  // of once per task, and tasks can be smaller.
  const sharedBytes = K * roundUp(P, 8) * 4;
  const shareB = outer * pTasks < target && outer === 1 && pTasks === 1 && sharedBytes <= SHARED_B_MAX_BYTES;
  if (outer * pTasks < target) {
    const wanted = shareB ? SHARED_B_TASKS_PER_THREAD * maxThreads : target;
    mTasks = Math.max(1, Math.min(Math.ceil(Mg / 16), Math.ceil(wanted / (outer * pTasks))));
  }
  const mBlock = roundUp(Math.ceil(Mg / mTasks), 4);
  mTasks = Math.ceil(Mg / mBlock);
  const tasks = outer * pTasks * mTasks;
  const threads = Math.min(maxThreads, tasks);
  const scratch = rt.threadScratch((pBlock + 16 + kc * pBlock + kc * mBlock + 32) * 4, threads);
  if (scratch === null) return false;
  const sharedB = shareB && mTasks > 1 ? rt.sharedBlock(sharedBytes) : 0;
  if (sharedB < 0) return false;
  const ops = new Operands(rt);
  const xp = ops.input(x);
  const wp = ops.input(w);
  const bp = bias === null ? 0 : ops.input(bias);
  const op = ops.output(out);
  if (ops.ok) {
    const p = rt.params;
    setCommon(p, xp, wp, bp, op, Nb, Cin, Cout, groups);
    writeGeometry(p, g.inS, g.outS, g);
    p[SCRATCH] = scratch[0];
    p[SCRATCH_STRIDE] = scratch[1];
    p[EXTRA] = kc;
    p[EXTRA + 1] = pBlock;
    p[EXTRA + 2] = mBlock;
    p[EXTRA + 3] = pTasks;
    p[EXTRA + 4] = mTasks;
    p[EXTRA + 5] = sharedB;
    rt.run(KERNEL_CONV, tasks, threads, sharedB > 0 ? { kernel: KERNEL_CONV_PACK, tasks: Math.ceil(K / kc) } : null);
  }
  ops.finish();
  return ops.ok;
}

/** Depthwise convolution (groups = C, Cout = C * mult). */
export function simdDepthwise(rt: WasmRuntime, x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, Nb: number, Cin: number, Cout: number, g: Geometry3): boolean {
  const rows = g.outS[0] * g.outS[1];
  const OW = g.outS[2];
  if (Nb === 0 || rows * OW === 0 || Cout === 0) return true;
  const KS = g.k[0] * g.k[1] * g.k[2];
  const planes = Nb * Cout;
  const work = planes * rows * OW * KS;
  const [tasks, threads, rowsPerTask] = rowSplit(rt, KERNEL_DEPTHWISE, planes, rows, work);
  const rowLength = paddedRowLength(g);
  // Cached input rows: the (KH - 1) * DH + 2 rows two consecutive output rows span in 2-d; one buffer
  // per kernel row in 3-d. Then the zero row, the cache keys and two output rows' row pointers.
  const slots = g.k[0] === 1 ? (g.k[1] - 1) * g.d[1] + 2 : g.k[0] * g.k[1];
  const scratch = rt.threadScratch((slots + 1) * rowLength * 4 + slots * 4 + 2 * g.k[0] * g.k[1] * 4 + 64, threads);
  if (scratch === null) return false;
  const ops = new Operands(rt);
  const xp = ops.input(x);
  const wp = ops.input(w);
  const bp = bias === null ? 0 : ops.input(bias);
  const op = ops.output(out);
  if (ops.ok) {
    const p = rt.params;
    setCommon(p, xp, wp, bp, op, Nb, Cin, Cout, Cin);
    writeGeometry(p, g.inS, g.outS, g);
    p[SCRATCH] = scratch[0];
    p[SCRATCH_STRIDE] = scratch[1];
    p[EXTRA] = rowsPerTask;
    p[EXTRA + 1] = Math.ceil(rows / rowsPerTask);
    p[EXTRA + 2] = rowLength;
    p[EXTRA + 3] = slots;
    rt.run(KERNEL_DEPTHWISE, tasks, threads);
  }
  ops.finish();
  return ops.ok;
}

/**
 * Length (floats, multiple of 4) of a row buffer holding an input row with its left padding, every
 * column a window reaches (ceil-mode overhang included), and slack for 8-wide and stride-2 vector reads.
 */
function paddedRowLength(g: Geometry3): number {
  const OW = g.outS[2];
  return roundUp(Math.max(g.pb[2] + g.inS[2], (roundUp(OW, 8) - 1) * g.s[2] + (g.k[2] - 1) * g.d[2] + 1) + 8, 4);
}

/** Splits `planes` planes of `rows` output rows into tasks: [tasks, threads, rows per task]. */
function rowSplit(rt: WasmRuntime, kernel: number, planes: number, rows: number, work: number): [number, number, number] {
  const maxThreads = rt.threadsFor(kernel, planes * rows, work);
  const target = maxThreads > 1 ? TASKS_PER_THREAD * maxThreads : 1;
  const rowTasks = Math.min(rows, Math.max(1, Math.ceil(target / planes)));
  const rowsPerTask = Math.ceil(rows / rowTasks);
  const tasks = planes * Math.ceil(rows / rowsPerTask);
  return [tasks, Math.min(maxThreads, tasks), rowsPerTask];
}

/** Per-output-index divisor factor of one dim for average pooling (PyTorch's counting rule; never 0). */
function divisorFactors(f: Float32Array, at: number, inSize: number, outSize: number, k: number, s: number, d: number, pb: number, pe: number, countIncludePad: boolean): void {
  for (let o = 0; o < outSize; o++) {
    const start = o * s - pb;
    const tLo = start >= 0 ? 0 : Math.ceil(-start / d);
    const tHi = Math.min(k - 1, Math.floor((inSize - 1 - start) / d));
    const inside = Math.max(0, tHi - tLo + 1);
    const padded = Math.max(0, Math.min(k - 1, Math.floor((inSize + pe - 1 - start) / d)) + 1);
    const count = countIncludePad ? padded : inside;
    // A window with no tap inside the input sums to 0; any non-zero divisor keeps it 0.
    f[at + o] = count === 0 ? 1 : count;
  }
}

/** Max pooling without indices, or average pooling (avg non-null), over planes of x into out. */
export function simdPool(rt: WasmRuntime, x: Float32Array, out: Float32Array, planes: number, g: Geometry3, avg: { countIncludePad: boolean; divisorOverride: number | null } | null): boolean {
  const rows = g.outS[0] * g.outS[1];
  const OW = g.outS[2];
  if (planes === 0 || rows * OW === 0) return true;
  const KS = g.k[0] * g.k[1] * g.k[2];
  const work = planes * rows * OW * KS;
  const [tasks, threads, rowsPerTask] = rowSplit(rt, KERNEL_POOL, planes, rows, work);
  const rowLength = paddedRowLength(g);
  // 2-d max pooling 2 or 3 wide at stride 2 over at most 3 rows has its own kernel (assembly/max-pool-s2.ts).
  const s2 = avg === null && g.inS[0] === 1 && g.outS[0] === 1 && g.k[0] === 1 && g.k[1] <= 3 && g.d[1] === 1 && g.s[2] === 2 && g.d[2] === 1 && (g.k[2] === 2 || g.k[2] === 3);
  const scratch = rt.threadScratch(rowLength * 4, threads);
  if (scratch === null) return false;
  let divAt = 0;
  if (avg !== null) {
    divAt = rt.auxBlock((g.outS[0] + g.outS[1] + roundUp(OW, 4) + 8) * 4);
    if (divAt < 0) return false;
    const f = rt.f32;
    const base = divAt >> 2;
    divisorFactors(f, base, g.inS[0], g.outS[0], g.k[0], g.s[0], g.d[0], g.pb[0], g.pe[0], avg.countIncludePad);
    divisorFactors(f, base + g.outS[0], g.inS[1], g.outS[1], g.k[1], g.s[1], g.d[1], g.pb[1], g.pe[1], avg.countIncludePad);
    divisorFactors(f, base + g.outS[0] + g.outS[1], g.inS[2], OW, g.k[2], g.s[2], g.d[2], g.pb[2], g.pe[2], avg.countIncludePad);
  }
  const ops = new Operands(rt);
  const xp = ops.input(x);
  const op = ops.output(out);
  if (ops.ok) {
    const p = rt.params;
    setCommon(p, xp, 0, 0, op, planes, 1, 1, 1);
    writeGeometry(p, g.inS, g.outS, g);
    p[SCRATCH] = scratch[0];
    p[SCRATCH_STRIDE] = scratch[1];
    p[EXTRA] = rowsPerTask;
    p[EXTRA + 1] = Math.ceil(rows / rowsPerTask);
    p[EXTRA + 2] = avg === null ? 0 : 1;
    p[EXTRA + 3] = divAt;
    p[EXTRA + 4] = divAt + g.outS[0] * 4;
    p[EXTRA + 5] = divAt + (g.outS[0] + g.outS[1]) * 4;
    p[EXTRA + 6] = avg?.divisorOverride != null ? 1 : 0;
    rt.paramsF32[EXTRA + 7] = avg?.divisorOverride ?? 1;
    p[EXTRA + 8] = rowLength;
    p[EXTRA + 9] = s2 ? 1 : 0;
    rt.run(KERNEL_POOL, tasks, threads);
  }
  ops.finish();
  return ops.ok;
}

/** Transposed convolution x [N, C, ...inS] with w [C, M / groups, ...k] (+ bias) into out [N, M, ...outS]. */
export function simdConvTranspose(rt: WasmRuntime, x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, Nb: number, Cin: number, Cout: number, groups: number, g: Geometry3): boolean {
  const Cg = Cin / groups;
  const Mg = Cout / groups;
  const KS = g.k[0] * g.k[1] * g.k[2];
  const inPlane = g.inS[0] * g.inS[1] * g.inS[2];
  const outPlane = g.outS[0] * g.outS[1] * g.outS[2];
  if (Nb === 0 || outPlane === 0 || Cout === 0) return true;
  if (Cg === 0 || KS === 0) return false;
  const kc = sliceLength(Cg);
  const outer = Nb * groups;
  const work = outer * Mg * KS * Cg * inPlane;
  const maxThreads = rt.threadsFor(KERNEL_CONV_TRANSPOSE, outer * Mg, work);
  const target = maxThreads > 1 ? TASKS_PER_THREAD * maxThreads : 1;
  let ocTasks = Math.min(Mg, Math.max(1, Math.ceil(target / outer)));
  const ocBlock = Math.ceil(Mg / ocTasks);
  ocTasks = Math.ceil(Mg / ocBlock);
  const rows = ocBlock * KS;
  const pBlock = Math.max(8, Math.min(roundUp(inPlane, 8), Math.floor(COL_BLOCK_ELEMENTS / roundUp(rows, 4) / 8) * 8));
  const tasks = outer * ocTasks;
  const threads = Math.min(maxThreads, tasks);
  const scratch = rt.threadScratch((pBlock + 16 + kc * pBlock + kc * roundUp(rows, 4) + rows * pBlock + 32) * 4, threads);
  if (scratch === null) return false;
  const ops = new Operands(rt);
  const xp = ops.input(x);
  const wp = ops.input(w);
  const bp = bias === null ? 0 : ops.input(bias);
  const op = ops.output(out);
  if (ops.ok) {
    const p = rt.params;
    setCommon(p, xp, wp, bp, op, Nb, Cin, Cout, groups);
    writeGeometry(p, g.inS, g.outS, g);
    p[SCRATCH] = scratch[0];
    p[SCRATCH_STRIDE] = scratch[1];
    p[EXTRA] = kc;
    p[EXTRA + 1] = pBlock;
    p[EXTRA + 2] = ocBlock;
    p[EXTRA + 3] = ocTasks;
    rt.run(KERNEL_CONV_TRANSPOSE, tasks, threads);
  }
  ops.finish();
  return ops.ok;
}
