import { ArgumentError, Tensor, type TypedArray, tensor } from "@convkit/core";
import { type ZeroGradOptions, zeroGrads } from "./optim/zero-grad.js";
import { addIndent } from "./repr.js";
import { type StateDict, StateDictError, checkStateValue, stateEntries } from "./state-dict.js";

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

export interface LoadStateDictOptions {
  /** Require exactly the module's keys (PyTorch's default: true); false skips missing and unexpected ones. */
  strict?: boolean;
}

/** What `loadStateDict` reports, like PyTorch's `_IncompatibleKeys` (both empty when strict). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Runs before `forward` of `module`, with the arguments it is about to get. (Typed loosely: a hook on a
 * `Module<[Tensor], Tensor>` may be any module's, as a Sequential's children are.)
 */
export type ForwardPreHook = (module: Module, inputs: readonly unknown[]) => void;
/** Runs after `forward` of `module`, with its arguments and its result. */
export type ForwardHook = (module: Module, inputs: readonly unknown[], output: unknown) => void;

/** What registering a hook returns, like torch's `RemovableHandle`. */
export interface RemovableHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

type AnyHook = (module: Module, inputs: readonly unknown[], output?: unknown) => void;

let nextHookId = 0;

type Kind = "parameter" | "buffer" | "module";

