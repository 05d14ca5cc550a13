/**
 * The backward pass: walks the recorded graph from the given outputs to the leaves, running each node's
 * backward once all gradients for its outputs have arrived (latest-recorded ready node first, as
 * PyTorch's engine orders them), summing gradients where a tensor was used more than once, and adding
 * each leaf's total to its `.grad`. Runs with grad mode off; every intermediate gradient is disposed.
 */
import { assertTensor } from "../args.js";
import { fromData } from "../create.js";
import { tidy } from "../engine.js";
import { ArgumentError, BackendError, GraphError, ShapeError, fmt } from "../errors.js";
import { add } from "../ops/binary.js";
import { zerosOn } from "../ops/select.js";
import { type Tensor, sameShape } from "../tensor.js";
import { type Edge, type GradNode, noGrad } from "./graph.js";

export interface BackwardOptions {
  /** Keep the graph's saved tensors so it can be backwarded through again (default false, as in torch). */
  retainGraph?: boolean;
}

type GradInput = Tensor | null | undefined;

function checkRoot(root: unknown, i: number, many: boolean): Tensor {
  const name = many ? `tensors[${i}]` : "tensor";
  assertTensor("backward", name, root);
  if (!root.requiresGrad) {
    throw new GraphError(
      `backward: ${name} (shape ${fmt(root.shape)}) does not require grad and has no gradFn: set requiresGrad = true on the leaves it is computed from before running the ops (outside noGrad)`,
    );
  }
  return root;
}

/** The seed gradient for one root: an alias of the given one (checked), or 1 for a one-element root. */
function seedFor(root: Tensor, g: GradInput, i: number, many: boolean): Tensor {
  const name = many ? `gradOutputs[${i}]` : "gradOutput";
  if (g === undefined || g === null) {
    if (root.size !== 1) {
      throw new ArgumentError(
        `backward: a gradient can be created implicitly only for one-element outputs; the output has shape ${fmt(root.shape)}, so pass ${name} of that shape (the gradient of some scalar with respect to it)`,
      );
    }
    return fromData(Float32Array.of(1), root.shape, "float32", root.impl);
  }
  assertTensor("backward", name, g);
  if (g.dtype !== "float32") throw new ArgumentError(`backward: ${name} must be float32, got ${g.dtype} (shape ${fmt(g.shape)})`);
  if (!sameShape(g.shape, root.shape))
    throw new ShapeError(`backward: ${name} has shape ${fmt(g.shape)} but the output has shape ${fmt(root.shape)}; they must be equal`);
  if (g.impl !== root.impl) throw new BackendError(`backward: ${name} lives on ${g.backend} but the output on ${root.backend}; move it first`);
  return g.detach();
}

/**
 * Backward from several outputs at once, like `torch.autograd.backward(tensors, grad_tensors)`:
 * `gradOutputs[i]` is the gradient for `tensors[i]` (omit it, or pass null, for one-element outputs).
 * Gradients add into the `.grad` of every leaf that requires grad.
 */
export function backward(tensors: Tensor | readonly Tensor[], gradOutputs?: GradInput | readonly GradInput[], options?: BackwardOptions): void {
  const many = Array.isArray(tensors);
  const roots = (many ? tensors : [tensors]) as readonly Tensor[];
  if (many && roots.length === 0) throw new ArgumentError("backward: tensors must hold at least one tensor, got an empty array");
  const grads = (Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs]) as readonly GradInput[];
  if (Array.isArray(gradOutputs) && grads.length !== roots.length) {
    throw new ArgumentError(`backward: got ${roots.length} tensors but ${grads.length} gradOutputs; pass one gradient (or null) per tensor`);
  }
  if (options !== undefined && (options === null || typeof options !== "object"))
    throw new ArgumentError(`backward: options must be an object such as { retainGraph: true }, got ${fmt(options)}`);
  const retain = options?.retainGraph ?? false;
  if (typeof retain !== "boolean") throw new ArgumentError(`backward: retainGraph must be a boolean, got ${fmt(retain)}`);
  roots.forEach((r, i) => {
    checkRoot(r, i, many);
  });
  noGrad(() => {
    const seeds: Tensor[] = [];
    try {
      roots.forEach((r, i) => {
        seeds.push(seedFor(r, grads[i], i, many));
      });
    } catch (e) {
      for (const s of seeds) s.dispose();
      throw e;
    }
    new Pass(retain).run(roots, seeds);
  });
}

/** One backward pass: the gradients in flight, owned here until delivered to a node or a leaf. */
class Pass {
  private readonly buffers = new Map<GradNode, (Tensor | null)[]>();
  private readonly leafGrads = new Map<Tensor, Tensor>();
  private readonly pending = new Map<GradNode, number>();

  constructor(private readonly retain: boolean) {}

