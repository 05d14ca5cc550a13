/** Warm-up and timed rounds of one prepared run. */

export interface TimingOptions {
  /** Warm-up continues until both minimums are met (JIT tiers up over the first calls). */
  readonly warmupMinRuns: number;
  readonly warmupMinMs: number;
  readonly rounds: number;
  readonly minRunsPerRound: number;
  /** Fast ops get more runs per round, up to this much time per round... */
  readonly targetRoundMs: number;
  /** ...but never more than this many. */
  readonly maxRunsPerRound: number;
}

export const FULL_TIMING: TimingOptions = { warmupMinRuns: 5, warmupMinMs: 300, rounds: 3, minRunsPerRound: 10, targetRoundMs: 250, maxRunsPerRound: 200 };
export const QUICK_TIMING: TimingOptions = { warmupMinRuns: 3, warmupMinMs: 50, rounds: 3, minRunsPerRound: 3, targetRoundMs: 0, maxRunsPerRound: 3 };

export interface Timing {
  /** Median of every timed run. */
  readonly medianMs: number;
  readonly roundMediansMs: readonly number[];
  /** (max - min) of the round medians over the median: how much the rounds disagree. */
  readonly spread: number;
  readonly runsPerRound: number;
  readonly warmupRuns: number;
  readonly minMs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Run = () => void | Promise<void>;

/** Between rounds, outside timing, so one round's garbage is not collected inside the next. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
}

async function timeOnce(run: Run): Promise<number> {
  const t0 = performance.now();
  const pending = run();
  if (pending !== undefined) await pending;
  return performance.now() - t0;
}

export async function measure(run: Run, options: TimingOptions): Promise<Timing> {
  let warmupRuns = 0;
  let warmupMs = 0;
  const warmupTimes: number[] = [];
  while (warmupRuns < options.warmupMinRuns || warmupMs < options.warmupMinMs) {
    const t = await timeOnce(run);
    warmupTimes.push(t);
    warmupMs += t;
    warmupRuns++;
    if (warmupRuns >= 1000) break;
  }
  // Size rounds from the warmed-up speed (the last warm-up runs), not the first, slow, calls.
  const estimate = Math.max(median(warmupTimes.slice(-3)), 1e-3);
  const wanted = Math.ceil(options.targetRoundMs / estimate);
  const runsPerRound = Math.min(options.maxRunsPerRound, Math.max(options.minRunsPerRound, wanted));

  const all: number[] = [];
  const roundMediansMs: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    collectGarbage();
    const times: number[] = [];
    for (let i = 0; i < runsPerRound; i++) times.push(await timeOnce(run));
    roundMediansMs.push(median(times));
    all.push(...times);
  }
  const medianMs = median(all);
  const spread = (Math.max(...roundMediansMs) - Math.min(...roundMediansMs)) / medianMs;
  return { medianMs, roundMediansMs, spread, runsPerRound, warmupRuns, minMs: Math.min(...all) };
}
