/** Batches of an in-memory dataset as tensors, optionally in a seeded random order: torch's DataLoader for in-memory data. */
import { ArgumentError, Generator, type Tensor, defaultGenerator, tensor } from "@convkit/core";
import { type InMemoryDataset, checkDataset } from "./dataset.js";

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order every epoch (default false: in order). */
  shuffle?: boolean;
  /** Seed of the shuffling generator, so runs repeat; without it the shuffle draws from core's default generator (see `manualSeed`). */
  seed?: number;
  /** Leave out the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** One batch: the inputs stacked as `[B, ...inputShape]` (float32) and the targets as `[B, ...targetShape]`; the caller disposes both. */
export interface Batch {
  input: Tensor;
  target: Tensor;
  /** Which samples of the dataset the batch holds, in order. */
  indices: Int32Array;
}

/**
 * Iterates an in-memory dataset in batches, like `torch.utils.data.DataLoader(dataset, batch_size,
 * shuffle, drop_last, generator)`: each `for (const batch of loader)` is one epoch. With `shuffle`, every
 * epoch is a fresh permutation drawn from a generator seeded once (by `seed`), so epoch k of two loaders
 * with the same seed visits the samples in the same order. Batch tensors land on the active backend.
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: InMemoryDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly #generator: Generator;

  constructor(dataset: InMemoryDataset, options: DataLoaderOptions = {}) {
    checkDataset("DataLoader", dataset);
    if (options === null || typeof options !== "object") throw new ArgumentError(`DataLoader: options must be an object such as { batchSize: 64, shuffle: true }, got ${String(options)}`);
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`DataLoader: batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`);
    for (const key of ["shuffle", "dropLast"] as const) {
      const v = options[key];
      if (v !== undefined && typeof v !== "boolean") throw new ArgumentError(`DataLoader: ${key} must be a boolean, got ${JSON.stringify(v)}`);
    }
    if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new ArgumentError(`DataLoader: seed must be an integer, got ${JSON.stringify(options.seed)}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.#generator = options.seed === undefined ? defaultGenerator : new Generator(options.seed);
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The sample order of the next epoch (advances the shuffling generator). */
  #order(): Int32Array {
    const n = this.dataset.length;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (this.shuffle) {
      // Fisher-Yates with 32 random bits per draw.
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor((this.#generator.nextUint32() / 4294967296) * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const { inputShape, inputs, targetShape, targets } = this.dataset;
    const inSize = inputShape.reduce((p, d) => p * d, 1);
    const tSize = targetShape.reduce((p, d) => p * d, 1);
    const order = this.#order();
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
      const count = indices.length;
      const x = new Float32Array(count * inSize);
      const y = targets instanceof Int32Array ? new Int32Array(count * tSize) : new Float32Array(count * tSize);
      for (let k = 0; k < count; k++) {
        const i = indices[k];
        x.set(inputs.subarray(i * inSize, (i + 1) * inSize), k * inSize);
        y.set(targets.subarray(i * tSize, (i + 1) * tSize), k * tSize);
      }
      const input = tensor(x, [count, ...inputShape]);
      const target = tensor(y, [count, ...targetShape], targets instanceof Int32Array ? "int32" : "float32");
      yield { input, target, indices: Int32Array.from(indices) };
    }
  }
}
