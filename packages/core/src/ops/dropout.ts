import { assertBool, assertTensor, optionsOf } from "../args.js";
import { type RandomOptions, fromData, pickGenerator } from "../create.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { mul } from "./binary.js";

export interface DropoutOptions extends RandomOptions {
  /** Apply dropout (default true, as F.dropout); false returns the input unchanged. */
  training?: boolean;
}

/**
 * Like F.dropout: in training, zeroes each element with probability `p` and scales the rest by
 * `1 / (1 - p)` (rounded to float32, as torch does); otherwise, or with `p = 0`, returns the input's
 * values unchanged (as a new tensor handle sharing them). The output is `input * mask`, so a NaN stays
 * NaN even where dropped, as in torch, and `p = 1` gives zeros (NaN for NaN and infinite inputs). The mask
 * comes from convkit's seeded generator (`seed` or `generator`, else the default one): reproducible, but
 * not PyTorch's random stream.
 */
export function dropout(input: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  const op = "dropout";
  assertTensor(op, "input", input);
  if (input.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ArgumentError(`${op}: probability p must be between 0 and 1, got ${fmt(p)} (input shape ${fmt(input.shape)})`);
  const o = optionsOf(op, options, input.shape);
  const training = assertBool(op, "training", o.training ?? true, input.shape);
  const g = pickGenerator(op, o);
  if (!training || p === 0 || input.size === 0) return input.reshape(input.shape);
  const mask = new Float32Array(input.size);
  if (p < 1) {
    const scale = Math.fround(1 / Math.fround(1 - p));
    for (let i = 0; i < mask.length; i++) mask[i] = g.uniform() < p ? 0 : scale;
  }
  const m = fromData(mask, input.shape, "float32", input.impl);
  try {
    return mul(input, m);
  } finally {
    m.dispose();
  }
}
