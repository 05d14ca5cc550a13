import { assertTensor } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { normDim } from "./dims.js";
import { noGrad, record, wrap } from "./kernel-call.js";

/** Reorders dims so output dim `i` is input dim `perm[i]`, like torch.permute; the result is a contiguous copy. */
export function permute(input: Tensor, dims: readonly number[]): Tensor {
  assertTensor("permute", "input", input);
  const rank = input.shape.length;
  if (!Array.isArray(dims) || dims.length !== rank) {
    throw new ArgumentError(`permute: dims must list each of the input's ${rank} dims once, got ${fmt(dims)} (input shape ${fmt(input.shape)})`);
  }
  const perm = dims.map((d) => normDim("permute", "dims", d, input.shape));
  if (new Set(perm).size !== rank) throw new ArgumentError(`permute: dims must list each of the input's ${rank} dims once, got ${fmt(dims)} with a repeated dim (input shape ${fmt(input.shape)})`);
  const shape = perm.map((p) => input.shape[p]);
  // Moving only unit dims keeps the row-major order of the data: a reshape suffices.
  const moved = perm.filter((p) => input.shape[p] !== 1);
  const y = moved.every((p, i) => i === 0 || moved[i - 1] < p) ? noGrad(() => input.reshape(shape)) : wrap(input.impl, input.impl.transpose(input, perm), shape, input.dtype);
  if (input.dtype === "float32") {
    const inverse = perm.map((_, i) => perm.indexOf(i));
    record("permuteBackward", [input], [y], ([g]) => [permute(g, inverse)]);
  }
  return y;
}

/** Swaps two dims, like torch.transpose; the result is a contiguous copy. */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  assertTensor("transpose", "input", input);
  const a = normDim("transpose", "dim0", dim0, input.shape);
  const b = normDim("transpose", "dim1", dim1, input.shape);
  const perm = input.shape.map((_, i) => i);
  if (perm.length === 0) return input.reshape([]);
  perm[a] = b;
  perm[b] = a;
  return permute(input, perm);
}