  run(roots: readonly Tensor[], seeds: Tensor[]): void {
    try {
      const nodes = this.discover(roots);
      roots.forEach((r, i) => {
        this.deliver(r.gradEdge() as Edge, seeds[i]);
      });
      seeds.length = 0;
      const ready = nodes.filter((n) => (this.pending.get(n) ?? 0) === 0);
      while (ready.length > 0) {
        let best = 0;
        for (let i = 1; i < ready.length; i++) if (ready[i].seq > ready[best].seq) best = i;
        const node = ready[best];
        ready[best] = ready[ready.length - 1];
        ready.pop();
        this.execute(node, ready);
      }
      this.accumulateLeaves();
    } catch (e) {
      for (const s of seeds) s.dispose();
      for (const slots of this.buffers.values()) for (const g of slots) g?.dispose();
      for (const g of this.leafGrads.values()) g.dispose();
      throw e;
    }
  }

  /** Every node reachable from the roots, counting for each how many edges lead into it. */
  private discover(roots: readonly Tensor[]): GradNode[] {
    const seen = new Set<GradNode>();
    const stack: GradNode[] = [];
    for (const r of roots) {
      const e = r.gradEdge();
      if (e !== null && "node" in e && !seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
    while (stack.length > 0) {
      const n = stack.pop() as GradNode;
      for (const e of n.inputs) {
        if (e === null || !("node" in e)) continue;
        this.pending.set(e.node, (this.pending.get(e.node) ?? 0) + 1);
        if (!seen.has(e.node)) {
          seen.add(e.node);
          stack.push(e.node);
        }
      }
    }
    // Fail before any gradient is computed, so no leaf is left half-accumulated.
    for (const n of seen) if (n.freed && n.savedCount > 0) n.savedTensors();
    return [...seen];
  }

  /** Takes ownership of `g` and adds it to what already arrived for that edge. */
  private deliver(edge: Edge, g: Tensor): void {
    const expected = "leaf" in edge ? edge.leaf.shape : edge.node.outputShapes[edge.output];
    if (!sameShape(g.shape, expected)) {
      g.dispose();
      throw new BackendError(`backward: internal error: a gradient of shape ${fmt(g.shape)} arrived for a tensor of shape ${fmt(expected)}`);
    }
    if ("leaf" in edge) {
      const prev = this.leafGrads.get(edge.leaf);
      this.leafGrads.set(edge.leaf, prev ? sum(prev, g) : g);
      return;
    }
    let slots = this.buffers.get(edge.node);
    if (!slots) {
      slots = edge.node.outputShapes.map(() => null);
      this.buffers.set(edge.node, slots);
    }
    const prev = slots[edge.output];
    slots[edge.output] = prev ? sum(prev, g) : g;
  }

  private execute(node: GradNode, ready: GradNode[]): void {
    const slots = this.buffers.get(node);
    this.buffers.delete(node);
    let results: (Tensor | null)[] = node.inputs.map(() => null);
    const arrived = slots?.find((g): g is Tensor => g !== null);
    if (slots && arrived) {
      const grads = node.outputShapes.map((s, i) => slots[i] ?? zerosOn(arrived, s));
      slots.fill(null);
      const needed = node.inputs.map((e) => e !== null);
      let raw: readonly (Tensor | null)[];
      try {
        const saved = node.savedTensors();
        raw = tidy(() => [...node.backward(grads, saved, needed)]);
      } catch (e) {
        for (const g of grads) g.dispose();
        throw e;
      }
      // A backward may return an incoming gradient, or one tensor for two inputs: each delivery gets its own handle.
      const owned = new Set<Tensor>();
      results = node.inputs.map((e, i) => {
        const t = raw[i];
        if (!t || e === null) return null;
        if (owned.has(t)) return t.detach();
        owned.add(t);
        return t;
      });
      for (const t of raw) if (t && !owned.has(t)) t.dispose();
      for (const g of grads) if (!owned.has(g)) g.dispose();
      if (raw.length !== node.inputs.length) {
        for (const t of results) t?.dispose();
        throw new BackendError(`backward: internal error: ${node.name} returned ${raw.length} gradients for ${node.inputs.length} inputs`);
      }
    }
    if (!this.retain) node.freeSaved();
    node.inputs.forEach((e, i) => {
      const g = results[i];
      if (e === null) return;
      if (g) this.deliver(e, g);
      if ("node" in e) {
        const left = (this.pending.get(e.node) ?? 1) - 1;
        this.pending.set(e.node, left);
        if (left === 0) ready.push(e.node);
      }
    });
  }

  /** Adds each leaf's total to its `.grad` (a disposed leaf's gradient goes nowhere). */
  private accumulateLeaves(): void {
    for (const [leaf, g] of this.leafGrads) {
      this.leafGrads.delete(leaf);
      if (leaf.isDisposed) {
        g.dispose();
        continue;
      }
      const prev = leaf.grad;
      leaf.adoptGrad(prev ? sum(prev, g) : g);
    }
  }
}

/** `a + b`, disposing both (PyTorch's order: what was there first, then the new contribution). */
function sum(a: Tensor, b: Tensor): Tensor {
  const s = add(a, b);
  a.dispose();
  b.dispose();
  return s;
}
