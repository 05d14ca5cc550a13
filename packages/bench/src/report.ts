/** Result records and their Markdown rendering. */
import { REFERENCE_ENGINE } from "./engines/index.js";
import type { Timing, TimingOptions } from "./measure.js";
import type { SystemInfo } from "./system.js";
import { formatMB } from "./memory.js";
import type { EngineOutcome, MemoryResult } from "./tasks.js";
import type { Comparison } from "./verify.js";

/** Where the engines ran: one child process for all (default), a fresh child per task, or the parent. */
export type Isolation = "one-child-process" | "child-process-per-task" | "in-process";

export type CellStatus = "ok" | "unavailable" | "mismatch" | "error";

export interface Cell {
  readonly workload: string;
  readonly engine: string;
  readonly status: CellStatus;
  /** Why the cell has no time: the unavailability reason, error message or mismatch numbers. */
  readonly detail?: string;
  readonly verification?: EngineOutcome;
  readonly timing?: Timing;
  /** The engine's output after timing, compared with the reference again. */
  readonly postCheck?: Comparison | null;
  readonly throughput?: { readonly value: number; readonly unit: "GFLOP/s" | "GB/s" };
}

export interface Ratio {
  readonly workload: string;
  readonly convkit: string;
  readonly peer: string;
  /** peer time / convkit time: above 1 means convkit is faster. */
  readonly speedup: number;
}

/** A `--memory` measurement of one engine on one workload. */
export interface MemoryCell {
  readonly workload: string;
  readonly engine: string;
  readonly result: MemoryResult;
}

export interface WorkloadSummary {
  readonly id: string;
  readonly label: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly flops: number;
  readonly ioBytes: number;
  readonly reference: string | null;
}

export interface BenchResults {
  readonly system: SystemInfo;
  readonly loadAverageEnd1m: number;
  readonly durationSeconds: number;
  readonly settings: {
    readonly quick: boolean;
    readonly isolation: Isolation;
    readonly mallocEnv: Readonly<Record<string, string>> | null;
    readonly timing: TimingOptions;
  };
  readonly versions: Readonly<Record<string, string>>;
  readonly engines: readonly { readonly id: string; readonly family: "convkit" | "peer"; readonly description: string }[];
  readonly workloads: readonly WorkloadSummary[];
  readonly cells: readonly Cell[];
  readonly ratios: readonly Ratio[];
  /** Peak resident memory per cell, with `--memory`. */
  readonly memory?: readonly MemoryCell[];
}

/** Spread of round medians above which a time is marked `~` (unstable). */
export const UNSTABLE_SPREAD = 0.15;

export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