/** One state-dict slot: the registry entry `name` of `owner` reached under the dotted `key`. */
interface StateSlot {
  key: string;
  owner: Module;
  kind: "parameter" | "buffer";
  name: string;
  tensor: Tensor;
}

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
  readonly #preHooks = new Map<number, AnyHook>();
  readonly #hooks = new Map<number, AnyHook>();
  /** While hooks are registered: the own `forward` property the hook runner replaced (undefined: none). */
  #unhooked: { own: PropertyDescriptor | undefined } | null = null;

  abstract forward(...inputs: I): O;

  /** True in training mode (the default), false after `eval()`. */
  get training(): boolean {
    return this.#training;
  }

  /** PyTorch's `_get_name`: the class name the repr starts with. */
  protected getName(): string {
    return this.constructor.name;
  }

  /** The name the repr starts with (the class name unless a subclass says otherwise), as summaries print it. */
  get typeName(): string {
    return this.getName();
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
   * A float32 leaf is marked `requiresGrad`, as `nn.Parameter` is, so `loss.backward()` fills its `.grad`
   * (run inference under `noGrad` to record nothing; `requiresGrad(false)` freezes a module).
   */
  registerParameter<T extends Tensor | null>(name: string, param: T): T {
    this.#checkName("parameter", name, this.#parameters);
    if (param !== null && !(param instanceof Tensor)) {
      throw new ArgumentError(`${this.getName()}.registerParameter: parameter ${JSON.stringify(name)} must be a Tensor or null, got ${describe(param)}`);
    }
    if (param !== null && param.dtype === "float32" && param.isLeaf) param.requiresGrad = true;
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

  /** Removes the child entry `name` (containers renumbering or deleting children) and returns what it held. */
  protected unregisterModule(name: string): Module | null | undefined {
    const m = this.#modules.get(name);
    this.#modules.delete(name);
    return m;
  }

  /**
   * Registers `hook` to run every time this module's `forward` is about to run, however it is invoked
   * (directly, or by a container or parent calling `child.forward`), like torch's
   * `register_forward_pre_hook`. Hooks observe; their return value is ignored. Returns a handle whose
   * `remove()` unregisters it.
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return this.#addHook(this.#preHooks, hook, "registerForwardPreHook");
  }

  /**
   * Registers `hook` to run every time this module's `forward` returns, with its inputs and output, like
   * torch's `register_forward_hook` (what `summary` records shapes with). Hooks observe; their return
   * value is ignored. Returns a handle whose `remove()` unregisters it.
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return this.#addHook(this.#hooks, hook, "registerForwardHook");
  }

  #addHook(registry: Map<number, AnyHook>, hook: AnyHook, method: string): RemovableHandle {
    if (typeof hook !== "function") throw new ArgumentError(`${this.getName()}.${method}: hook must be a function, got ${describe(hook)}`);
    const id = nextHookId++;
    registry.set(id, hook);
    this.#installHookRunner();
    return {
      remove: () => {
        registry.delete(id);
        this.#removeHookRunner();
      },
    };
  }

  /**
   * JavaScript has no `__call__`, and layers call their children's `forward` directly, so while hooks are
   * registered an own `forward` property wraps the class's method; without hooks there is none (no cost).
   */
  #installHookRunner(): void {
    if (this.#unhooked !== null) return;
    const own = Object.getOwnPropertyDescriptor(this, "forward");
    const inner = this.forward as (...inputs: unknown[]) => unknown;
    const runner = (...inputs: unknown[]): unknown => {
      for (const hook of [...this.#preHooks.values()]) hook(this, inputs);
      const output = inner.apply(this, inputs);
      for (const hook of [...this.#hooks.values()]) hook(this, inputs, output);
      return output;
    };
    this.#unhooked = { own };
    Object.defineProperty(this, "forward", { value: runner, configurable: true, writable: true, enumerable: false });
  }

  #removeHookRunner(): void {
    if (this.#unhooked === null || this.#preHooks.size + this.#hooks.size > 0) return;
    const { own } = this.#unhooked;
    this.#unhooked = null;
    if (own) Object.defineProperty(this, "forward", own);
    else Reflect.deleteProperty(this, "forward");
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

  /**
   * Non-null parameters and persistent buffers under every path that reaches them, in PyTorch's
   * `state_dict` order (own parameters, own buffers, then children; a module registered under two
   * names is listed under both). A module that contains itself is not entered again.
   */
  #stateSlots(prefix: string, ancestors: Set<Module>, out: StateSlot[]): StateSlot[] {
    ancestors.add(this);
    for (const [name, t] of this.#parameters) if (t !== null) out.push({ key: prefix + name, owner: this, kind: "parameter", name, tensor: t });
    for (const [name, t] of this.#buffers) {
      if (t !== null && !this.#nonPersistent.has(name)) out.push({ key: prefix + name, owner: this, kind: "buffer", name, tensor: t });
    }
    for (const [name, m] of this.#modules) if (m !== null && !ancestors.has(m)) m.#stateSlots(`${prefix}${name}.`, ancestors, out);
    ancestors.delete(this);
    return out;
  }

  /**
   * Like `state_dict()`: every parameter and persistent buffer by dotted name (the module's own tensors,
   * not copies), in a null-prototype record so any name is a plain key.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = Object.create(null);
    for (const s of this.#stateSlots("", new Set(), [])) out[s.key] = s.tensor;
    return out;
  }

  /**
   * Like `load_state_dict`: copies each tensor of `state` (a record or a Map by dotted name, e.g. what
   * `loadSafetensors` returns) into the parameter or buffer of that name, in place (`Tensor.assign`), so
   * the module's fields, `parameters()` and earlier `stateDict()` results keep pointing at the same,
   * now updated, tensors. Shapes must match. A dtype difference is converted as torch's `copy_` would:
   * int32 into float32, and float32 into int32 (a `num_batches_tracked` saved as float) when every value
   * is an integer. Keys missing from `state` that a layer can default (BatchNorm's
   * `num_batches_tracked`, as torch fills in for checkpoints without it) are set to that default.
   *
   * Every check runs before anything changes, and every problem is reported in one `StateDictError`:
   * with `strict` (the default) missing and unexpected keys, and in any mode values that cannot be
   * copied (size mismatch, not a tensor), as torch raises them even when not strict. Without `strict`,
   * returns the keys it skipped. The module shares storage with `state`'s tensors afterwards; disposing
   * them does not affect it. A tensor tied to several keys takes the value of the last one, as in torch.
   */
  loadStateDict(state: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const where = `${this.getName()}.loadStateDict`;
    const entries = stateEntries(where, state);
    if (options === null || typeof options !== "object")
      throw new ArgumentError(`${where}: options must be an object such as { strict: false }, got ${describe(options)}`);
    const strict = options.strict ?? true;
    if (typeof strict !== "boolean") throw new ArgumentError(`${where}: strict must be a boolean, got ${describe(strict)}`);
    const slots = this.#stateSlots("", new Set(), []);
    const known = new Set(slots.map((s) => s.key));
    const unexpectedKeys = [...entries.keys()].filter((k) => !known.has(k));
    const missingKeys: string[] = [];
    const problems: string[] = [];
    const writes: [Tensor, Tensor | TypedArray][] = [];
    const defaults: Tensor[] = [];
    try {
      for (const s of slots) {
        let src = entries.get(s.key);
        if (src === undefined) {
          const fallback = s.owner.stateDefault(s.name);
          if (fallback === null) {
            missingKeys.push(s.key);
            continue;
          }
          defaults.push(fallback);
          src = fallback;
        }
        const value = checkStateValue(s.key, src, s.tensor, problems);
        if (value !== null) writes.push([s.tensor, value]);
      }
      if (problems.length > 0 || (strict && missingKeys.length + unexpectedKeys.length > 0)) {
        throw new StateDictError(where, strict ? missingKeys : [], strict ? unexpectedKeys : [], problems);
      }
      for (const [target, value] of writes) {
        if (value instanceof Tensor) target.assign(value);
        else {
          const converted = tensor(value, target.shape, target.dtype);
          target.assign(converted);
          converted.dispose();
        }
      }
    } finally {
      for (const t of defaults) t.dispose();
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * The value `loadStateDict` gives this module's parameter or buffer `name` when the state has no entry
   * for it, or null to report it missing (the default). The loader disposes the tensor returned.
   */
  protected stateDefault(_name: string): Tensor | null {
    return null;
  }

  /**
   * Sets `requiresGrad` on every float32 parameter of this module and its descendants, like torch's
   * `requires_grad_()`: `false` freezes them (backward leaves their `.grad` alone), `true` (the default,
   * as registered) makes them trainable again. Returns this.
   */
  requiresGrad(requiresGrad = true): this {
    if (typeof requiresGrad !== "boolean") throw new ArgumentError(`${this.getName()}.requiresGrad: requiresGrad must be a boolean, got ${describe(requiresGrad)}`);
    for (const p of this.parameters()) if (p.dtype === "float32" && p.isLeaf) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Clears the gradients of every parameter of this module and its descendants, like torch 2.x's
   * `zero_grad()`: each `.grad` is disposed and set to null (`set_to_none=True`, torch 2.x's default; the
   * next backward then writes a fresh gradient instead of adding to zeros). `{ setToNone: false }` fills
   * the existing gradients with zeros in place instead (torch 1.x's default).
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    zeroGrads(`${this.getName()}.zeroGrad`, this.parameters(), options);
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
