/**
 * Child processes that run tasks: the bench re-runs its own script with CHILD_FLAG and talks to it over
 * Node's IPC channel. A child started with a chosen environment is the only way to give the timed code
 * allocator settings (glibc reads MALLOC_* at process start) and, with one child per task, a fresh JIT.
 */
import { type ChildProcess, fork } from "node:child_process";
import { type Task, type TaskResult, errorText, runTask } from "./tasks.js";

export const CHILD_FLAG = "--child";
const TASK_TIMEOUT_MS = 10 * 60 * 1000;

interface Pending {
  readonly task: Task;
  readonly resolve: (r: TaskResult) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class ChildWorker {
  private readonly child: ChildProcess;
  private output = "";
  private pending: Pending | null = null;
  private exitedWith: string | null = null;

  constructor(env: NodeJS.ProcessEnv) {
    // --expose-gc: measure() collects garbage between rounds, outside the timed runs.
    this.child = fork(process.argv[1], [CHILD_FLAG], { execArgv: ["--expose-gc"], env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
    const keep = (chunk: Buffer): void => {
      // Only the tail matters, for an error report.
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    this.child.on("message", (m) => this.settle((p) => p.resolve(m as TaskResult)));
    this.child.on("error", (e) => this.settle((p) => p.reject(e)));
    this.child.on("exit", (code, signal) => {
      this.exitedWith = signal ?? `code ${code}`;
      const tail = this.output.trim();
      this.settle((p) => p.reject(new Error(`child process for ${p.task.type} ${p.task.workload} exited (${this.exitedWith}) without a result${tail ? `:\n${tail}` : ""}`)));
    });
  }

  get alive(): boolean {
    return this.exitedWith === null;
  }

  private settle(action: (p: Pending) => void): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    action(p);
  }

  run(task: Task): Promise<TaskResult> {
    if (!this.alive) return Promise.reject(new Error(`child process already exited (${this.exitedWith})`));
    if (this.pending) return Promise.reject(new Error("child process is busy"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), TASK_TIMEOUT_MS);
      this.pending = { task, resolve, reject, timer };
      this.child.send(task);
    });
  }

  /** Ends the child: closing IPC makes it exit by itself; the kill covers a child stuck in native code. */
  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }
}

/** The child side: run each task it is sent, reply with the result, exit when the parent disconnects. */
export function childMain(): void {
  process.on("message", async (task: Task) => {
    let result: TaskResult;
    try {
      result = await runTask(task);
    } catch (e) {
      result = { type: "failed", message: errorText(e) };
    }
    process.send?.(result);
  });
  process.on("disconnect", () => process.exit(0));
}
