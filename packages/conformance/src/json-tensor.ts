import { type Tensor, tensor } from "@convkit/core";
import type { JsonTensor } from "./types.js";

/** Flat values with the non-finite strings decoded (any JSON tensor format with the same `data` encoding). */
export function decodeValues(t: Pick<JsonTensor, "data">): number[] {
  return t.data.map((v) => (v === "NaN" ? Number.NaN : v === "Infinity" ? Number.POSITIVE_INFINITY : v === "-Infinity" ? Number.NEGATIVE_INFINITY : v));
}

/** Builds a tensor on the active backend from a JSON tensor. */
export function fromJson(t: JsonTensor): Tensor {
  const values = decodeValues(t);
  return tensor(t.dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values), t.shape, t.dtype);
}
