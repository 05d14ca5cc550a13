/**
 * The autograd graph. Every differentiable op that runs with grad mode on and an input requiring grad
 * records one node (`record`, called next to the op's forward): its inputs' edges, the tensors its
 * backward needs (saved as aliases the node owns, so `tidy` and `dispose` of the originals cannot free
 * them), and its backward function. Nodes are reference counted by the tensors they produced and by the
 * nodes downstream of them, so a graph nobody can reach any more is freed without a backward pass, and
 * `backward()` frees the saved tensors it has used unless asked to retain them.
 */
import { ArgumentError, BackendError, GraphError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";

/**
 * An op's backward: gets the gradient of each recorded output (zeros where none arrived) and the saved
 * tensors, returns one gradient per recorded input (null where none is needed: `needed[i]` is false for
 * inputs that do not require grad). Runs with grad mode off; temporaries it creates are disposed.
 */
export type BackwardFn = (gradOutputs: readonly Tensor[], saved: readonly Tensor[], needed: readonly boolean[]) => readonly (Tensor | null)[];

/** What `tensor.gradFn` shows of the op that produced a tensor. */
export interface GradFn {
  /** `<op>Backward`, e.g. `maxPool2dBackward`. */
  readonly name: string;
}

/** Where an input's gradient goes: the node that produced the input (and which of its outputs), or a leaf tensor. */
export type Edge = { readonly node: GradNode; readonly output: number } | { readonly leaf: Tensor };

let sequence = 0;

export class GradNode implements GradFn {
  readonly name: string;
  /** Creation order; backward runs ready nodes latest first, as PyTorch's engine does. */
  readonly seq = sequence++;
  readonly inputs: readonly (Edge | null)[];
  readonly outputShapes: readonly (readonly number[])[];
  readonly backward: BackwardFn;
  readonly savedCount: number;
  #saved: Tensor[] | null;
  #refs = 0;

  constructor(name: string, inputs: readonly (Edge | null)[], outputShapes: readonly (readonly number[])[], saved: Tensor[], backward: BackwardFn) {
    this.name = name;
    this.inputs = inputs;
    this.outputShapes = outputShapes;
    this.backward = backward;
    this.#saved = saved;
    this.savedCount = saved.length;
    for (const e of inputs) if (e !== null && "node" in e) e.node.#refs++;
  }

  /** True once a backward without `retainGraph` (or the last reference going away) freed the saved tensors. */
  get freed(): boolean {
    return this.#saved === null;
  }

  savedTensors(): readonly Tensor[] {
    if (this.#saved === null) {
      // Nothing was saved, so nothing was freed: like torch, such a node can run again.
      if (this.savedCount === 0) return [];
      throw new GraphError(
        `backward: trying to backward through the graph a second time: the tensors ${this.name} saved were freed by the first backward(); pass { retainGraph: true } to the first backward() to backward through this graph again`,
      );
    }
    return this.#saved;
  }

  freeSaved(): void {
    if (this.#saved === null) return;
    for (const t of this.#saved) t.dispose();
    this.#saved = null;
  }

  /** @internal A tensor produced by this node now refers to it. */
  retain(): void {
    this.#refs++;
  }

  /** @internal A reference went away (a produced tensor was disposed, or a downstream node was freed). */
  release(): void {
    let work: GradNode[] = [this];
    while (work.length > 0) {
      const next: GradNode[] = [];
      for (const n of work) {
        if (--n.#refs > 0) continue;
        n.freeSaved();
        for (const e of n.inputs) if (e !== null && "node" in e) next.push(e.node);
      }
      work = next;
    }
  }
}

let enabled = true;

/** Whether ops record onto the autograd graph now (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` with gradient recording off, like `torch.no_grad()`: ops inside produce tensors that do not
 * require grad, and nothing is saved for backward. Returns what `fn` returns; nests.
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new ArgumentError(`noGrad: fn must be a function, got ${fmt(fn)}`);
  const previous = enabled;
  enabled = false;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = previous;
  }
  if (result instanceof Promise) {
    throw new ArgumentError("noGrad: fn returned a Promise; noGrad only covers synchronous functions (ops after an await would record again)");
  }
  return result;
}

/** True when an op on these inputs records a node: grad mode is on and some input requires grad. */
export function needsGrad(...inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!enabled) return false;
  for (const t of inputs) if (t?.requiresGrad) return true;
  return false;
}

/**
 * Records one node for an op that just ran: `outputs` (float32 tensors the op created) get the node as
 * their `gradFn` when grad mode is on and some input requires grad; otherwise nothing happens. `inputs`
 * lists the op's tensor inputs in the order `backward` returns their gradients (null for operands that
 * are not tensors). `saved` are the tensors `backward` receives (aliased: the caller may dispose its own).
 * Run the op's forward itself under `noGrad`, so its internal views and kernel calls do not record.
 */
export function record(
  name: string,
  inputs: readonly (Tensor | null | undefined)[],
  outputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): void {
  if (!enabled) return;
  let any = false;
  const edges = inputs.map((t) => {
    const e = t ? t.gradEdge() : null;
    if (e !== null) any = true;
    return e;
  });
  if (!any) return;
  for (const o of outputs) {
    if (o.dtype !== "float32") throw new BackendError(`${name}: internal error: a recorded output must be float32, got ${o.dtype} of shape ${fmt(o.shape)}`);
  }
  const node = new GradNode(
    name,
    edges,
    outputs.map((o) => o.shape),
    saved.map((t) => t.aliasForGraph()),
    backward,
  );
  outputs.forEach((o, i) => {
    o.attachGradFn(node, i);
  });
}
