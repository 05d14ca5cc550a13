/** Loads test/fixtures/layers2.json (written by tools/fixtures/generate_layers2.py with real PyTorch) and builds its module specs. */
import { readFileSync } from "node:fs";
import type { Comparison, JsonTensor } from "@convkit/conformance";
import * as layers from "../src/index.js";
import type { Module, TensorModule } from "../src/index.js";
import type { JsonValue, ModuleSpec } from "./layer-fixtures.js";

export interface ForwardCase {
  id: string;
  module: ModuleSpec;
  mode: "train" | "eval";
  state: Record<string, JsonTensor>;
  inputs: JsonTensor[];
  outputs: JsonTensor[];
  compare: Comparison[];
}

export interface BatchNormStep {
  mode: "train" | "eval";
  input: JsonTensor;
  output: JsonTensor;
  state: Record<string, JsonTensor>;
}

export interface BatchNormCase {
  id: string;
  module: ModuleSpec;
  state: Record<string, JsonTensor>;
  steps: BatchNormStep[];
}

export interface StateKeysCase {
  id: string;
  module: ModuleSpec;
  /** `[key, shape, torch dtype]` in state_dict() order. */
  stateDict: [string, number[], string][];
  namedParameters: string[];
  namedBuffers: string[];
  parameterCount: number;
}

export interface Layers2Fixtures {
  generator: string;
  torch: string;
  reprs: { id: string; module: ModuleSpec; repr: string }[];
  forwards: ForwardCase[];
  batchNorm: BatchNormCase[];
  stateKeys: StateKeysCase[];
}

export const fixtures2: Layers2Fixtures = JSON.parse(readFileSync(new URL("./fixtures/layers2.json", import.meta.url), "utf8"));

type AnyLayer = new (...args: JsonValue[]) => Module;

/** Builds the convkit module a spec describes, including ModuleList and ModuleDict (the generator builds torch's). */
export function build(spec: ModuleSpec): Module {
  const named = spec.named ? Object.entries(spec.named).map(([k, v]) => [k, build(v)] as [string, Module]) : null;
  const children = (spec.children ?? []).map(build);
  if (spec.type === "Sequential") {
    return named ? new layers.Sequential(Object.fromEntries(named) as Record<string, TensorModule>) : new layers.Sequential(...(children as TensorModule[]));
  }
  if (spec.type === "ModuleList") return new layers.ModuleList(children);
  if (spec.type === "ModuleDict") return new layers.ModuleDict(named ?? []);
  const Layer = (layers as unknown as Record<string, AnyLayer | undefined>)[spec.type];
  if (typeof Layer !== "function") throw new Error(`fixture names unknown layer ${spec.type}`);
  const args = spec.args ?? [];
  return spec.options ? new Layer(...args, spec.options) : new Layer(...args);
}
