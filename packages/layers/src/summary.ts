/**
 * A model summary like torchinfo's: one forward pass on zeros with forward hooks on every registered
 * module, recording each call's output shape, parameter count and multiply-accumulates.
 */
import { ArgumentError, ConvkitError, Tensor, getBackend, noGrad, tidy, zeros } from "@convkit/core";
import { ConvNd, ConvTransposeNd } from "./conv.js";
import { parameterCount } from "./count.js";
import { Linear } from "./linear.js";
import type { Module, RemovableHandle } from "./module.js";

export interface SummaryOptions {
  /** Deepest level the table shows (default 3, as torchinfo); deeper calls fold into their ancestor's row. */
  depth?: number;
  /** Also print the table with console.log (default false). */
  print?: boolean;
}

/** One module call of the pass, in call order. */
export interface SummaryLayer {
  /** Dotted path in the model (`layer1.0.conv1`); "" for the model itself. */
  name: string;
  /** Class name, as the repr prints it. */
  type: string;
  /** Call nesting depth: 0 for the model, 1 for what its forward calls, ... */
  depth: number;
  /** 1-based running count of calls at this depth over the whole pass (torchinfo's `depth-idx`). */
  depthIndex: number;
  inputShapes: number[][];
  /** Shapes of the tensors the call returned (one for most layers, two for pooling with indices). */
  outputShapes: number[][];
  /** Parameters of the module and its descendants (each tensor once). */
  params: number;
  /** The module's own parameters, not its descendants'. */
  ownParams: number;
  /** Multiply-accumulates of this call, its descendants' included. */
  macs: number;
  /** True for a module without children. */
  isLeaf: boolean;
  /** The module already ran earlier in the pass (its parameters are counted at its first row). */
  recursive: boolean;
}

export interface ModelSummary {
  inputShape: number[];
  layers: SummaryLayer[];
  /** Every parameter of the model, each tensor once: torch's `sum(p.numel() for p in model.parameters())`. */
  totalParams: number;
  /** Equal to totalParams: convkit has no frozen parameters. */
  trainableParams: number;
  /** Multiply-accumulates of the whole forward pass. */
  totalMacs: number;
  /** The table, as torchinfo prints it. */
  toString(): string;
}

const RULE = "=".repeat(115);
const WIDTHS = [40, 25, 25, 25];

function row(cells: readonly string[]): string {
  return cells.map((c, i) => c.padEnd(WIDTHS[i])).join("").trimEnd();
}

const count = (n: number): string => n.toLocaleString("en-US");

function shapesOf(value: unknown, out: number[][] = []): number[][] {
  if (value instanceof Tensor) out.push([...value.shape]);
  else if (Array.isArray(value)) for (const v of value) shapesOf(v, out);
  return out;
}

/**
 * Multiply-accumulates of one call of `module`: convolutions by core's `convMacs` (through the layer's
 * `macs`), linear layers `rows * inFeatures * outFeatures`; everything else (norms, activations,
 * pooling, reshapes) counts 0, as only multiply-accumulates are counted.
 */
function callMacs(module: Module, inputs: readonly unknown[]): number {
  const x = inputs[0];
  if (!(x instanceof Tensor)) return 0;
  if (module instanceof Linear) {
    const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
    return rows * module.inFeatures * module.outFeatures;
  }
  if (module instanceof ConvNd || module instanceof ConvTransposeNd) {
    const rank = (module.kernelSize as readonly number[]).length;
    const batch = x.shape.length === rank + 2 ? x.shape[0] : 1;
    return module.macs(x.shape.slice(-rank), batch);
  }
  return 0;
}