function formatRate(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function formatSpeedup(speedup: number): string {
  if (speedup >= 1) return `${speedup.toFixed(speedup >= 10 ? 0 : 1)}x faster`;
  const slower = 1 / speedup;
  return `${slower.toFixed(slower >= 10 ? 0 : 1)}x slower`;
}

function shortError(message: string): string {
  const line = message.split("\n")[0].replace(/\|/g, "\\|");
  return line.length > 90 ? `${line.slice(0, 87)}...` : line;
}

function relText(c: Comparison): string {
  if (c.problem) return c.problem;
  return `max|Δ|/max|ref| ${c.relDiff.toExponential(1)}, needs ${c.rule}`;
}

export function cellText(cell: Cell | undefined): string {
  if (!cell) return "–";
  switch (cell.status) {
    case "unavailable":
      return `n/a (${cell.detail ?? "unavailable"})`;
    case "mismatch":
      return `**MISMATCH** (${cell.detail ?? ""})`;
    case "error":
      return `**ERROR**: ${shortError(cell.detail ?? "")}`;
    case "ok": {
      const t = cell.timing;
      if (!t) return "?";
      const mark = t.spread > UNSTABLE_SPREAD ? "~" : "";
      const rate = cell.throughput ? ` · ${formatRate(cell.throughput.value)} ${cell.throughput.unit}` : "";
      return `${mark}${formatMs(t.medianMs)} ms${rate}`;
    }
  }
}

/** "peak 212 MB (+14 MB over the loaded model's 198 MB; model +52 MB over the engine alone)". */
export function memoryText(r: MemoryResult | undefined): string {
  if (!r) return "–";
  if (r.status === "unavailable") return `n/a (${r.reason})`;
  if (r.status === "error") return `**ERROR**: ${shortError(r.message)}`;
  const during = r.peakIsLifetime ? "process peak" : "peak";
  const text = `${during} ${formatMB(r.peak)} (inference +${formatMB(Math.max(0, r.peak - r.loaded))} over ${formatMB(r.loaded)} loaded; workload +${formatMB(Math.max(0, r.loaded - r.baseline))} over the engine alone)`;
  return r.detail ? `${text}; ${r.detail}` : text;
}

export function mismatchDetail(c: Comparison): string {
  return relText(c);
}

function verificationText(o: EngineOutcome | undefined): string {
  if (!o) return "–";
  switch (o.status) {
    case "reference":
      return "reference";
    case "ok":
      return o.comparison.relDiff.toExponential(1);
    case "mismatch":
      return `**MISMATCH** ${relText(o.comparison)}`;
    case "unavailable":
      return "n/a";
    case "error":
      return `**ERROR**: ${shortError(o.message)}`;
  }
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

const ISOLATION_NOTE: Record<Isolation, string> = {
  "one-child-process":
    "one `pnpm bench` run, all engines one after another in one child process of it (started so the malloc settings below apply); each workload is verified before its engines are timed. `--isolate` times every cell in a fresh process instead (perf-notes.md, point 5).",
  "child-process-per-task":
    "`--isolate`: every engine × workload cell was timed in its own fresh child process, and each workload verified in another, so JIT state and allocations left by other engines or the verification pass cannot change a number.",
  "in-process": "`--in-process`: every engine ran in the bench's own process, one after another.",
};

export function renderMarkdown(r: BenchResults): string {
  const s = r.system;
  const engines = r.engines.map((e) => e.id);
  const cell = (w: string, e: string): Cell | undefined => r.cells.find((c) => c.workload === w && c.engine === e);
  const t = r.settings.timing;
  const lines: string[] = [];
  lines.push(`# convkit benchmark${r.settings.quick ? " (--quick)" : ""}`, "");
  lines.push(`- Date: ${s.date}`);
  lines.push(`- Node ${s.node} on ${s.os}`);
  lines.push(`- CPU: ${s.cpuModel}${s.cpuId ? ` (${s.cpuId}${s.avx512 ? ", AVX-512" : ""})` : ""}, ${s.logicalCores} logical cores`);
  lines.push(`- Load average (1 min) at start ${s.loadAverage1m.toFixed(2)}, at end ${r.loadAverageEnd1m.toFixed(2)}; total time ${r.durationSeconds.toFixed(0)} s`);
  lines.push(`- Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(", ") || "–"}`);
  lines.push(`- Isolation: ${ISOLATION_NOTE[r.settings.isolation]}`);
  const timedIn = r.settings.isolation === "in-process" ? "The engines ran" : "Child processes ran";
  if (r.settings.mallocEnv) {
    const vars = Object.entries(r.settings.mallocEnv).map(([k, v]) => `\`${k}=${v}\``).join(" ");
    lines.push(`- ${timedIn} with ${vars}: glibc keeps freed multi-MB blocks for reuse instead of unmapping them, so engines that allocate every output (onnxruntime, tfjs) do not pay page faults on each call. \`--default-malloc\` turns this off.`);
  } else {
    lines.push(`- ${timedIn} with glibc's default malloc settings: engines that allocate every output may pay page faults on each call.`);
  }
  lines.push(
    `- Batch 1, float32, channels-first data, no bias. Warm-up ≥ ${t.warmupMinRuns} runs and ≥ ${t.warmupMinMs} ms, then ${t.rounds} rounds of ${t.minRunsPerRound}${t.maxRunsPerRound > t.minRunsPerRound ? `–${t.maxRunsPerRound}` : ""} runs; a cell is the median over all timed runs. \`~\` marks round medians that differ by more than ${UNSTABLE_SPREAD * 100}%.`,
  );
  lines.push("- Timed: the op call until its output exists in the engine's memory, plus releasing it (tfjs: the eager kernel ran, nothing downloaded; onnxruntime: `session.run` resolved). Layout conversion for tfjs (NHWC, HWIO filters) and model building are outside the timed region.");
  lines.push("- Throughput: GFLOP/s = 2·MACs / time for convolutions; GB/s = (input + output bytes) / time for pooling.");
  if (r.workloads.some((w) => w.id.startsWith("M"))) {
    lines.push(
      "- Whole models (M rows): torchvision networks with torch's seeded weights (tools/models/export_torchvision.py). convkit runs its @convkit/layers definition with the state dict loaded from safetensors; onnxruntime runs torch.onnx.export of the same model (opset 13, its own graph optimisations on); tfjs has no importer for either. Timed: one forward pass. MACs are the conv and linear layers' multiply-accumulates; outputs must agree within 1e-3·max|ref|.",
    );
  }
  lines.push("- Every output is checked against convkit cpu before timing (convs: max|Δ| ≤ 1e-3·max|ref|, avgPool ≤ 1e-5·max|ref|, maxPool exact) and again after timing; a failure replaces the time with **MISMATCH**.");
  lines.push("");
  lines.push(row(["Workload", ...engines]));
  lines.push(row(["---", ...engines.map(() => "--:")]));
  for (const w of r.workloads) lines.push(row([`${w.id} ${w.label}`, ...engines.map((e) => cellText(cell(w.id, e)))]));

  const convkit = r.engines.filter((e) => e.family === "convkit").map((e) => e.id);
  const peers = r.engines.filter((e) => e.family === "peer").map((e) => e.id);
  if (convkit.length && peers.length) {
    lines.push("", "## convkit vs peers", "");
    lines.push(row(["Workload", "convkit backend", ...peers.map((p) => `vs ${p}`)]));
    lines.push(row(["---", "---", ...peers.map(() => "--:")]));
    for (const w of r.workloads) {
      for (const k of convkit) {
        const kc = cell(w.id, k);
        const texts = peers.map((p) => {
          const ratio = r.ratios.find((x) => x.workload === w.id && x.convkit === k && x.peer === p);
          return ratio ? formatSpeedup(ratio.speedup) : "–";
        });
        const label = kc?.status === "ok" ? k : `${k}: ${cellText(kc)}`;
        lines.push(row([`${w.id}`, label, ...texts]));
      }
    }
  }

  if (r.memory?.length) {
    lines.push("", "## Peak memory (`--memory`: resident set size of a fresh child process per cell)", "");
    lines.push(
      "Each cell: the engine loaded (baseline), the workload prepared and run once (loaded: model built and weights in memory, or inputs uploaded), then the peak RSS over further runs (reset after loading, from /proc/self/status). Child processes run with the malloc settings above.",
      "",
    );
    lines.push(row(["Workload", ...engines]));
    lines.push(row(["---", ...engines.map(() => "--:")]));
    for (const w of r.workloads) {
      lines.push(row([w.id, ...engines.map((e) => memoryText(r.memory?.find((m) => m.workload === w.id && m.engine === e)?.result))]));
    }
  }

  lines.push("", "## Verification (max|Δ| / max|reference| before timing)", "");
  lines.push(row(["Workload", "reference", ...engines]));
  lines.push(row(["---", "---", ...engines.map(() => "--:")]));
  for (const w of r.workloads) {
    const ref = w.reference ?? "none";
    const note = w.reference && w.reference !== REFERENCE_ENGINE ? `${ref} (${REFERENCE_ENGINE} cannot run it)` : ref;
    lines.push(row([w.id, note, ...engines.map((e) => verificationText(cell(w.id, e)?.verification))]));
  }
  lines.push("");
  return lines.join("\n");
}
