/**
 * The two units of work, each small enough to run in a fresh child process:
 * - verify: run every engine once on a workload, compare with the reference, save the reference output;
 * - time: warm up and time one engine on one workload, then re-check its output against the saved reference.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { workloadData } from "./data.js";
import { FALLBACK_REFERENCES, REFERENCE_ENGINE, findEngine } from "./engines/index.js";
import type { EngineInstance, PreparedRun } from "./engines/types.js";
import { type Timing, type TimingOptions, measure } from "./measure.js";
import { collectGarbage, peakRssBytes, resetPeakRss, rssBytes } from "./memory.js";
import { type Comparison, compareOutputs, toleranceFor } from "./verify.js";
import { WORKLOADS, type Workload } from "./workloads.js";

export interface VerifyTask {
  readonly type: "verify";
  readonly workload: string;
  readonly engines: readonly string[];
  /** Where the reference output is written (raw float32), for the timing tasks' post-check. */
  readonly refPath: string;
}

export interface TimeTask {
  readonly type: "time";
  readonly workload: string;
  readonly engine: string;
  readonly timing: TimingOptions;
  readonly refPath: string | null;
}

/** Peak memory of one engine on one workload (run in a fresh child process: see memory.ts). */
export interface MemoryTask {
  readonly type: "memory";
  readonly workload: string;
  readonly engine: string;
  /** Inference runs whose peak is measured (after one warm-up run). */
  readonly runs: number;
}

export type Task = VerifyTask | TimeTask | MemoryTask;

export type EngineOutcome =
  | { readonly status: "reference" }
  | { readonly status: "ok" | "mismatch"; readonly comparison: Comparison }
  | { readonly status: "unavailable"; readonly reason: string }
  | { readonly status: "error"; readonly message: string };

export interface VerifyResult {
  readonly type: "verify";
  readonly workload: string;
  /** The engine whose output the others were compared with; null if no engine ran. */
  readonly reference: string | null;
  readonly outcomes: Readonly<Record<string, EngineOutcome>>;
  readonly versions: Readonly<Record<string, string>>;
}

export type TimeResult =
  | { readonly type: "time"; readonly status: "ok"; readonly timing: Timing; readonly postCheck: Comparison | null }
  | { readonly type: "time"; readonly status: "unavailable"; readonly reason: string }
  | { readonly type: "time"; readonly status: "error"; readonly message: string };

/**
 * Resident memory (bytes) of the engine's child process: `baseline` once the engine is loaded, `loaded`
 * once the workload is prepared (model built, weights loaded) and run once, `peak` the highest during
 * the inference runs that follow (the whole process lifetime when `peakIsLifetime`, where the
 * high-water mark cannot be reset), and the engine's own account of its memory where it gives one.
 */
export type MemoryResult =
  | {
      readonly type: "memory";
      readonly status: "ok";
      readonly baseline: number;
      readonly loaded: number;
      readonly peak: number;
      readonly peakIsLifetime: boolean;
      readonly detail: string | null;
    }
  | { readonly type: "memory"; readonly status: "unavailable"; readonly reason: string }
  | { readonly type: "memory"; readonly status: "error"; readonly message: string };

/** A task that threw instead of returning a result (reported by the child side of a worker). */
export interface TaskFailure {
  readonly type: "failed";
  readonly message: string;
}

export type TaskResult = VerifyResult | TimeResult | MemoryResult | TaskFailure;

const loaded = new Map<string, Promise<EngineInstance>>();

/** Loads an engine once per process. */
function loadEngine(id: string): Promise<EngineInstance> {
  let p = loaded.get(id);
  if (!p) {
    p = findEngine(id).load();
    loaded.set(id, p);
  }
  return p;
}

