import type { Backend, DataHandle, KernelTensor } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { type BackwardOptions, backward } from "./autograd/backward.js";
import { type Edge, type GradFn, type GradNode, record } from "./autograd/graph.js";
import { keep, track, untrack } from "./engine.js";
import { ArgumentError, BackendError, GraphError, ShapeError, fmt } from "./errors.js";
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
  /** Autograd state: a leaf's own flag, the gradient it holds, or the node (and output slot) that produced it. */
  #leafRequiresGrad = false;
  #grad: Tensor | null = null;
  #node: GradNode | null = null;
  #output = 0;

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
    return this.impl.download(this.asKernel("data"));
  }

  dataSync(): TypedArray {
    return this.impl.downloadSync(this.asKernel("dataSync"));
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
    const out = new Tensor(this.impl, this.impl.reshape(this.asKernel("reshape"), resolved), resolved, this.dtype);
    if (this.requiresGrad) {
      const from = this.shape;
      record("reshapeBackward", [this], [out], ([g]) => [g.reshape(from)]);
    }
    return out;
  }

  /**
   * Whether gradients flow to this tensor: settable on leaves (float32 only), like torch's
   * `requires_grad_()`; true on every result of an op recorded from such a tensor.
   */
  get requiresGrad(): boolean {
    return this.#node !== null || this.#leafRequiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (typeof value !== "boolean") throw new ArgumentError(`requiresGrad must be a boolean, got ${fmt(value)} (tensor shape ${fmt(this.shape)})`);
    if (this.#node !== null) {
      throw new ArgumentError(
        `requiresGrad can only be changed on leaf tensors; this one was computed by ${this.#node.name} (shape ${fmt(this.shape)}). Use detach() for a leaf that shares its values`,
      );
    }
    if (value && this.dtype !== "float32") {
      throw new ArgumentError(`only float32 tensors can require gradients, got a ${this.dtype} tensor of shape ${fmt(this.shape)}`);
    }
    this.#leafRequiresGrad = value;
  }

  /** True unless an op recorded this tensor as its output (then `gradFn` names that op). */
  get isLeaf(): boolean {
    return this.#node === null;
  }

  /** The recorded op that produced this tensor, or null for leaves. */
  get gradFn(): GradFn | null {
    return this.#node;
  }

  /**
   * The gradient `backward()` accumulated into this leaf, or null. It belongs to this tensor: disposing
   * the tensor disposes it. Assigning replaces (and disposes) the one held; assign null to free it, like
   * torch's `x.grad = None`. An assigned tensor is aliased, so the caller keeps its own.
   */
  get grad(): Tensor | null {
    return this.#grad !== null && !this.#grad.isDisposed ? this.#grad : null;
  }

  set grad(value: Tensor | null) {
    if (value !== null) {
      if (!(value instanceof Tensor)) throw new ArgumentError(`grad must be a Tensor or null, got ${fmt(value)} (tensor shape ${fmt(this.shape)})`);
      if (value.dtype !== "float32" || !sameShape(value.shape, this.shape)) {
        throw new ShapeError(`grad must be a float32 tensor of this tensor's shape ${fmt(this.shape)}, got ${value.dtype} of shape ${fmt(value.shape)}`);
      }
      if (value.impl !== this.impl) throw new BackendError(`grad must live on this tensor's backend ${this.backend}, got one on ${value.backend}`);
    }
    this.adoptGrad(value === null ? null : value.aliasForGraph());
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf it was computed from that requires
   * grad, and adds it to their `.grad` (torch's `y.backward(gradient)`). A one-element tensor needs no
   * `gradOutput` (it is 1); otherwise pass the gradient of some scalar with respect to this tensor, of
   * this tensor's shape. The saved tensors of the graph are freed unless `retainGraph` is set.
   */
  backward(gradOutput?: Tensor, options?: BackwardOptions): void {
    backward(this, gradOutput, options);
  }

  /** A new leaf sharing this tensor's values, outside the graph (torch's `detach()`). */
  detach(): Tensor {
    return new Tensor(this.impl, this.impl.reshape(this.asKernel("detach"), this.shape), this.shape, this.dtype);
  }

  /** @internal Where gradients for this tensor go, or null if it does not require grad. */
  gradEdge(): Edge | null {
    if (this.#node !== null) return { node: this.#node, output: this.#output };
    return this.#leafRequiresGrad ? { leaf: this } : null;
  }

  /** @internal Makes `node` this tensor's gradFn (right after the op that created it recorded). */
  attachGradFn(node: GradNode, output: number): void {
    if (this.#node !== null || this.#leafRequiresGrad) throw new GraphError(`${node.name}: internal error: output of shape ${fmt(this.shape)} already belongs to the graph`);
    this.#node = node;
    this.#output = output;
    node.retain();
  }

  /** @internal An alias of the values that no tidy scope owns: what a graph node saves. */
  aliasForGraph(): Tensor {
    return keep(this.detach());
  }

  /** @internal Replaces the held gradient by `g` (taking ownership; kept out of tidy scopes), disposing the old one. */
  adoptGrad(g: Tensor | null): void {
    const old = this.#grad;
    this.#grad = g === null ? null : keep(g);
    if (old !== null && old !== g) old.dispose();
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
    if (this.#node !== null) throw new GraphError(`${where}: the target was computed by ${this.#node.name}; only leaf tensors can be assigned to (detach() it first)`);
    if (!(source instanceof Tensor)) throw new ArgumentError(`${where}: source must be a Tensor, got ${fmt(source)}`);
    if (this.#handle === null) throw new BackendError(`${where}: the target tensor was disposed and can no longer be assigned to`);
    if (source.#handle === null) throw new BackendError(`${where}: the source tensor of shape ${fmt(source.shape)} was disposed`);
    if (source.shape.length !== this.shape.length || source.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(`${where}: source shape ${fmt(source.shape)} must equal the target shape`);
    }
    if (source.dtype !== this.dtype) throw new ArgumentError(`${where}: source dtype ${source.dtype} must equal the target dtype`);
    if (source === this) return this;
    const next = source.impl === this.impl ? this.impl.reshape(source.asKernel("assign"), this.shape) : this.impl.upload(source.dataSync(), this.shape, this.dtype);
    this.impl.release(this.#handle);
    this.#handle = next;
    return this;
  }

  dispose(): void {
    if (this.#handle === null) return;
    this.impl.release(this.#handle);
    this.#handle = null;
    untrack(this);
    this.adoptGrad(null);
    if (this.#node !== null) {
      const node = this.#node;
      this.#node = null;
      node.release();
    }
  }

  toString(): string {
    if (this.#handle === null) return `tensor(<disposed>, shape=${fmt(this.shape)})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype);
  }

  /** What a kernel sees of this tensor, for the method `op`; a disposed tensor is an error naming it. */
  private asKernel(op: string): KernelTensor {
    if (this.#handle === null) throw new BackendError(`${op}: tensor of shape ${fmt(this.shape)} was disposed and can no longer be used`);
    return { handle: this.#handle, shape: this.shape, dtype: this.dtype };
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
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
