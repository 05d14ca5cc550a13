/**
 * Every engine the benchmark knows, in column order: convkit backends first (one per CONVKIT_BACKENDS
 * entry), then the peers a user would pick instead.
 */
import { CONVKIT_BACKENDS, convkitEngine } from "./convkit.js";
import { ORT_ENGINES } from "./ort.js";
import { TFJS_ENGINES } from "./tfjs.js";
import type { EngineSpec } from "./types.js";

export const ENGINES: readonly EngineSpec[] = [...CONVKIT_BACKENDS.map(convkitEngine), ...TFJS_ENGINES, ...ORT_ENGINES];

/**
 * convkit's portable cpu path (TypeScript kernels, float64 accumulation) is the reference every other
 * engine, convkit's SIMD path included, is verified against.
 */
export const REFERENCE_ENGINE = "convkit-cpu-portable";

/** When the reference cannot run a workload, peers are cross-checked against the first of these that can. */
export const FALLBACK_REFERENCES: readonly string[] = ["ort-1t", "ort-2t", "tfjs-cpu", "tfjs-wasm"];

export function findEngine(id: string): EngineSpec {
  const e = ENGINES.find((x) => x.id === id);
  if (!e) throw new Error(`unknown engine ${JSON.stringify(id)} (known: ${ENGINES.map((x) => x.id).join(", ")})`);
  return e;
}

export function selectEngines(ids: readonly string[] | null): EngineSpec[] {
  if (!ids) return [...ENGINES];
  const wanted = ids.map((s) => s.trim()).filter(Boolean);
  for (const id of wanted) findEngine(id);
  return ENGINES.filter((e) => wanted.includes(e.id));
}
