import type { Backend, DataHandle, KernelTensor } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { track, untrack } from "./engine.js";
import { ArgumentError, BackendError, ShapeError, fmt } from "./errors.js";
import { formatTensor } from "./format.js";

/** Nested JavaScript arrays of numbers, as `array()` returns them. */
export type NestedArray = number | NestedArray[];

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function nest(data: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0];
  const build = (dim: number, offset: number): NestedArray[] => {
    const size = shape[dim];
    if (dim === shape.length - 1) return Array.from(data.subarray(offset, offset + size));
    const inner = sizeOf(shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < size; i++) out.push(build(dim + 1, offset + i * inner));
    return out;
  };
  return build(0, 0);
}

/**
 * An n-dimensional array living on one backend. Its data stays wherever the backend keeps it; read it
 * with `data()` / `dataSync()`. Dispose tensors you no longer need (or create them inside `tidy`).
 */
export class Tensor implements KernelTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** @internal The backend that owns the data. */
  readonly impl: Backend;
  #handle: DataHandle | null;

  /** @internal Use `tensor()` and the ops to create tensors. */
  constructor(impl: Backend, handle: DataHandle, shape: readonly number[], dtype: DType) {
    this.impl = impl;
    this.#handle = handle;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    track(this);
  }

  /** Name of the backend holding this tensor's data. */
  get backend(): string {
    return this.impl.name;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  /** @internal Storage handle for kernels; throws if the tensor was disposed. */
  get handle(): DataHandle {
    if (this.#handle === null) throw new BackendError(`tensor of shape ${fmt(this.shape)} was disposed and can no longer be used`);
    return this.#handle;
  }

  async data(): Promise<TypedArray> {
    return this.impl.download(this.asKernel());
  }

  dataSync(): TypedArray {
    return this.impl.downloadSync(this.asKernel());
  }

  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  arraySync(): NestedArray {
    return nest(this.dataSync(), this.shape);
  }

  /** Same data in a new shape; one dimension may be -1 (inferred). */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const target = (Array.isArray(shape[0]) ? shape[0] : shape) as readonly number[];
    const resolved = resolveReshape(this.shape, target);
    return new Tensor(this.impl, this.impl.reshape(this.asKernel(), resolved), resolved, this.dtype);
  }

  /**
   * Replaces this tensor's values with `source`'s, keeping this object (like tf.Variable.assign and
   * torch's `param.copy_(src)`): layers, optimizers and state dicts holding this tensor see the new values.
   * Shapes and dtypes must match. The old data handle is released; on the same backend the new one
   * aliases `source`'s storage (no copy; convkit never writes into storage, and `source` stays usable and
   * disposable independently), from another backend the values are copied over. Returns this tensor.
   */
  assign(source: Tensor): this {
    const where = `assign (target shape ${fmt(this.shape)}, ${this.dtype})`;
    if (!(source instanceof Tensor)) throw new ArgumentError(`${where}: source must be a Tensor, got ${fmt(source)}`);
    if (this.#handle === null) throw new BackendError(`${where}: the target tensor was disposed and can no longer be assigned to`);
    if (source.#handle === null) throw new BackendError(`${where}: the source tensor of shape ${fmt(source.shape)} was disposed`);
    if (source.shape.length !== this.shape.length || source.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(`${where}: source shape ${fmt(source.shape)} must equal the target shape`);
    }
    if (source.dtype !== this.dtype) throw new ArgumentError(`${where}: source dtype ${source.dtype} must equal the target dtype`);
    if (source === this) return this;
    const next = source.impl === this.impl ? this.impl.reshape(source.asKernel(), this.shape) : this.impl.upload(source.dataSync(), this.shape, this.dtype);
    this.impl.release(this.#handle);
    this.#handle = next;
    return this;
  }

  dispose(): void {
    if (this.#handle === null) return;
    this.impl.release(this.#handle);
    this.#handle = null;
    untrack(this);
  }

  toString(): string {
    if (this.#handle === null) return `tensor(<disposed>, shape=${fmt(this.shape)})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype);
  }

  private asKernel(): KernelTensor {
    return { handle: this.handle, shape: this.shape, dtype: this.dtype };
  }
}

export function resolveReshape(from: readonly number[], target: readonly number[]): number[] {
  const size = sizeOf(from);
  let infer = -1;
  let known = 1;
  target.forEach((d, i) => {
    if (d === -1) {
      if (infer !== -1) throw new ArgumentError(`reshape: only one dimension can be -1, got shape ${fmt(target)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ArgumentError(`reshape: shape entries must be non-negative integers or -1, got ${fmt(target)}`);
    } else known *= d;
  });
  const out = [...target];
  if (infer !== -1) {
    if (known === 0 || size % known !== 0) throw new ShapeError(`reshape: shape ${fmt(target)} is invalid for input of size ${size} (shape ${fmt(from)})`);
    out[infer] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`reshape: shape ${fmt(target)} is invalid for input of size ${size} (shape ${fmt(from)})`);
  }
  return out;
}
