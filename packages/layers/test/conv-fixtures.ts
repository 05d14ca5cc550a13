/** Loads test/fixtures/conv-layers.json (written by tools/fixtures/generate_conv_layers.py with real PyTorch). */
import { readFileSync } from "node:fs";
import type { Comparison, JsonTensor } from "@convkit/conformance";
import { fromJson } from "@convkit/conformance";
import type { Tensor } from "@convkit/core";
import type { JsonValue, ModuleSpec } from "./layer-fixtures.js";

export interface ConvReprCase {
  id: string;
  module: ModuleSpec;
  repr: string;
  parameterCount: number;
  namedParameters: [string, number[]][];
}

export interface InitCase {
  id: string;
  module: ModuleSpec;
  fanIn: number;
  weightShape: number[];
  biasShape: number[];
}

export interface ConvForwardCase {
  id: string;
  module: ModuleSpec;
  state: Record<string, JsonTensor>;
  inputs: JsonTensor[];
  args: JsonValue[];
  outputs: JsonTensor[];
  compare: Comparison[];
}

export interface OutputSizeErrorCase {
  id: string;
  module: ModuleSpec;
  inputShape: number[];
  outputSize: number[];
  torchMessage: string;
  min?: number[];
  max?: number[];
}

export interface CompositeCase {
  id: string;
  module: ModuleSpec;
  state: Record<string, JsonTensor>;
  input: JsonTensor;
  dense: { weight: JsonTensor; bias: JsonTensor | null; options: Record<string, JsonValue>; paddingMode: string };
  output: JsonTensor;
}

export interface SobelCase {
  id: string;
  input: JsonTensor;
  options: { padding: number; inChannels?: number; depthwise?: boolean; paddingMode?: "replicate" };
  output: JsonTensor;
}

export interface SeparateCase {
  id: string;
  kernel: number[][];
  rank: number;
  singularValues: number[];
  residual: number;
  bestRank1: number[][];
  column: number[];
  row: number[];
}

export interface ConvLayerFixtures {
  generator: string;
  torch: string;
  reprs: ConvReprCase[];
  init: InitCase[];
  forwards: ConvForwardCase[];
  outputSizeErrors: OutputSizeErrorCase[];
  composites: CompositeCase[];
  sobel: { kernel: number[][]; cases: SobelCase[] };
  separate: SeparateCase[];
}

export const convFixtures: ConvLayerFixtures = JSON.parse(readFileSync(new URL("./fixtures/conv-layers.json", import.meta.url), "utf8"));

/** A fixture's state dict as convkit tensors (the caller disposes them). */
export function stateFromJson(state: Record<string, JsonTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, fromJson(v)]));
}

export function disposeAll(tensors: Record<string, Tensor> | Tensor[]): void {
  for (const t of Array.isArray(tensors) ? tensors : Object.values(tensors)) t.dispose();
}
