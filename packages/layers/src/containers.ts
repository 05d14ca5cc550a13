import { ArgumentError, type Tensor } from "@convkit/core";
import { Module } from "./module.js";

/** A module taking and returning one tensor: what a `Sequential` chains. */
export type TensorModule = Module<[Tensor], Tensor>;

/**
 * Like `torch.nn.Sequential`: runs its modules in order, each on the previous one's output. Children
 * are named "0", "1", ... (`new Sequential(a, b)`), or by the keys of a plain object
 * (`new Sequential({ pool: a, flatten: b })`, like an OrderedDict).
 */
export class Sequential extends Module<[Tensor], Tensor> {
  constructor(...modules: TensorModule[]);
  constructor(modules: Readonly<Record<string, TensorModule>>);
  constructor(...args: TensorModule[] | [Readonly<Record<string, TensorModule>>]) {
    super();
    const [first] = args;
    if (args.length === 1 && !(first instanceof Module) && first !== null && typeof first === "object") {
      for (const [name, m] of Object.entries(first)) this.registerModule(name, m);
    } else {
      for (const m of args as TensorModule[]) this.append(m);
    }
  }

  get length(): number {
    return this.moduleEntries().length;
  }

  /** The module at `index`; negative indices count from the end, as `seq[-1]` does in PyTorch. */
  at(index: number): TensorModule {
    const entries = this.moduleEntries();
    const n = entries.length;
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new ArgumentError(`Sequential.at: index ${index} is out of range for a Sequential of length ${n} (allowed: integers from ${-n} to ${n - 1})`);
    }
    return entries[index < 0 ? index + n : index][1] as TensorModule;
  }

  /** Adds `module` at the end, named by its position. */
  append(module: TensorModule): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<TensorModule> {
    for (const [, m] of this.moduleEntries()) if (m !== null) yield m as TensorModule;
  }

  /**
   * Chains the modules in registration order (a module listed twice runs twice); empty returns `input`.
   * Intermediate results are disposed as soon as the next module has consumed them. (Not a `tidy`:
   * that would also dispose tensors a module creates and keeps as state during forward.)
   */
  forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this) {
      const y = m.forward(x);
      if (x !== input && y !== x) x.dispose();
      x = y;
    }
    return x;
  }
}
