/** Output comparison against the reference engine, with a tolerance per kind of op. */
import type { WorkloadKind } from "./workloads.js";

export interface Tolerance {
  /** Allowed max |actual - reference| divided by max |reference|. */
  readonly relative: number;
  readonly rule: string;
}

/**
 * Convs sum hundreds of products in engine-specific orders (GEMM blocking, FMA or not), so they agree to
 * about 1e-6 of the output scale; 1e-3 leaves room while still catching any layout or padding mistake.
 * Averages differ by one rounding; a maximum is an input value, so it must match exactly.
 */
export function toleranceFor(kind: WorkloadKind): Tolerance {
  switch (kind) {
    case "conv":
    case "convTranspose":
    case "model":
      return { relative: 1e-3, rule: "max|Δ| ≤ 1e-3·max|ref|" };
    case "avgPool":
      return { relative: 1e-5, rule: "max|Δ| ≤ 1e-5·max|ref|" };
    case "maxPool":
      return { relative: 0, rule: "exact" };
  }
}

export interface Comparison {
  readonly ok: boolean;
  readonly maxAbsDiff: number;
  /** maxAbsDiff / max |reference|. */
  readonly relDiff: number;
  readonly rule: string;
  /** Set when the comparison failed for a reason other than size of difference. */
  readonly problem?: string;
}

export function compareOutputs(actual: Float32Array, reference: Float32Array, tolerance: Tolerance): Comparison {
  const rule = tolerance.rule;
  if (actual.length !== reference.length) {
    return { ok: false, maxAbsDiff: Number.NaN, relDiff: Number.NaN, rule, problem: `${actual.length} values, reference has ${reference.length}` };
  }
  let maxAbsDiff = 0;
  let refMax = 0;
  let nonFinite = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const r = reference[i];
    if (!Number.isFinite(a) || !Number.isFinite(r)) {
      nonFinite++;
      continue;
    }
    const d = Math.abs(a - r);
    if (d > maxAbsDiff) maxAbsDiff = d;
    const m = Math.abs(r);
    if (m > refMax) refMax = m;
  }
  if (nonFinite > 0) return { ok: false, maxAbsDiff, relDiff: Number.NaN, rule, problem: `${nonFinite} non-finite values` };
  const relDiff = refMax > 0 ? maxAbsDiff / refMax : maxAbsDiff;
  return { ok: relDiff <= tolerance.relative, maxAbsDiff, relDiff, rule };
}
