/**
 * `pnpm bench`: convkit's backends next to TensorFlow.js and onnxruntime-node on workloads W1-W9.
 *
 *   pnpm bench [--quick] [--memory] [--only W1,W6] [--engines convkit-cpu,ort-1t] [--isolate | --in-process] [--default-malloc] [--out DIR]
 *
 * The parent process orchestrates and reports; the engines run in one child process (started with the
 * malloc settings below), or with --isolate in a fresh child per verification and per timed cell.
 * Progress goes to stderr, the Markdown table to stdout and bench-results/latest.{md,json}.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ENGINES, REFERENCE_ENGINE, selectEngines } from "./engines/index.js";
import type { EngineSpec } from "./engines/types.js";
import { FULL_TIMING, QUICK_TIMING, type TimingOptions } from "./measure.js";
import { prepareModelFiles } from "./model-files.js";
import { type BenchResults, type Cell, type Isolation, type MemoryCell, type Ratio, type WorkloadSummary, cellText, formatMs, memoryText, mismatchDetail, renderMarkdown } from "./report.js";
import { systemInfo } from "./system.js";
import { type EngineOutcome, type MemoryResult, type Task, type TaskResult, type TimeResult, type VerifyResult, errorText, runTask } from "./tasks.js";
import { CHILD_FLAG, ChildWorker, childMain } from "./worker.js";
import { WORKLOADS, type Workload, flops, ioBytes, isConvLike, selectWorkloads } from "./workloads.js";

interface Options {
  quick: boolean;
  memory: boolean;
  only: string[] | null;
  engines: string[] | null;
  isolation: Isolation;
  defaultMalloc: boolean;
  out: string;
}

const USAGE = `usage: pnpm bench [--quick] [--memory] [--only W1,W6] [--engines ${ENGINES.map((e) => e.id).join(",")}] [--isolate | --in-process] [--default-malloc] [--out DIR]
  --quick           3 warm-up runs and 3 rounds of 3 runs instead of >= 5 / 3 x >= 10 (checks it works; numbers are rough)
  --memory          also measure each timed cell's peak resident memory, in a fresh child process per cell
  --only            workloads to run (${WORKLOADS.map((w) => w.id).join(", ")})
  --engines         engines to time (convkit cpu is still run to verify the others)
  --isolate         a fresh child process for each workload's verification and for each timed engine x workload
                    (default: all engines in one child process, one after another)
  --in-process      run everything in this process (no child; malloc settings only if set in the environment)
  --default-malloc  do not set MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ for the child processes
  --out DIR         where latest.md / latest.json go (default: packages/bench/bench-results)`;

/** glibc: keep freed multi-MB blocks for reuse instead of unmapping them (perf-notes.md, point 4). */
const MALLOC_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: "33554432", MALLOC_TRIM_THRESHOLD_: "268435456" };

