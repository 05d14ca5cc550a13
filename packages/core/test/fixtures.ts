/** Loaders for the PyTorch-generated fixtures in ./fixtures (see tools/fixtures/generate_*.py). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface JsonTensor {
  shape: number[];
  dtype: "float32" | "int32";
  data: (number | "NaN" | "Infinity" | "-Infinity")[];
}

export interface ReprCase {
  id: string;
  tensor: JsonTensor;
  repr: string;
  /** Present when `tensor` is torch.arange(start, end, step). */
  arange?: [number, number, number];
}

export interface PoolSizeCase {
  in: number;
  kernel: number;
  stride: number;
  padBegin: number;
  padEnd: number;
  dilation: number;
  ceilMode: boolean;
  /** null where PyTorch refused: the output would be empty. */
  out: number | null;
}

export interface AdaptiveCase {
  in: number;
  out: number;
  start: number[];
  end: number[];
}

export interface UnpoolCase {
  in: number;
  kernel: number;
  stride: number;
  padding: number;
  default: number;
  accepted: number[];
  rejected: number[];
}

export interface SameCase {
  in: number;
  kernel: number;
  dilation: number;
  stride: number;
  begin: number;
  end: number;
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8")) as T;
}

export const reprCases = (): ReprCase[] => load<{ cases: ReprCase[] }>("repr.json").cases;

export const outputSizeFixture = (): { pool: PoolSizeCase[]; adaptive: AdaptiveCase[]; unpool: UnpoolCase[]; same: SameCase[] } => load("output-size.json");

/** The flat values of a JSON tensor as a typed array of its dtype. */
export function jsonValues(t: JsonTensor): Float32Array | Int32Array {
  const values = t.data.map((v) => (v === "NaN" ? Number.NaN : v === "Infinity" ? Number.POSITIVE_INFINITY : v === "-Infinity" ? Number.NEGATIVE_INFINITY : v));
  return t.dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values);
}
