/** Shape-only ops: the data keeps its row-major order, so each is a reshape sharing storage. */
import { assertTensor } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import { type Tensor, sizeOf } from "../tensor.js";
import { normDim, normDims } from "./dims.js";

/** Same data in a new shape (one entry may be -1), like torch.reshape. */
export function reshape(input: Tensor, shape: readonly number[]): Tensor {
  assertTensor("reshape", "input", input);
  return input.reshape(shape);
}

/** Merges dims `startDim..endDim` into one, like torch.flatten; a 0-d input becomes 1-D. */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  assertTensor("flatten", "input", input);
  const s = normDim("flatten", "startDim", startDim, input.shape);
  const e = normDim("flatten", "endDim", endDim, input.shape);
  if (s > e) throw new ArgumentError(`flatten: startDim (${startDim}, dim ${s}) must not come after endDim (${endDim}, dim ${e}) (input shape ${fmt(input.shape)})`);
  if (input.shape.length === 0) return input.reshape([1]);
  const merged = sizeOf(input.shape.slice(s, e + 1));
  return input.reshape([...input.shape.slice(0, s), merged, ...input.shape.slice(e + 1)]);
}

/** Drops size-1 dims: all of them, or those among `dim` (others are left alone), like torch.squeeze. */
export function squeeze(input: Tensor, dim?: number | readonly number[]): Tensor {
  assertTensor("squeeze", "input", input);
  const dims = new Set(normDims("squeeze", "dim", dim, input.shape));
  return input.reshape(input.shape.filter((d, i) => !(d === 1 && dims.has(i))));
}

/** Inserts a size-1 dim at `dim` (in `[-rank - 1, rank]`), like torch.unsqueeze. */
export function unsqueeze(input: Tensor, dim: number): Tensor {
  assertTensor("unsqueeze", "input", input);
  const d = normDim("unsqueeze", "dim", dim, input.shape, 1);
  return input.reshape([...input.shape.slice(0, d), 1, ...input.shape.slice(d)]);
}
