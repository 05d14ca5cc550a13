import type { WorkloadData } from "../data.js";
import type { Workload } from "../workloads.js";

/** A workload set up on one engine: inputs uploaded and converted, models built, outside any timing. */
export interface PreparedRun {
  /**
   * One timed execution: the op call until its output exists in the engine's own memory (not read back),
   * then the output's release. Synchronous engines return undefined so the timing loop never awaits them.
   */
  run(): void | Promise<void>;
  /** Runs once more and returns the output as a channels-first Float32Array (for verification). */
  read(): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

/** Either a prepared run or the reason this engine cannot run this workload (shown in the table). */
export type PrepareResult = { readonly ok: true; readonly run: PreparedRun } | { readonly ok: false; readonly reason: string };

export interface EngineInstance {
  /** Versions of what was loaded, for the report header. */
  readonly versions: Readonly<Record<string, string>>;
  prepare(w: Workload, data: WorkloadData): Promise<PrepareResult>;
  /** The engine's own account of its memory (e.g. WebAssembly memory reserved), for `--memory`. */
  memoryDetail?(): string | null;
}

export interface EngineSpec {
  /** Column / CLI name, e.g. "cpu", "tfjs-wasm", "ort-2t". */
  readonly id: string;
  /** Who the engine belongs to: convkit rows get ratios against every peer. */
  readonly family: "convkit" | "peer";
  readonly description: string;
  /** Imports and initialises the engine; only called in processes that run it. */
  load(): Promise<EngineInstance>;
}

export function unavailable(reason: string): PrepareResult {
  return { ok: false, reason };
}
