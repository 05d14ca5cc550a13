/**
 * Cases from the committed PyTorch fixtures (`fixtures/*.json`, written by `tools/fixtures/generate_*.py`
 * with Debian's torch). A case calls the core op named `op` as `op(...inputs, ...args)`, or with its
 * `call` argument list when it has one. A case with `grad` also runs backward and compares gradients.
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
  /**
   * Optional explicit argument list replacing `(...inputs, ...args)`: any `{ "input": i }` in it (also
   * nested in arrays) stands for input tensor i, e.g. `[[{"input":0},{"input":1}], 1]` for
   * `cat([a, b], 1)` or `[2.5, {"input":0}]` for `sub(2.5, x)`; markers inside option objects work
   * too: `[{"input":0}, {"input":1}, {"bias": {"input":2}}]` for `conv2d(x, w, { bias })`.
   */
  call?: unknown[];
  /**
   * Gradient check: the inputs listed in `wrt` require grad, backward runs from the op's outputs with
   * `upstream[i]` as the gradient of output i (null for outputs that get none, e.g. indices), and the
   * gradients of the `wrt` inputs, in that order, follow the op's outputs in `outputs` / `compare`.
   */
  grad?: { upstream: (JsonTensor | null)[]; wrt: number[] };
}

export interface FixtureFile {
  generator: string;
  torch: string;
  cases: FixtureCase[];
}

export const FIXTURE_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));

/** The tutorial's fixture (same case format), read by tutorial.ts as the suite's "tutorial" cases. */
export const TUTORIAL_FIXTURE = "tutorial.json";

type AnyOp = (...a: unknown[]) => core.Tensor | core.Tensor[];

export function loadFixtureFiles(dir = FIXTURE_DIR): FixtureFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== TUTORIAL_FIXTURE)
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as FixtureFile);
}

/** Replaces each `{ "input": i }` marker in a `call` list (in arrays and option objects) by input tensor i. */
function withInputs(value: unknown, inputs: readonly core.Tensor[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withInputs(v, inputs));
  if (value !== null && typeof value === "object" && Object.keys(value).length === 1 && typeof (value as { input?: unknown }).input === "number") {
    return inputs[(value as { input: number }).input];
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withInputs(v, inputs)]));
  }
  return value;
}

/** Runs backward from `outs` with the case's upstream gradients; returns the `wrt` inputs' gradients (aliases the caller owns). */
function gradients(fc: FixtureCase, inputs: readonly core.Tensor[], outs: readonly core.Tensor[], grad: NonNullable<FixtureCase["grad"]>): core.Tensor[] {
  const roots: core.Tensor[] = [];
  const upstream: core.Tensor[] = [];
  grad.upstream.forEach((u, i) => {
    if (u === null) return;
    roots.push(outs[i]);
    upstream.push(fromJson(u));
  });
  core.backward(roots, upstream);
  return grad.wrt.map((i) => {
    const g = inputs[i].grad;
    if (g === null) throw new Error(`${fc.id}: no gradient reached input ${i}`);
    return g.detach();
  });
}

/** A fixture case as a conformance case: calls core's `fc.op` and expects `fc.outputs`. */
export function fixtureCase(fc: FixtureCase, source: ConformanceCase["source"], id: string): ConformanceCase {
  const fn = (core as unknown as Record<string, AnyOp>)[fc.op];
  if (typeof fn !== "function") throw new Error(`fixture ${fc.id}: @convkit/core has no op ${fc.op}`);
  return {
    id,
    source,
    features: fc.features,
    outputs: fc.outputs.map((o, i) => ({ name: `output ${i}`, expected: o, compare: fc.compare[i] ?? "close" })),
    run: () => {
      const inputs = fc.inputs.map(fromJson);
      for (const i of fc.grad?.wrt ?? []) inputs[i].requiresGrad = true;
      const r = fc.call ? fn(...(withInputs(fc.call, inputs) as unknown[])) : fn(...inputs, ...fc.args);
      const outs = Array.isArray(r) ? r : [r];
      return fc.grad ? [...outs, ...gradients(fc, inputs, outs, fc.grad)] : outs;
    },
  };
}

export function pytorchCases(): ConformanceCase[] {
  return loadFixtureFiles().flatMap((file) => file.cases.map((fc) => fixtureCase(fc, "pytorch", `pytorch/${fc.id}`)));
}
