/**
 * The WebAssembly SIMD kernels' runtime, one per JavaScript thread: the compiled module, its linear
 * memory (shared when SharedArrayBuffer exists, so workers can join), the arena that holds tensors and
 * scratch in that memory, and the worker pool. Created lazily on first use; `null` when this
 * environment has no WebAssembly SIMD, in which case the CPU backend runs its TypeScript kernels.
 */
import { ThreadPolicy } from "../threads/policy.js";
import { WorkerPool } from "../threads/pool.js";
import { Arena } from "./arena.js";
import { KERNELS_WASM_PLAIN_BASE64, KERNELS_WASM_SHARED_BASE64 } from "./kernels-wasm.js";
import { type WasmApi, type WasmMemory, type WasmModule, wasmApi } from "./wasm-api.js";

/** Byte offsets of the fixed low-memory blocks; the arena starts at ARENA_BASE. */
const CONTROL_AT = 1024;
const PARAMS_AT = 2048;
const PARAM_SLOTS = 64;
const ARENA_BASE = 65536;
const INITIAL_PAGES = 16;
const MAX_PAGES = 65536;

interface KernelExports {
  runTask(kernel: number, params: number, task: number, thread: number): void;
  runTasks(kernel: number, params: number, first: number, end: number, thread: number): void;
}

