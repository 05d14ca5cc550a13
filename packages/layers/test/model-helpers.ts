/** Shared by the model tests: reading safetensors fixtures, loading weights into a model, comparing outputs as torch.allclose does. */
import { readFileSync } from "node:fs";
import type { Tensor } from "@convkit/core";
import { expect } from "vitest";
import { type Module, loadSafetensors } from "../src/index.js";

/** The tensors of a safetensors file, on the active backend (the caller disposes them). */
export function readTensors(path: string): Record<string, Tensor> {
  return loadSafetensors(readFileSync(path)).tensors;
}

/** Loads the state dict in `path` into `model` strictly (every key, no extra), then frees the loaded copies. */
export function loadWeights(model: Module, path: string): void {
  const weights = readTensors(path);
  try {
    model.loadStateDict(weights, { strict: true });
  } finally {
    for (const t of Object.values(weights)) t.dispose();
  }
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The agreement rule of the issue: torch.allclose's |actual - expected| <= atol + rtol * |expected|. */
export const AGREEMENT: Tolerance = { rtol: 1e-4, atol: 1e-4 };

/**
 * Asserts `actual` matches `expected` in shape and, element by element, within `tol`; a failure names the
 * number of elements outside, the worst one and the largest difference.
 */
export function expectAllClose(actual: Tensor, expected: Tensor, tol: Tolerance, what: string): void {
  expect(actual.shape, `${what}: output shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let outside = 0;
  let worst = -1;
  let worstExcess = 0;
  let maxAbsDiff = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs(a[i] - e[i]);
    const excess = d - (tol.atol + tol.rtol * Math.abs(e[i]));
    if (!(d <= maxAbsDiff)) maxAbsDiff = d;
    if (!(excess <= 0)) {
      outside++;
      if (worst < 0 || !(excess <= worstExcess)) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  const detail = worst < 0 ? "" : `; worst at flat index ${worst}: got ${a[worst]}, torch ${e[worst]}`;
  expect(outside, `${what}: ${outside} of ${e.length} values outside rtol ${tol.rtol}, atol ${tol.atol} (max |diff| ${maxAbsDiff})${detail}`).toBe(0);
}
