/** In-memory datasets: every sample's input and target in flat typed arrays, as the data loader batches them. */
import { ArgumentError, ShapeError, type Tensor } from "@convkit/core";

/**
 * A dataset held in memory: sample `i`'s input is `inputs.subarray(i * n, (i + 1) * n)` with
 * `n = prod(inputShape)`, and likewise its target. Class targets are int32 with `targetShape` `[]`.
 */
export interface InMemoryDataset {
  /** Number of samples. */
  readonly length: number;
  /** Shape of one sample's input, e.g. `[1, 28, 28]`. */
  readonly inputShape: readonly number[];
  readonly inputs: Float32Array;
  /** Shape of one sample's target: `[]` for a class index. */
  readonly targetShape: readonly number[];
  readonly targets: Int32Array | Float32Array;
}

const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;

/** Checks the arrays of `dataset` fill its shapes exactly; throws a ShapeError naming the mismatch. */
export function checkDataset(where: string, dataset: InMemoryDataset): void {
  if (dataset === null || typeof dataset !== "object") throw new ArgumentError(`${where}: dataset must be an object { length, inputShape, inputs, targetShape, targets }, got ${String(dataset)}`);
  const { length, inputShape, inputs, targetShape, targets } = dataset;
  if (!Number.isInteger(length) || length < 0) throw new ArgumentError(`${where}: dataset.length must be a non-negative integer, got ${String(length)}`);
  if (!(inputs instanceof Float32Array)) throw new ArgumentError(`${where}: dataset.inputs must be a Float32Array`);
  if (!(targets instanceof Int32Array || targets instanceof Float32Array)) throw new ArgumentError(`${where}: dataset.targets must be an Int32Array (class indices) or a Float32Array`);
  if (inputs.length !== length * prod(inputShape)) {
    throw new ShapeError(`${where}: dataset.inputs holds ${inputs.length} values, but ${length} samples of shape ${shapeText(inputShape)} need ${length * prod(inputShape)}`);
  }
  if (targets.length !== length * prod(targetShape)) {
    throw new ShapeError(`${where}: dataset.targets holds ${targets.length} values, but ${length} targets of shape ${shapeText(targetShape)} need ${length * prod(targetShape)}`);
  }
}

/**
 * Like `torch.utils.data.TensorDataset(inputs, targets)`: sample `i` is `inputs[i]` and `targets[i]` (their
 * first dims must agree). The values are copied out once; the tensors stay the caller's.
 */
export function tensorDataset(inputs: Tensor, targets: Tensor): InMemoryDataset {
  if (inputs.shape.length === 0 || targets.shape.length === 0) throw new ShapeError(`tensorDataset: inputs and targets need a sample dim, got shapes ${shapeText(inputs.shape)} and ${shapeText(targets.shape)}`);
  if (inputs.shape[0] !== targets.shape[0]) {
    throw new ShapeError(`tensorDataset: inputs and targets must hold the same number of samples (first dim), got shapes ${shapeText(inputs.shape)} and ${shapeText(targets.shape)}`);
  }
  if (inputs.dtype !== "float32") throw new ArgumentError(`tensorDataset: inputs must be float32, got ${inputs.dtype}`);
  const t = targets.dataSync();
  return {
    length: inputs.shape[0],
    inputShape: inputs.shape.slice(1),
    inputs: Float32Array.from(inputs.dataSync()),
    targetShape: targets.shape.slice(1),
    targets: targets.dtype === "int32" ? Int32Array.from(t) : Float32Array.from(t),
  };
}