function decode(base64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(base64, "base64"));
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function defaultThreads(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  if (os) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** Work (multiply-adds or element reads) below which a job stays on the calling thread. */
export const DEFAULT_PARALLEL_THRESHOLD = 1 << 18;

export class WasmRuntime {
  readonly exports: KernelExports;
  readonly arena: Arena;
  /** Int32 view of the parameter block (rebuilt when a plain memory grows). */
  params!: Int32Array;
  paramsF32!: Float32Array;
  private heap!: Float32Array;
  /** Every buffer object the memory has exposed: views of any of them live in the arena. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly pool: WorkerPool | null;
  private threads: number;
  parallelThreshold = DEFAULT_PARALLEL_THRESHOLD;
  private readonly policy = new ThreadPolicy();
  /** The shape threadsFor chose for and the job run() times next (see ThreadPolicy). */
  private pendingShape: string | null = null;
  private readonly scratch = { at: -1, bytes: 0 };
  private readonly aux = { at: -1, bytes: 0 };
  private readonly sharedB = { at: -1, bytes: 0 };

  constructor(
    api: WasmApi,
    readonly memory: WasmMemory,
    readonly shared: boolean,
    module: WasmModule,
  ) {
    const instance = new api.Instance(module, { env: { memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.refresh();
    this.arena = new Arena(memory, ARENA_BASE, () => this.refresh());
    const exp = this.exports;
    this.pool = shared ? new WorkerPool(module, memory, CONTROL_AT, (k, p, t, th) => exp.runTask(k, p, t, th)) : null;
    if (this.pool !== null && !this.pool.available) this.pool = null;
    this.threads = this.pool === null ? 1 : Math.min(defaultThreads(), 64);
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    this.buffers.add(buf);
    this.heap = new Float32Array(buf);
    this.params = new Int32Array(buf, PARAMS_AT, PARAM_SLOTS);
    this.paramsF32 = new Float32Array(buf, PARAMS_AT, PARAM_SLOTS);
  }

  /** A float32 view of the whole memory as it is now (a plain memory's old views detach when it grows). */
  get f32(): Float32Array {
    if (this.heap.buffer !== this.memory.buffer) this.refresh();
    return this.heap;
  }

  /** Threads a large job uses (1 when workers are unavailable). */
  get numThreads(): number {
    return this.threads;
  }

  get workersAvailable(): boolean {
    return this.pool !== null;
  }

  get workersReady(): number {
    return this.pool?.ready ?? 0;
  }

  /** Tasks worker threads have run (diagnostics). */
  get workerTasks(): number {
    return this.pool?.workerTasks ?? 0;
  }

  /** Uses n threads from now on, starting or stopping workers now (by default they start on the first large job). */
  setNumThreads(n: number): void {
    this.threads = this.pool === null ? 1 : n;
    this.pool?.resize(this.threads - 1);
  }

  /** True when `a` is a view of this memory (a tensor stored in the arena). */
  owns(a: ArrayBufferView): boolean {
    return this.shared && this.buffers.has(a.buffer);
  }

  /**
   * Threads to use for a job of `kernel` with `tasks` tasks and `work` units: 1 below the parallel
   * threshold, else what the thread policy chose for this shape from its earlier runs (a threshold of
   * 0 always splits). The job run() runs next is timed for the policy.
   */
  threadsFor(kernel: number, tasks: number, work: number): number {
    this.pendingShape = null;
    if (this.pool === null || this.threads < 2 || tasks < 2 || work < this.parallelThreshold) return 1;
    if (this.parallelThreshold === 0) return Math.min(this.threads, tasks);
    const shape = `${kernel}:${tasks}:${work}`;
    this.pendingShape = shape;
    return this.policy.threaded(shape) ? Math.min(this.threads, tasks) : 1;
  }

  /**
   * Per-thread scratch of at least `bytes` each for a job run on `threads` threads: [base, stride]. A
   * split job may be joined by any started worker, so its scratch covers every one of them. Reused
   * across calls (grown geometrically), so steady-state calls allocate nothing. Null when memory is
   * exhausted.
   */
  threadScratch(bytes: number, threads: number): [number, number] | null {
    const stride = Math.ceil(bytes / 64) * 64;
    let slots = 1;
    if (threads > 1 && this.pool !== null) {
      // Workers start before the job so that the scratch covers exactly the threads that may join it.
      if (this.pool.workers < this.threads - 1) this.pool.resize(this.threads - 1);
      slots = this.pool.workers + 1;
    }
    return this.reuse(this.scratch, stride * slots) < 0 ? null : [this.scratch.at, stride];
  }

  /** A reused block for small per-call tables (pooling divisors). */
  auxBlock(bytes: number): number {
    return this.reuse(this.aux, bytes);
  }

  /** A reused block that every thread of a job reads (a convolution's packed im2col matrix); -1 when memory is exhausted. */
  sharedBlock(bytes: number): number {
    return this.reuse(this.sharedB, bytes);
  }

  private reuse(block: { at: number; bytes: number }, bytes: number): number {
    if (block.bytes >= bytes) return block.at;
    if (block.at >= 0) this.arena.free(block.at);
    const want = Math.max(bytes, Math.floor(block.bytes * 1.5));
    block.at = this.arena.alloc(want);
    block.bytes = block.at < 0 ? 0 : want;
    return block.at;
  }

  /**
   * Runs tasks 0..tasks-1 of a kernel whose parameters are in the parameter block, on the calling thread
   * alone when `threads` is 1, else across it and the workers (threadScratch started them). A `first`
   * job (same parameters) runs to completion before it.
   */
  run(kernel: number, tasks: number, threads: number, first: { kernel: number; tasks: number } | null = null): void {
    const shape = this.pendingShape;
    this.pendingShape = null;
    if (tasks <= 0) return;
    const threaded = threads > 1 && this.pool !== null;
    const t0 = shape === null ? 0 : performance.now();
    if (first !== null) this.runJob(first.kernel, first.tasks, threaded);
    this.runJob(kernel, tasks, threaded);
    if (shape !== null) this.policy.record(shape, threaded, performance.now() - t0);
  }

  private runJob(kernel: number, tasks: number, threaded: boolean): void {
    if (threaded) this.pool?.run(kernel, PARAMS_AT, tasks);
    else this.exports.runTasks(kernel, PARAMS_AT, 0, tasks, 0);
  }
}

let runtime: WasmRuntime | null | undefined;
let failure = "";

/** Why the SIMD kernels are unavailable ("" when they are available or not tried yet). */
export function runtimeFailure(): string {
  return failure;
}

function sharedMemoryWorks(api: WasmApi): boolean {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") return false;
  try {
    return new api.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * A new runtime over a shared memory (workers can join) or a plain one (the calling thread only; the
 * path taken where SharedArrayBuffer is missing). Throws when the kernels cannot be compiled here.
 */
export function createRuntime(shared: boolean): WasmRuntime {
  const api = wasmApi();
  if (api === undefined) throw new Error("this engine has no WebAssembly");
  const bytes = decode(shared ? KERNELS_WASM_SHARED_BASE64 : KERNELS_WASM_PLAIN_BASE64);
  if (!api.validate(bytes)) throw new Error("this engine has no WebAssembly SIMD (the kernels do not validate)");
  const module = new api.Module(bytes);
  const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
  return new WasmRuntime(api, memory, shared, module);
}

/** The runtime of this thread, created on first call; null when WebAssembly SIMD is unavailable. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  try {
    const api = wasmApi();
    runtime = createRuntime(api !== undefined && sharedMemoryWorks(api));
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    runtime = null;
  }
  return runtime;
}