function checkShape(shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError(`summary: inputShape must be a non-empty array of positive integers such as [1, 3, 224, 224], got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

/** torchinfo's units for the mult-adds total: G from 1e9, T from 1e12, else M. */
function readableMacs(n: number): string {
  const [unit, scale] = n >= 1e12 ? ["T", 1e12] : n >= 1e9 ? ["G", 1e9] : ["M", 1e6];
  return `Total mult-adds (${unit}): ${(n / scale).toFixed(2)}`;
}

function render(s: Omit<ModelSummary, "toString">, maxDepth: number): string {
  const lines = [RULE, row(["Layer (type:depth-idx)", "Output Shape", "Param #", "Mult-Adds"]), RULE];
  for (const l of s.layers) {
    if (l.depth > maxDepth) continue;
    const folded = l.depth === maxDepth || l.isLeaf;
    const tree = l.depth === 0 ? "" : `${"│    ".repeat(l.depth - 1)}${l.depth === 1 ? "├─" : "└─"}`;
    const label = `${tree}${l.type}${l.depth > 0 ? `: ${l.depth}-${l.depthIndex}` : ""}`;
    const shapes = l.outputShapes.length > 0 ? l.outputShapes.map((sh) => `[${sh.join(", ")}]`).join(", ") : "--";
    const shown = folded ? l.params : l.ownParams;
    // A repeated call's parameters are those of its first row; parameter-free ones just show "--".
    const params = l.recursive && l.params > 0 ? "(recursive)" : shown > 0 && !l.recursive ? count(shown) : "--";
    const macs = folded && l.macs > 0 ? count(l.macs) : "--";
    lines.push(row([label, shapes, params, macs]));
  }
  const mb = (n: number): string => ((n * 4) / 1e6).toFixed(2);
  const inputSize = s.inputShape.reduce((p, d) => p * d, 1);
  lines.push(
    RULE,
    `Total params: ${count(s.totalParams)}`,
    `Trainable params: ${count(s.trainableParams)}`,
    `Non-trainable params: ${count(s.totalParams - s.trainableParams)}`,
    readableMacs(s.totalMacs),
    RULE,
    `Input size (MB): ${mb(inputSize)}`,
    `Params size (MB): ${mb(s.totalParams)}`,
    RULE,
  );
  return lines.join("\n");
}

/**
 * Runs `model` once in eval mode on a float32 zeros input of `inputShape` (on the active backend, which
 * must hold the model's parameters) and returns each module call with its output shape, parameters and
 * multiply-accumulates, plus totals and the table (`toString()`), like torchinfo's `summary`. The model's
 * training flags are restored afterwards and every tensor the pass created is disposed.
 *
 * Multiply-accumulates are those of convolutions (core's `convMacs`: batch * output elements * weights
 * per output, bias not counted) and linear layers (rows * in * out). torchinfo also adds one per bias
 * element and 2 * C per sample for norm layers; for ResNet-18 at 1x3x224x224 that is 10,600 more
 * (1,814,073,344 here), both printing as 1.81 G.
 */
export function summary(model: Module, inputShape: readonly number[], options: SummaryOptions = {}): ModelSummary {
  if (model === null || typeof model !== "object" || typeof (model as Module).namedModules !== "function") {
    throw new ArgumentError(`summary: model must be a Module, got ${String(model)}`);
  }
  const shape = checkShape(inputShape);
  const o = options ?? {};
  const maxDepth = o.depth ?? 3;
  if (typeof maxDepth !== "number" || !Number.isInteger(maxDepth) || maxDepth < 0) throw new ArgumentError(`summary: depth must be a non-negative integer, got ${String(maxDepth)}`);
  const backend = getBackend();
  const foreign = model.parameters().find((p) => p.backend !== backend);
  if (foreign) {
    throw new ArgumentError(`summary: the model's parameters are on backend "${foreign.backend}" but the active backend is "${backend}"; await setBackend("${foreign.backend}") first`);
  }

  const named = model.namedModules();
  const names = new Map(named.map(([n, m]) => [m, n]));
  const layers: SummaryLayer[] = [];
  const open: { layer: SummaryLayer; childMacs: number }[] = [];
  const counters: number[] = [];
  const seen = new Set<Module>();
  const handles: RemovableHandle[] = [];
  for (const [, m] of named) {
    handles.push(
      m.registerForwardPreHook((mod, inputs) => {
        const depth = open.length;
        counters[depth] = (counters[depth] ?? 0) + 1;
        const layer: SummaryLayer = {
          name: names.get(mod) ?? "",
          type: mod.typeName,
          depth,
          depthIndex: counters[depth],
          inputShapes: shapesOf(inputs),
          outputShapes: [],
          params: parameterCount(mod),
          ownParams: mod.parameters({ recurse: false }).reduce((n, p) => n + p.size, 0),
          macs: 0,
          isLeaf: mod.children().length === 0,
          recursive: seen.has(mod),
        };
        seen.add(mod);
        layers.push(layer);
        open.push({ layer, childMacs: 0 });
      }),
      m.registerForwardHook((mod, inputs, output) => {
        const frame = open.pop();
        if (!frame) return;
        frame.layer.outputShapes = shapesOf(output);
        frame.layer.macs = frame.childMacs + callMacs(mod, inputs);
        const parent = open[open.length - 1];
        if (parent) parent.childMacs += frame.layer.macs;
      }),
    );
  }
  const modes = named.map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    // No graph: a summary only needs shapes, and recording would keep every activation alive.
    noGrad(() =>
      tidy(() => {
        (model.forward as (x: Tensor) => unknown).call(model, zeros(shape));
      }),
    );
  } catch (e) {
    const failing = open[open.length - 1]?.layer;
    if (e instanceof ConvkitError && failing) {
      const where = failing.name ? `${failing.name} (${failing.type})` : failing.type;
      const err = new (e.constructor as new (message: string) => ConvkitError)(`summary: running ${where} on input shape(s) ${failing.inputShapes.map((s) => `[${s.join(", ")}]`).join(", ")}: ${e.message}`);
      throw err;
    }
    throw e;
  } finally {
    for (const h of handles) h.remove();
    for (const [m, training] of modes) m.train(training);
  }

  const totalParams = parameterCount(model);
  const result = { inputShape: shape, layers, totalParams, trainableParams: totalParams, totalMacs: layers[0]?.macs ?? 0 };
  const table = render(result, maxDepth);
  if (o.print) console.log(table);
  return { ...result, toString: () => table };
}
