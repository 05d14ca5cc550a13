import type { Tensor } from "@convkit/core";
import { decodeValues } from "./json-tensor.js";
import type { ExpectedOutput, Tolerance } from "./types.js";

/**
 * Default tolerance for "close" outputs: |a - e| <= atol + rtol * |e|. Kernels accumulate in float64
 * or float32 in another order than PyTorch's float32 loops; 1e-5 relative covers windows of
 * hundreds of taps with margin, atol covers cancellation near zero.
 */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-6 };

/** Returns null when equal, else a message naming the first mismatches. */
export function compareOutput(actual: Tensor, exp: ExpectedOutput, tol: Tolerance): string | null {
  const e = exp.expected;
  if (actual.shape.length !== e.shape.length || actual.shape.some((d, i) => d !== e.shape[i])) {
    return `${exp.name}: shape ${JSON.stringify(actual.shape)} != expected ${JSON.stringify(e.shape)}`;
  }
  if (actual.dtype !== e.dtype) return `${exp.name}: dtype ${actual.dtype} != expected ${e.dtype}`;
  const a = actual.dataSync();
  const want = decodeValues(e);
  const t = exp.tolerance ?? tol;
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const x = a[i];
    const y = e.dtype === "float32" ? Math.fround(want[i]) : want[i];
    let ok: boolean;
    if (Number.isNaN(y)) ok = Number.isNaN(x);
    else if (exp.compare === "exact" || !Number.isFinite(y)) ok = Object.is(x, y) || (x === 0 && y === 0);
    else ok = Math.abs(x - y) <= t.atol + t.rtol * Math.abs(y);
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${x}, expected ${y}`);
    }
  }
  if (count === 0) return null;
  return `${exp.name}: ${count}/${want.length} elements differ (${exp.compare}${exp.compare === "close" ? `, rtol ${t.rtol}, atol ${t.atol}` : ""}): ${bad.join("; ")}`;
}