/** The malloc tuning the timed processes actually run with, as the report states it. */
function mallocSettings(env: NodeJS.ProcessEnv): Record<string, string> | null {
  const set = Object.keys(MALLOC_ENV).filter((k) => env[k] !== undefined);
  return set.length ? Object.fromEntries(set.map((k) => [k, env[k] as string])) : null;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { quick: false, memory: false, only: null, engines: null, isolation: "one-child-process", defaultMalloc: false, out: resolve(dirname(process.argv[1]), "..", "bench-results") };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case "--quick":
        opts.quick = true;
        break;
      case "--memory":
        opts.memory = true;
        break;
      case "--only":
        opts.only = value().split(",");
        break;
      case "--engines":
        opts.engines = value().split(",");
        break;
      case "--isolate":
        opts.isolation = "child-process-per-task";
        break;
      case "--in-process":
        opts.isolation = "in-process";
        break;
      case "--default-malloc":
        opts.defaultMalloc = true;
        break;
      case "--out":
        opts.out = resolve(value());
        break;
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(argv[i])}\n${USAGE}`);
    }
  }
  return opts;
}

/** Runs tasks in the mode chosen: this process, one long-lived child, or a fresh child per task. */
class Executor {
  private worker: ChildWorker | null = null;

  constructor(
    private readonly isolation: Isolation,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async run(task: Task): Promise<TaskResult> {
    if (this.isolation === "in-process") return runTask(task);
    // A child that crashed (or a fresh-per-task one that finished) is replaced for the next task.
    if (!this.worker?.alive) this.worker = new ChildWorker(this.env);
    try {
      return await this.worker.run(task);
    } finally {
      if (this.isolation === "child-process-per-task") await this.close();
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.close();
  }

  kill(): void {
    this.worker?.kill();
  }
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function throughput(w: Workload, ms: number): Cell["throughput"] {
  return isConvLike(w) ? { value: flops(w) / (ms * 1e6), unit: "GFLOP/s" } : { value: ioBytes(w) / (ms * 1e6), unit: "GB/s" };
}

function cellFromTiming(w: Workload, engine: string, verification: Cell["verification"], r: TimeResult): Cell {
  const base = { workload: w.id, engine, verification };
  if (r.status === "unavailable") return { ...base, status: "unavailable", detail: r.reason };
  if (r.status === "error") return { ...base, status: "error", detail: r.message };
  if (r.postCheck && !r.postCheck.ok) {
    return { ...base, status: "mismatch", detail: `after timing: ${mismatchDetail(r.postCheck)}`, timing: r.timing, postCheck: r.postCheck };
  }
  return { ...base, status: "ok", timing: r.timing, postCheck: r.postCheck, throughput: throughput(w, r.timing.medianMs) };
}

function ratiosOf(cells: readonly Cell[], engines: readonly EngineSpec[]): Ratio[] {
  const ratios: Ratio[] = [];
  const ok = (w: string, e: string): Cell | undefined => cells.find((c) => c.workload === w && c.engine === e && c.status === "ok");
  for (const w of WORKLOADS) {
    for (const k of engines.filter((e) => e.family === "convkit")) {
      const kc = ok(w.id, k.id);
      if (!kc?.timing) continue;
      for (const p of engines.filter((e) => e.family === "peer")) {
        const pc = ok(w.id, p.id);
        if (pc?.timing) ratios.push({ workload: w.id, convkit: k.id, peer: p.id, speedup: pc.timing.medianMs / kc.timing.medianMs });
      }
    }
  }
  return ratios;
}

const ISOLATION_TEXT: Record<Isolation, string> = {
  "one-child-process": "all engines in one child process",
  "child-process-per-task": "a fresh child process per verification and per timed cell",
  "in-process": "all engines in this process",
};

function summary(w: Workload, reference: string | null): WorkloadSummary {
  return { id: w.id, label: w.label, inputShape: w.inputShape, outputShape: w.outputShape, flops: flops(w), ioBytes: ioBytes(w), reference };
}

async function verifyWorkload(executor: Executor, task: Task): Promise<VerifyResult> {
  const r = await executor.run(task);
  if (r.type === "verify") return r;
  throw new Error(r.type === "failed" ? r.message : `unexpected ${r.type} result`);
}

async function timeCell(executor: Executor, task: Task): Promise<TimeResult> {
  try {
    const r = await executor.run(task);
    if (r.type === "time") return r;
    return { type: "time", status: "error", message: r.type === "failed" ? r.message : `unexpected ${r.type} result` };
  } catch (e) {
    return { type: "time", status: "error", message: errorText(e) };
  }
}

/** Inference runs a --memory measurement takes the peak over (after one warm-up run). */
const MEMORY_RUNS = { model: 5, op: 20 };

/** A peak-memory measurement, always in a fresh child process (a process's RSS carries every earlier allocation). */
async function measureMemory(env: NodeJS.ProcessEnv, w: Workload, engine: string): Promise<MemoryResult> {
  const executor = new Executor("child-process-per-task", env);
  try {
    const r = await executor.run({ type: "memory", workload: w.id, engine, runs: w.kind === "model" ? MEMORY_RUNS.model : MEMORY_RUNS.op });
    if (r.type === "memory") return r;
    return { type: "memory", status: "error", message: r.type === "failed" ? r.message : `unexpected ${r.type} result` };
  } catch (e) {
    return { type: "memory", status: "error", message: errorText(e) };
  }
}

/** The cell of an engine whose verification did not pass, or null when it may be timed. */
function untimedCell(w: Workload, engine: string, outcome: EngineOutcome | undefined): Cell | null {
  const base = { workload: w.id, engine, verification: outcome };
  if (!outcome) return { ...base, status: "error", detail: "no verification outcome" };
  switch (outcome.status) {
    case "unavailable":
      return { ...base, status: "unavailable", detail: outcome.reason };
    case "error":
      return { ...base, status: "error", detail: outcome.message };
    case "mismatch":
      return { ...base, status: "mismatch", detail: mismatchDetail(outcome.comparison) };
    default:
      return null;
  }
}

let activeExecutor: Executor | null = null;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const workloads = selectWorkloads(opts.only);
  const engines = selectEngines(opts.engines);
  const timing: TimingOptions = opts.quick ? QUICK_TIMING : FULL_TIMING;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...(opts.defaultMalloc ? {} : MALLOC_ENV) };
  const mallocEnv = mallocSettings(opts.isolation === "in-process" ? process.env : childEnv);
  const executor = new Executor(opts.isolation, childEnv);
  activeExecutor = executor;

  const started = performance.now();
  const system = systemInfo();
  const scratch = mkdtempSync(join(tmpdir(), "convkit-bench-"));
  const cells: Cell[] = [];
  const memory: MemoryCell[] = [];
  const summaries: WorkloadSummary[] = [];
  const versions: Record<string, string> = {};
  const totalCells = workloads.length * engines.length;
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  progress(`convkit bench: ${workloads.length} workloads x ${engines.length} engines${opts.quick ? " (quick)" : ""}, ${ISOLATION_TEXT[opts.isolation]}`);
  const modelNames = workloads.flatMap((w) => (w.model ? [w.model] : []));
  if (modelNames.length > 0) progress(prepareModelFiles(modelNames));

  try {
    for (const w of workloads) {
      progress(`${w.id} ${w.label}: verifying ${engines.map((e) => e.id).join(", ")}`);
      const refPath = join(scratch, `${w.id}.ref.f32`);
      let verify: VerifyResult;
      try {
        verify = await verifyWorkload(executor, { type: "verify", workload: w.id, engines: engines.map((e) => e.id), refPath });
      } catch (e) {
        const message = `verification failed: ${errorText(e)}`;
        progress(`  ${message}`);
        for (const engine of engines) cells.push({ workload: w.id, engine: engine.id, status: "error", detail: message });
        summaries.push(summary(w, null));
        continue;
      }
      Object.assign(versions, verify.versions);
      summaries.push(summary(w, verify.reference));
      if (verify.reference !== REFERENCE_ENGINE) progress(`  reference: ${verify.reference ?? "none"} (${REFERENCE_ENGINE} cannot run ${w.id})`);

      for (const engine of engines) {
        const outcome = verify.outcomes[engine.id];
        let cell = untimedCell(w, engine.id, outcome);
        if (!cell) {
          const r = await timeCell(executor, { type: "time", workload: w.id, engine: engine.id, timing, refPath: verify.reference ? refPath : null });
          cell = cellFromTiming(w, engine.id, outcome, r);
        }
        cells.push(cell);
        const rounds = cell.timing ? ` (rounds ${cell.timing.roundMediansMs.map(formatMs).join(" / ")} ms)` : "";
        progress(`  [${cells.length}/${totalCells}, ${elapsed()}] ${engine.id.padEnd(12)} ${cellText(cell)}${rounds}`);
        if (opts.memory && cell.status === "ok") {
          const m: MemoryCell = { workload: w.id, engine: engine.id, result: await measureMemory(childEnv, w, engine.id) };
          memory.push(m);
          progress(`  ${"".padEnd(12)} ${engine.id.padEnd(12)} memory: ${memoryText(m.result)}`);
        }
      }
    }
  } finally {
    await executor.close();
    rmSync(scratch, { recursive: true, force: true });
  }

  const results: BenchResults = {
    system,
    loadAverageEnd1m: loadavg()[0],
    durationSeconds: (performance.now() - started) / 1000,
    settings: { quick: opts.quick, isolation: opts.isolation, mallocEnv, timing },
    versions,
    engines: engines.map((e) => ({ id: e.id, family: e.family, description: e.description })),
    workloads: summaries,
    cells,
    ratios: ratiosOf(cells, engines),
    ...(opts.memory ? { memory } : {}),
  };
  const markdown = renderMarkdown(results);
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(opts.out, "latest.md"), markdown);
  process.stdout.write(markdown);
  progress(`wrote ${join(opts.out, "latest.md")} and latest.json in ${elapsed()}`);
}

if (process.argv.includes(CHILD_FLAG)) {
  childMain();
} else {
  process.on("SIGINT", () => {
    activeExecutor?.kill();
    process.exit(130);
  });
  main().catch((e) => {
    activeExecutor?.kill();
    process.stderr.write(`bench failed: ${errorText(e)}\n`);
    process.exit(1);
  });
}
