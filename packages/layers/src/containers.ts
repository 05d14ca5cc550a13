import { ArgumentError, type Tensor } from "@convkit/core";
import { Module } from "./module.js";

/** A module taking and returning one tensor: what a `Sequential` chains. */
export type TensorModule = Module<[Tensor], Tensor>;

/**
 * Runs `modules` in order, each on the previous one's output, disposing every intermediate result as
 * soon as the next module has consumed it, and also when a module throws; empty returns `input`.
 * (Not a `tidy`: that would also dispose tensors a module creates and keeps as state during forward.)
 */
export function runChain(modules: Iterable<TensorModule>, input: Tensor): Tensor {
  let x = input;
  try {
    for (const m of modules) {
      const y = m.forward(x);
      if (x !== input && y !== x) x.dispose();
      x = y;
    }
  } catch (e) {
    if (x !== input) x.dispose();
    throw e;
  }
  return x;
}

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

  /** Chains the modules in registration order (a module listed twice runs twice), as `runChain` does. */
  forward(input: Tensor): Tensor {
    return runChain(this, input);
  }
}

function checkIndex(op: string, index: unknown, n: number, allowEnd = false): number {
  const hi = allowEnd ? n : n - 1;
  if (typeof index !== "number" || !Number.isInteger(index) || index < -n || index > hi) {
    throw new ArgumentError(`${op}: index ${String(index)} is out of range for a ModuleList of length ${n} (allowed: integers from ${-n} to ${hi})`);
  }
  return index < 0 ? index + n : index;
}

/**
 * Like `torch.nn.ModuleList`: holds modules under the names "0", "1", ... so their parameters are
 * registered, named (`blocks.3.conv.weight`) and printed, without running them: iterate it in a parent's
 * forward. Like torch's, it has no forward of its own.
 */
export class ModuleList<M extends Module = Module> extends Module<[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  get length(): number {
    return this.moduleEntries().length;
  }

  /** The module at `index`; negative indices count from the end. */
  at(index: number): M {
    const entries = this.moduleEntries();
    return entries[checkIndex("ModuleList.at", index, entries.length)][1] as M;
  }

  /** Replaces the module at `index` (torch's `list[i] = m`). */
  set(index: number, module: M): this {
    this.registerModule(String(checkIndex("ModuleList.set", index, this.length)), module);
    return this;
  }

  append(module: M): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<M>): this {
    if (modules === null || typeof (modules as Iterable<M>)[Symbol.iterator] !== "function") {
      throw new ArgumentError(`ModuleList.extend: modules must be an iterable of modules, got ${String(modules)}`);
    }
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts `module` before position `index` (negative from the end), renumbering the ones after it. */
  insert(index: number, module: M): this {
    const entries = this.moduleEntries();
    const at = checkIndex("ModuleList.insert", index, entries.length, true);
    if (!(module instanceof Module)) throw new ArgumentError(`ModuleList.insert: ${String(module)} is not a Module`);
    const modules = entries.map(([, m]) => m);
    modules.splice(at, 0, module);
    for (const [name] of entries) this.unregisterModule(name);
    for (let i = 0; i < modules.length; i++) this.registerModule(String(i), modules[i]);
    return this;
  }

  /** Removes and returns the module at `index` (default the last), renumbering the ones after it. */
  pop(index = -1): M {
    const entries = this.moduleEntries();
    const at = checkIndex("ModuleList.pop", index, entries.length);
    for (const [name] of entries) this.unregisterModule(name);
    entries.forEach(([, m], i) => {
      if (i !== at) this.registerModule(String(i < at ? i : i - 1), m);
    });
    return entries[at][1] as M;
  }

  *[Symbol.iterator](): IterableIterator<M> {
    for (const [, m] of this.moduleEntries()) if (m !== null) yield m as M;
  }

  forward(): never {
    throw new ArgumentError("ModuleList has no forward: iterate it (for (const m of list)) and call each module's forward");
  }
}

/**
 * Like `torch.nn.ModuleDict`: modules by name, in insertion order, registered under their keys (so
 * `heads.cls.weight`). Keys must be non-empty, contain no "." and not clash with a ModuleDict member,
 * as torch requires of module names. Like torch's, it has no forward of its own.
 */
export class ModuleDict<M extends Module = Module> extends Module<[], never> {
  constructor(modules: Readonly<Record<string, M>> | Iterable<readonly [string, M]> = {}) {
    super();
    this.update(modules);
  }

  get size(): number {
    return this.moduleEntries().length;
  }

  get(key: string): M | undefined {
    return (this.moduleEntries().find(([k]) => k === key)?.[1] ?? undefined) as M | undefined;
  }

  has(key: string): boolean {
    return this.moduleEntries().some(([k]) => k === key);
  }

  /** Adds `module` under `key`, or replaces the module there keeping its position. */
  set(key: string, module: M): this {
    this.registerModule(key, module);
    return this;
  }

  /** Adds every entry of a record or of `[key, module]` pairs, in order. */
  update(modules: Readonly<Record<string, M>> | Iterable<readonly [string, M]>): this {
    if (modules === null || typeof modules !== "object") throw new ArgumentError(`ModuleDict.update: modules must be a record or an iterable of [key, module] pairs, got ${String(modules)}`);
    const pairs = Symbol.iterator in modules ? (modules as Iterable<readonly [string, M]>) : Object.entries(modules as Record<string, M>);
    for (const [k, m] of pairs) this.set(k, m);
    return this;
  }

  /** Removes `key` and returns its module (torch's `pop`), or undefined if absent. */
  delete(key: string): M | undefined {
    const m = this.get(key);
    if (this.has(key)) this.unregisterModule(key);
    return m;
  }

  clear(): void {
    for (const [k] of this.moduleEntries()) this.unregisterModule(k);
  }

  keys(): string[] {
    return this.moduleEntries().map(([k]) => k);
  }

  values(): M[] {
    return this.moduleEntries().map(([, m]) => m as M);
  }

  entries(): [string, M][] {
    return this.moduleEntries().map(([k, m]) => [k, m as M]);
  }

  forward(): never {
    throw new ArgumentError("ModuleDict has no forward: look modules up with get(key) and call their forward");
  }
}
