/**
 * Cases from the committed PyTorch fixtures (`fixtures/*.json`, written by `tools/fixtures/generate.py`
 * with Debian's torch). A case calls the core op named `op` as `op(...inputs, ...args)`.
 */
import * as core from "@convkit/core";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromJson } from "../json-tensor.js";
import type { Comparison, ConformanceCase, Feature, JsonTensor } from "../types.js";

export interface FixtureCase {
  id: string;
  op: string;
  inputs: JsonTensor[];
  args: unknown[];
  outputs: JsonTensor[];
  compare: Comparison[];
  features: Feature[];
}

export interface FixtureFile {
  generator: string;
  torch: string;
  cases: FixtureCase[];
}

export const FIXTURE_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));

type AnyOp = (...a: unknown[]) => core.Tensor | core.Tensor[];

export function loadFixtureFiles(dir = FIXTURE_DIR): FixtureFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as FixtureFile);
}

export function pytorchCases(): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const file of loadFixtureFiles()) {
    for (const fc of file.cases) {
      const fn = (core as unknown as Record<string, AnyOp>)[fc.op];
      if (typeof fn !== "function") throw new Error(`fixture ${fc.id}: @convkit/core has no op ${fc.op}`);
      out.push({
        id: `pytorch/${fc.id}`,
        source: "pytorch",
        features: fc.features,
        outputs: fc.outputs.map((o, i) => ({ name: `output ${i}`, expected: o, compare: fc.compare[i] ?? "close" })),
        run: () => {
          const inputs = fc.inputs.map(fromJson);
          const r = fn(...inputs, ...fc.args);
          return Array.isArray(r) ? r : [r];
        },
      });
    }
  }
  return out;
}
