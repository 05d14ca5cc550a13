/**
 * The optimizer base, like `torch.optim.Optimizer`: parameter groups with their own settings, per-parameter
 * state (momentum buffers, moment estimates), `zeroGrad()` and `step()`. A step updates each parameter in
 * place through `Tensor.assign`, so modules, state dicts and the caller keep the same tensor objects; every
 * temporary is disposed and every state tensor is owned (and disposed) by the optimizer.
 */
import { ArgumentError, Tensor, keep, noGrad, tidy } from "@convkit/core";
import { type ZeroGradOptions, zeroGrads } from "./zero-grad.js";

/** Parameters for one group, with settings that override the optimizer's defaults for them. */
export type ParamGroupSpec<O> = { params: Iterable<Tensor> } & Partial<O>;

/** A parameter group as the optimizer holds it: its parameters and every setting, resolved. Settings are writable (learning-rate schedules). */
export type ParamGroup<O> = { params: Tensor[] } & O;

/** What a parameter's update computes: its new value and its new state tensors (both owned by the caller until stored). */
export interface ParamUpdate<S> {
  value: Tensor;
  state: S;
}

/** Per-parameter state: named tensors (disposed when replaced) plus counters. */
export type TensorState = Record<string, Tensor | number | null>;

function isTensorIterable(v: unknown): v is Iterable<Tensor> {
  return v !== null && typeof v === "object" && Symbol.iterator in v;
}

export abstract class Optimizer<O extends object, S extends TensorState = TensorState> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on the parameter's first step. */
  readonly state = new Map<Tensor, S>();
  readonly defaults: Readonly<O>;
  /** The class name used in messages (`SGD`, `Adam`, ...). */
  readonly name: string;
  #disposed = false;

  /**
   * `params`: the tensors to optimize (e.g. `model.parameters()`), or groups `{ params, ...overrides }`.
   * Each must be a float32 leaf tensor; a tensor may belong to one group only.
   */
  constructor(name: string, params: Iterable<Tensor> | readonly ParamGroupSpec<O>[], defaults: O) {
    this.name = name;
    this.defaults = Object.freeze({ ...defaults });
    if (!isTensorIterable(params)) throw new ArgumentError(`${this.name}: params must be an array of tensors (e.g. model.parameters()) or of groups { params, ...options }, got ${String(params)}`);
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
    if (list.length === 0) throw new ArgumentError(`${this.name}: got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor) ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<O>] : (list as ParamGroupSpec<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks a group's resolved settings, throwing an ArgumentError naming the bad one. */
  protected abstract validate(options: O): void;

  /**
   * Computes one parameter's update, with grad mode off inside a tidy scope: from its value, its gradient
   * and its state (null on its first step), returns the new value and the new state. Tensors of the old
   * state that are not returned are disposed by the caller; returned ones are kept.
   */
  protected abstract update(param: Tensor, grad: Tensor, state: S | null, group: ParamGroup<O>): ParamUpdate<S>;

  /** Adds a group of parameters (with optional overrides of the defaults), like torch's `add_param_group`. */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    if (spec === null || typeof spec !== "object" || !isTensorIterable((spec as { params?: unknown }).params)) {
      throw new ArgumentError(`${this.name}: a parameter group must be an object { params: Tensor[], ...options }, got ${String(spec)}`);
    }
    const { params, ...overrides } = spec;
    const tensors = [...params];
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ArgumentError(`${this.name}: params[${i}] must be a Tensor, got ${String(t)}`);
      if (t.dtype !== "float32") throw new ArgumentError(`${this.name}: params[${i}] is ${t.dtype} (shape [${t.shape.join(", ")}]); only float32 tensors can be optimized`);
      if (!t.isLeaf) throw new ArgumentError(`${this.name}: params[${i}] (shape [${t.shape.join(", ")}]) was computed by ${t.gradFn?.name}; only leaf tensors can be optimized`);
      if (taken.has(t)) throw new ArgumentError(`${this.name}: params[${i}] (shape [${t.shape.join(", ")}]) appears more than once (in this or another parameter group)`);
      taken.add(t);
    });
    const options = { ...this.defaults, ...overrides } as O;
    for (const key of Object.keys(overrides)) {
      if (!(key in this.defaults)) throw new ArgumentError(`${this.name}: unknown option ${JSON.stringify(key)}; options are ${Object.keys(this.defaults).join(", ")}`);
    }
    this.validate(options);
    this.paramGroups.push({ ...options, params: tensors });
  }

  /** Every parameter of every group, in order. */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * Clears the gradients of every parameter: disposes them and sets `.grad` to null (torch 2.x's default
   * `set_to_none=True`), or with `{ setToNone: false }` overwrites them with zeros.
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    zeroGrads(`${this.name}.zeroGrad`, this.params(), options);
  }

  /**
   * One optimization step over every parameter that has a gradient (others are skipped and their state is
   * untouched, as in torch). With a `closure` (which recomputes the loss and calls backward), runs it first
   * with grad mode on and returns what it returns.
   */
  step<R = undefined>(closure?: () => R): R | undefined {
    if (this.#disposed) throw new ArgumentError(`${this.name}.step: the optimizer was disposed`);
    const result = closure ? closure() : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) {
        this.validate(group);
        for (const p of group.params) this.#stepOne(p, group);
      }
    });
    return result;
  }

  #stepOne(p: Tensor, group: ParamGroup<O>): void {
    const grad = p.grad;
    if (grad === null || p.isDisposed) return;
    const old = this.state.get(p) ?? null;
    const next = tidy(() => this.update(p, grad, old, group));
    const fresh = new Set<Tensor>();
    for (const v of Object.values(next.state)) if (v instanceof Tensor) fresh.add(keep(v));
    if (old) for (const v of Object.values(old)) if (v instanceof Tensor && !fresh.has(v)) v.dispose();
    this.state.set(p, next.state);
    p.assign(next.value);
    if (!fresh.has(next.value)) next.value.dispose();
  }

  /** Disposes every state tensor; the optimizer cannot step afterwards. */
  dispose(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    this.#disposed = true;
  }
}

/** A number in `[min, max)` (or `[min, max]` with `inclusive`), else an ArgumentError naming the option. */
export function checkRange(owner: string, name: string, v: unknown, min: number, max = Number.POSITIVE_INFINITY, inclusiveMax = false): number {
  const ok = typeof v === "number" && !Number.isNaN(v) && v >= min && (inclusiveMax ? v <= max : v < max);
  if (!ok) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}${inclusiveMax ? "]" : ")"}`;
    throw new ArgumentError(`${owner}: ${name} must be a number ${range}, got ${typeof v === "number" ? v : JSON.stringify(v)}`);
  }
  return v as number;
}

export function checkBoolean(owner: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new ArgumentError(`${owner}: ${name} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}