function workloadById(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload ${id}`);
  return w;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function withPrepared<T>(engine: EngineInstance, w: Workload, use: (run: PreparedRun) => Promise<T>): Promise<T | { unavailable: string }> {
  const prepared = await engine.prepare(w, workloadData(w));
  if (!prepared.ok) return { unavailable: prepared.reason };
  try {
    return await use(prepared.run);
  } finally {
    await prepared.run.dispose();
  }
}

function isUnavailable(v: unknown): v is { unavailable: string } {
  return typeof v === "object" && v !== null && "unavailable" in v;
}

async function verify(task: VerifyTask): Promise<VerifyResult> {
  const w = workloadById(task.workload);
  const ids = task.engines.includes(REFERENCE_ENGINE) ? [...task.engines] : [REFERENCE_ENGINE, ...task.engines];
  const outputs = new Map<string, Float32Array>();
  const outcomes: Record<string, EngineOutcome> = {};
  const versions: Record<string, string> = {};
  for (const id of ids) {
    try {
      const engine = await loadEngine(id);
      Object.assign(versions, engine.versions);
      const out = await withPrepared(engine, w, (run) => run.read());
      if (isUnavailable(out)) outcomes[id] = { status: "unavailable", reason: out.unavailable };
      else outputs.set(id, out);
    } catch (e) {
      outcomes[id] = { status: "error", message: errorText(e) };
    }
  }
  const reference = [REFERENCE_ENGINE, ...FALLBACK_REFERENCES].find((id) => outputs.has(id)) ?? null;
  const refOutput = reference ? outputs.get(reference) : undefined;
  if (reference && refOutput) {
    writeFileSync(task.refPath, new Uint8Array(refOutput.buffer, refOutput.byteOffset, refOutput.byteLength));
    const tolerance = toleranceFor(w.kind);
    for (const [id, out] of outputs) {
      if (id === reference) {
        outcomes[id] = { status: "reference" };
        continue;
      }
      const comparison = compareOutputs(out, refOutput, tolerance);
      outcomes[id] = { status: comparison.ok ? "ok" : "mismatch", comparison };
    }
  }
  return { type: "verify", workload: w.id, reference, outcomes, versions };
}

async function time(task: TimeTask): Promise<TimeResult> {
  const w = workloadById(task.workload);
  try {
    const engine = await loadEngine(task.engine);
    const result = await withPrepared(engine, w, async (run) => {
      const timing = await measure(run.run, task.timing);
      let postCheck: Comparison | null = null;
      if (task.refPath) {
        // Copied: a Buffer may sit at an offset that is not float-aligned.
        const ref = new Float32Array(Uint8Array.from(readFileSync(task.refPath)).buffer);
        postCheck = compareOutputs(await run.read(), ref, toleranceFor(w.kind));
      }
      return { timing, postCheck };
    });
    if (isUnavailable(result)) return { type: "time", status: "unavailable", reason: result.unavailable };
    return { type: "time", status: "ok", ...result };
  } catch (e) {
    return { type: "time", status: "error", message: errorText(e) };
  }
}

async function memory(task: MemoryTask): Promise<MemoryResult> {
  const w = workloadById(task.workload);
  try {
    const engine = await loadEngine(task.engine);
    collectGarbage();
    const baseline = rssBytes();
    const result = await withPrepared(engine, w, async (run) => {
      await run.run();
      collectGarbage();
      const loaded = rssBytes();
      const reset = resetPeakRss();
      for (let i = 0; i < task.runs; i++) await run.run();
      return { loaded, peak: peakRssBytes(), peakIsLifetime: !reset, detail: engine.memoryDetail?.() ?? null };
    });
    if (isUnavailable(result)) return { type: "memory", status: "unavailable", reason: result.unavailable };
    return { type: "memory", status: "ok", baseline, ...result };
  } catch (e) {
    return { type: "memory", status: "error", message: errorText(e) };
  }
}

export function runTask(task: Task): Promise<TaskResult> {
  if (task.type === "verify") return verify(task);
  return task.type === "time" ? time(task) : memory(task);
}
