/** Loads test/fixtures/layers.json (written by tools/fixtures/generate_layers.py with real PyTorch) and builds its module specs. */
import { readFileSync } from "node:fs";
import type { Comparison, JsonTensor } from "@convkit/conformance";
import * as layers from "../src/index.js";
import type { Module, TensorModule } from "../src/index.js";

export type JsonValue = number | boolean | string | null | JsonValue[] | { [key: string]: JsonValue };

export interface ModuleSpec {
  type: string;
  args?: JsonValue[];
  options?: Record<string, JsonValue>;
  children?: ModuleSpec[];
  named?: Record<string, ModuleSpec>;
}

export interface ReprCase {
  id: string;
  module: ModuleSpec;
  repr: string;
}

export interface ForwardCase {
  id: string;
  module: ModuleSpec;
  inputs: JsonTensor[];
  args: JsonValue[];
  outputs: JsonTensor[];
  compare: Comparison[];
}

export interface SppCase {
  id: string;
  levels: number[];
  mode: "max" | "avg";
  input: JsonTensor;
  output: JsonTensor;
  compare: Comparison;
}

type Named = [string, number[]][];

export interface TreeFacts {
  repr: string;
  namedModules: [string, string][];
  namedChildren: [string, string][];
  namedParameters: Named;
  namedBuffers: Named;
  layersNamedParameters: Named;
  stemOwnParameters: Named;
  training: { eval: boolean[]; "layers.train": boolean[] };
}

export interface LayerFixtures {
  generator: string;
  torch: string;
  reprs: ReprCase[];
  forwards: ForwardCase[];
  spp: SppCase[];
  tree: TreeFacts;
}

export const fixtures: LayerFixtures = JSON.parse(readFileSync(new URL("./fixtures/layers.json", import.meta.url), "utf8"));

type AnyLayer = new (...args: JsonValue[]) => Module;

/** Builds the convkit module a spec describes (the generator builds torch's from the same spec). */
export function build(spec: ModuleSpec): Module {
  if (spec.type === "Sequential") {
    if (spec.named) return new layers.Sequential(Object.fromEntries(Object.entries(spec.named).map(([k, v]) => [k, build(v) as TensorModule])));
    return new layers.Sequential(...(spec.children ?? []).map((c) => build(c) as TensorModule));
  }
  const Layer = (layers as unknown as Record<string, AnyLayer | undefined>)[spec.type];
  if (typeof Layer !== "function") throw new Error(`fixture names unknown layer ${spec.type}`);
  const args = spec.args ?? [];
  return spec.options ? new Layer(...args, spec.options) : new Layer(...args);
}
