/** PyTorch's numbers for the CLI tests: test/fixtures/cli.json, written by tools/fixtures/generate_cli.py. */
import { readFileSync } from "node:fs";

export interface JsonTensor {
  shape: number[];
  dtype: "float32";
  data: number[];
}

export interface ConvFixture {
  id: string;
  /** The `convkit conv` op, e.g. "conv-transpose2d". */
  op: string;
  /** CLI options asking for the same call torch made, e.g. ["--stride", "2"]. */
  argv: string[];
  input: JsonTensor;
  weight: JsonTensor;
  bias: JsonTensor | null;
  output: JsonTensor;
  /** Integer-valued inputs: torch's float32 output is exact, so convkit's must equal it. */
  exact: boolean;
}

export interface ShapeFixture {
  id: string;
  input: number[];
  rows: { layer: string; shape: number[]; params: number; macs: number | null }[];
}

export interface ImageFixture {
  id: string;
  argv: string[];
  channels: number;
  height: number;
  width: number;
  /** The float output before normalisation, (C, H, W). */
  float: JsonTensor;
  /** The PNG's pixel bytes after normalisation, interleaved per pixel (channels 1 or 3). */
  bytes: number[];
}

export interface CliFixtures {
  torch: string;
  conv: ConvFixture[];
  shape: ShapeFixture[];
  image: { width: number; height: number; rgb: number[]; cases: ImageFixture[] };
}

export const FIXTURES: CliFixtures = JSON.parse(readFileSync(new URL("./fixtures/cli.json", import.meta.url), "utf8"));

export function fixture<K extends "conv" | "shape">(section: K, id: string): CliFixtures[K][number] {
  const found = (FIXTURES[section] as CliFixtures[K][number][]).find((c) => c.id === id);
  if (!found) throw new Error(`no ${section} fixture ${id}`);
  return found;
}
