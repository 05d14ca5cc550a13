/**
 * A pool of worker threads over the kernels' shared memory. `run` publishes a job in the control block
 * (see control.ts), takes tasks on the calling thread too, and returns when every task is done; workers
 * that are still starting simply miss the job. Workers are unref'd: an idle pool never keeps the
 * process alive, and no shutdown call is needed.
 */
import { ACTIVE, CONTROL_SLOTS, DONE, ERROR, GEN, KERNEL, MAX_TASKS, NEXT, NTASKS, PARAMS, READY, WORKER_TASKS, firstClaim } from "./control.js";
import type { WasmMemory, WasmModule } from "../simd/wasm-api.js";
import { WORKER_SOURCE } from "./worker-source.js";

type RunTask = (kernel: number, params: number, task: number, thread: number) => void;

interface WorkerHandle {
  terminate(): unknown;
}

interface NodeWorkerThreads {
  Worker: new (
    source: string,
    options: { eval: true; workerData: unknown },
  ) => WorkerHandle & { unref(): void; on(event: "error", fn: (e: unknown) => void): void };
}

/** How this environment starts a worker from source text, or null when it cannot. */
function workerFactory(): ((data: WorkerData) => WorkerHandle) | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (proc?.versions?.node) {
    const wt = proc.getBuiltinModule?.("node:worker_threads") as NodeWorkerThreads | undefined;
    if (!wt) return null;
    return (data) => {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: data });
      w.unref();
      // A worker that fails to start just never joins a job; the caller's thread does its share.
      w.on("error", () => undefined);
      return w;
    };
  }
  const g = globalThis as { Worker?: new (url: string) => WorkerHandle & { postMessage(d: unknown): void }; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== "function" || typeof g.Blob !== "function" || typeof g.URL?.createObjectURL !== "function") return null;
  const WorkerCtor = g.Worker;
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return (data) => {
    const w = new WorkerCtor(url);
    w.postMessage(data);
    return w;
  };
}

interface WorkerData {
  module: WasmModule;
  memory: WasmMemory;
  control: number;
  thread: number;
}

/** Whether this thread may block in Atomics.wait (Node's main thread may; a browser's may not). */
function canBlock(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
}

export class WorkerPool {
  private readonly ctl: Int32Array;
  private readonly handles: WorkerHandle[] = [];
  private readonly create: ((data: WorkerData) => WorkerHandle) | null;
  private readonly blocking = canBlock();
  /** Worker threads (the calling thread is thread 0 and not counted). */
  private size = 0;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly control: number,
    private readonly runTask: RunTask,
  ) {
    this.ctl = new Int32Array(memory.buffer, control, CONTROL_SLOTS);
    this.create = workerFactory();
    Atomics.store(this.ctl, ACTIVE, 1);
  }

  /** True when this environment can start workers. */
  get available(): boolean {
    return this.create !== null;
  }

  /** Worker threads started (the calling thread not counted). */
  get workers(): number {
    return this.size;
  }

  /** Workers that have instantiated the kernels and take part in jobs. */
  get ready(): number {
    return Math.min(Atomics.load(this.ctl, READY), this.size);
  }

  /** Tasks the worker threads have run so far. */
  get workerTasks(): number {
    return Atomics.load(this.ctl, WORKER_TASKS);
  }

  /** Uses `workers` worker threads from now on (0 stops them all). */
  resize(workers: number): void {
    if (this.create === null) return;
    Atomics.store(this.ctl, ACTIVE, workers + 1);
    if (workers < this.handles.length) {
      // Sleeping workers wake, see ACTIVE and return; terminate() covers one that is slow to notice.
      Atomics.notify(this.ctl, GEN);
      for (const w of this.handles.splice(workers)) void w.terminate();
      Atomics.store(this.ctl, READY, Math.min(Atomics.load(this.ctl, READY), workers));
    }
    while (this.handles.length < workers) {
      const thread = this.handles.length + 1;
      this.handles.push(this.create({ module: this.module, memory: this.memory, control: this.control, thread }));
    }
    this.size = workers;
  }

  /** Runs tasks 0..n-1 of `kernel` across the calling thread and the workers; returns when all are done. */
  run(kernel: number, params: number, n: number): void {
    if (n > MAX_TASKS) throw new RangeError(`a job has at most ${MAX_TASKS} tasks, got ${n}`);
    const ctl = this.ctl;
    const gen = Atomics.load(ctl, GEN);
    Atomics.store(ctl, GEN, (gen + 1) | 0);
    Atomics.store(ctl, KERNEL, kernel);
    Atomics.store(ctl, PARAMS, params);
    Atomics.store(ctl, NTASKS, n);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, ERROR, 0);
    const next = (gen + 2) | 0;
    Atomics.store(ctl, NEXT, firstClaim(next));
    Atomics.store(ctl, GEN, next);
    Atomics.notify(ctl, GEN);
    const tag = firstClaim(next);
    let failed = false;
    for (;;) {
      const cur = Atomics.load(ctl, NEXT);
      const t = cur - tag;
      if (t < 0 || t >= n) break;
      if (Atomics.compareExchange(ctl, NEXT, cur, cur + 1) !== cur) continue;
      try {
        this.runTask(kernel, params, t, 0);
      } catch {
        failed = true;
      }
      Atomics.add(ctl, DONE, 1);
    }
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctl, DONE);
      if (done >= n) break;
      if (spins > 1000 && this.blocking) Atomics.wait(ctl, DONE, done, 5);
    }
    if (failed || Atomics.load(ctl, ERROR) !== 0) throw new Error("a WebAssembly kernel task failed");
  }
}
