import { ArgumentError, Tensor } from "@convkit/core";
import { addIndent } from "./repr.js";

export interface RegisterBufferOptions {
  /** Whether the buffer belongs in the state dict (PyTorch's default: true). */
  persistent?: boolean;
}

export interface NamedMembersOptions {
  /** Prepended to every name with a dot, as `named_parameters(prefix=...)` does. */
  prefix?: string;
  /** Include members of submodules (default true); false lists this module's own only. */
  recurse?: boolean;
}

type Kind = "parameter" | "buffer" | "module";

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return String(v);
}

/**
 * Base class of every layer, like `torch.nn.Module`: ordered registries of parameters, buffers and
 * child modules, from which names (`layer1.0.conv1.weight`), traversal, train/eval mode, the PyTorch
 * repr and disposal all follow. Subclasses register members in their constructor and keep a field
 * for convenient access: `this.weight = this.registerParameter("weight", w)`. The registry holds the
 * same tensor object as the field; tensors are updated in place, never swapped behind a field's back.
 *
 * `I` and `O` type `forward`: a pooling layer is a `Module<[Tensor], Tensor>`.
 */
export abstract class Module<I extends unknown[] = unknown[], O = unknown> {
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  /** Buffer names left out of the state dict (`persistent: false`). */
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module | null>();
  #training = true;

  abstract forward(...inputs: I): O;

  /** True in training mode (the default), false after `eval()`. */
  get training(): boolean {
    return this.#training;
  }

  /** PyTorch's `_get_name`: the class name the repr starts with. */
  protected getName(): string {
    return this.constructor.name;
  }

  /** The part of the repr between the parentheses, one line per setting (PyTorch's `extra_repr`). */
  extraRepr(): string {
    return "";
  }

  #checkName(kind: Kind, name: unknown, registry: Map<string, unknown>): asserts name is string {
    const where = `${this.getName()}.register${kind[0].toUpperCase()}${kind.slice(1)}`;
    if (typeof name !== "string") throw new ArgumentError(`${where}: ${kind} name must be a string, got ${describe(name)}`);
    if (name === "" || name.includes("."))
      throw new ArgumentError(`${where}: ${kind} name must be non-empty and cannot contain ".", got ${JSON.stringify(name)}`);
    const taken = (["parameter", "buffer", "module"] as const).find((k) => k !== kind && this.#registry(k).has(name));
    if (taken) throw new ArgumentError(`${where}: ${JSON.stringify(name)} is already registered as a ${taken}`);
    // A declared-but-unset class field holds undefined; anything else (a method, `training`, another
    // value) would be shadowed by the member's field.
    if (name in this) {
      const current = (this as Record<string, unknown>)[name];
      if (current !== undefined && !(registry.has(name) && registry.get(name) === current)) {
        throw new ArgumentError(`${where}: attribute ${JSON.stringify(name)} already exists on ${this.getName()}`);
      }
    }
  }

  #registry(kind: Kind): Map<string, unknown> {
    return kind === "parameter" ? this.#parameters : kind === "buffer" ? this.#buffers : this.#modules;
  }

  /**
   * Registers a learnable tensor under `name` (null reserves the name, like PyTorch's `bias=None`) and
   * returns it. Registering a name again replaces the entry in place; the old tensor is not disposed.
   */
  registerParameter<T extends Tensor | null>(name: string, param: T): T {
    this.#checkName("parameter", name, this.#parameters);
    if (param !== null && !(param instanceof Tensor)) {
      throw new ArgumentError(`${this.getName()}.registerParameter: parameter ${JSON.stringify(name)} must be a Tensor or null, got ${describe(param)}`);
    }
    this.#parameters.set(name, param);
    return param;
  }

  /** Registers non-learnable state (running statistics, counters) under `name` and returns it. */
  registerBuffer<T extends Tensor | null>(name: string, buffer: T, options: RegisterBufferOptions = {}): T {
    this.#checkName("buffer", name, this.#buffers);
    if (buffer !== null && !(buffer instanceof Tensor)) {
      throw new ArgumentError(`${this.getName()}.registerBuffer: buffer ${JSON.stringify(name)} must be a Tensor or null, got ${describe(buffer)}`);
    }
    this.#buffers.set(name, buffer);
    if (options.persistent ?? true) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    return buffer;
  }

  /** Registers a child module under `name` (it prints and is named as `name`) and returns it. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    this.#checkName("module", name, this.#modules);
    if (module !== null && !(module instanceof Module)) {
      throw new ArgumentError(`${this.getName()}.registerModule: ${describe(module)} is not a Module (registering ${JSON.stringify(name)})`);
    }
    this.#modules.set(name, module);
    return module;
  }

  /** Registered child entries in order, with nulls and repeats: what containers iterate. */
  protected moduleEntries(): [string, Module | null][] {
    return [...this.#modules];
  }

  /** Direct children with their names, each module once, skipping null entries. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this.#modules) {
      if (m === null || seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module (named `prefix`, "" by default) and all descendants, depth first, each once. */
  namedModules(options: { prefix?: string } = {}): [string, Module][] {
    const out: [string, Module][] = [];
    this.#collectModules(options.prefix ?? "", new Set(), out);
    return out;
  }

  #collectModules(prefix: string, seen: Set<Module>, out: [string, Module][]): void {
    if (seen.has(this)) return;
    seen.add(this);
    out.push([prefix, this]);
    for (const [name, m] of this.#modules) {
      if (m !== null) m.#collectModules(prefix ? `${prefix}.${name}` : name, seen, out);
    }
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  #namedMembers(kind: "parameter" | "buffer", options: NamedMembersOptions): [string, Tensor][] {
    const prefix = options.prefix ?? "";
    const owners: [string, Module][] = (options.recurse ?? true) ? this.namedModules({ prefix }) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [modulePrefix, m] of owners) {
      for (const [name, t] of kind === "parameter" ? m.#parameters : m.#buffers) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([modulePrefix ? `${modulePrefix}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Parameters with PyTorch's dotted names (`layers.0.weight`), each tensor once, skipping nulls. */
  namedParameters(options: NamedMembersOptions = {}): [string, Tensor][] {
    return this.#namedMembers("parameter", options);
  }

  parameters(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedParameters(options).map(([, t]) => t);
  }

  /** Buffers with dotted names, each tensor once, skipping nulls. */
  namedBuffers(options: NamedMembersOptions = {}): [string, Tensor][] {
    return this.#namedMembers("buffer", options);
  }

  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, t]) => t);
  }

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new ArgumentError(`${this.getName()}.train: mode must be a boolean, got ${describe(mode)}`);
    this.#training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** `train(false)`: layers whose behaviour differs (dropout, batch norm) switch to inference. */
  eval(): this {
    return this.train(false);
  }

  /** Calls `fn` on every descendant (children first, like PyTorch) and then on this module. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Exactly PyTorch's `repr(module)`: `Name(extra)` or a block with one `(name): Child` line per child. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = [...this.#modules].map(([name, m]) => `(${name}): ${addIndent(m === null ? "None" : m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.getName()}(`;
    if (lines.length > 0) {
      s += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join("\n  ")}\n`;
    }
    return `${s})`;
  }

  /** Disposes every parameter and buffer of this module and its descendants. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const t of m.#parameters.values()) t?.dispose();
      for (const t of m.#buffers.values()) t?.dispose();
    }
  }
}
