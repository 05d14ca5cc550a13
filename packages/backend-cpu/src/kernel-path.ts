/**
 * Which kernels the "cpu" backend runs, and its thread settings. The SIMD runtime is per JavaScript
 * thread and created on first use; settings made before that are applied when it is created.
 */
import { ArgumentError } from "@convkit/core";
import { type WasmRuntime, runtimeFailure, wasmRuntime } from "./simd/runtime.js";

export interface CpuKernelPath {
  /** WebAssembly SIMD kernels run convolution and pooling (else the TypeScript kernels do). */
  readonly simd: boolean;
  /** Threads a large convolution or pooling job uses (1: the calling thread only). */
  readonly threads: number;
  /** The kernels' memory is shared, so worker threads can join (requires SharedArrayBuffer). */
  readonly sharedMemory: boolean;
  /** Worker threads started and ready (they start on the first job large enough to split). */
  readonly workersReady: number;
  /**
   * Bytes of WebAssembly linear memory reserved (tensors stored there and the kernels' reused scratch;
   * it grows on demand and is never returned); 0 without SIMD.
   */
  readonly memoryBytes: number;
  /** Why SIMD or threads are unavailable, when they are. */
  readonly reason?: string;
}

let requestedThreads: number | null = null;
let requestedThreshold: number | null = null;

/** The runtime with the settings requested so far applied; null without SIMD. */
export function configuredRuntime(): WasmRuntime | null {
  const rt = wasmRuntime();
  if (rt !== null) {
    if (requestedThreads !== null && rt.numThreads !== requestedThreads) rt.setNumThreads(requestedThreads);
    if (requestedThreshold !== null) rt.parallelThreshold = requestedThreshold;
  }
  return rt;
}

/**
 * Sets how many threads (the calling thread included) the "cpu" backend's convolution and pooling use
 * for large problems. Default: os.availableParallelism() (navigator.hardwareConcurrency in browsers).
 * 1 stops the worker threads.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new ArgumentError(`setNumThreads: n must be an integer from 1 to 64, got ${String(n)}`);
  }
  requestedThreads = n;
  configuredRuntime();
}

/**
 * Sets the work (multiply-adds, or element reads for pooling) below which a job stays on the calling
 * thread; 0 splits every job that has more than one task (tests use it to run the threaded path on
 * small problems). Default 262144.
 */
export function setParallelThreshold(work: number): void {
  if (!Number.isFinite(work) || work < 0) {
    throw new ArgumentError(`setParallelThreshold: work must be a finite number >= 0, got ${String(work)}`);
  }
  requestedThreshold = work;
  configuredRuntime();
}

/** Which kernel path the "cpu" backend runs here: SIMD or not, how many threads, and why not when not. */
export function cpuKernelPath(): CpuKernelPath {
  const rt = configuredRuntime();
  if (rt === null) {
    return { simd: false, threads: 1, sharedMemory: false, workersReady: 0, memoryBytes: 0, reason: runtimeFailure() || "WebAssembly SIMD is unavailable" };
  }
  const reason = !rt.shared
    ? "no SharedArrayBuffer (cross-origin isolation in browsers): SIMD on the calling thread only"
    : !rt.workersAvailable
      ? "worker threads are unavailable here: SIMD on the calling thread only"
      : undefined;
  return { simd: true, threads: rt.numThreads, sharedMemory: rt.shared, workersReady: rt.workersReady, memoryBytes: rt.arena.bytesReserved, ...(reason ? { reason } : {}) };
}
