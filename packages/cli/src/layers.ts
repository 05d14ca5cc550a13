/**
 * The layers `convkit shape` understands. A layer is written `kind:args`, args comma-separated as
 * `key=value`, a bare value (the kind's main size) or a bare flag; tuples use `x` like shapes do:
 * `maxpool2d:k=3x2,s=2,p=1,ceil`. Each kind has one entry below with its own parser and a shape
 * function that calls core's shape functions (batchShape, resolveWindow, convOutputShape, ...), so core's
 * checks and error messages apply unchanged; the CLI only parses. Layers with weights also report their
 * parameter and multiply-accumulate counts (core's convParameterCount and convMacs). To add a kind,
 * append an entry to LAYER_KINDS.
 */
import {
  type AdaptivePoolOp,
  type AdaptiveSizeN,
  adaptivePoolOutputShape,
  batchShape,
  checkHalfKernelPadding,
  convMacs,
  convOutputShape,
  convParameterCount,
  convTransposeOutputShape,
  convWeightShape,
  resolveWindow,
} from "@convkit/core";
import { UsageError } from "./args.js";

/** A layer as written, split into its parts. */
export interface LayerSpec {
  readonly text: string;
  readonly kind: string;
  readonly named: ReadonlyMap<string, string>;
  readonly positional: readonly string[];
  readonly flags: ReadonlySet<string>;
}

/** Learnable parameters and multiply-accumulates of one forward pass (null: the layer does none, e.g. pooling). */
export interface LayerCost {
  readonly params: number;
  readonly macs: number | null;
}

export interface Layer {
  /** Output shape for an input shape; throws ConvkitError / UsageError when the layer cannot take it. */
  outputShape(input: readonly number[]): number[];
  /** Cost for an input shape this layer accepted; layers without weights have none (0 parameters). */
  cost?(input: readonly number[]): LayerCost;
}

export interface LayerKind {
  readonly name: string;
  /** Syntax line for --help, e.g. `maxpool2d:k=K[,s=S][,p=P][,d=D][,ceil]`. */
  readonly syntax: string;
  readonly summary: string;
  /** Value keys and bare flags the kind accepts; a bare value is its first key. */
  readonly keys: readonly string[];
  readonly flags: readonly string[];
  parse(spec: LayerSpec): Layer;
}

/** Splits `kind:a=1,b=2x3,flag,7` (kind names are case-insensitive). */
export function splitLayer(text: string): LayerSpec {
  const colon = text.indexOf(":");
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase();
  const named = new Map<string, string>();
  const positional: string[] = [];
  const flags = new Set<string>();
  const kindEntry = LAYER_KINDS.find((k) => k.name === kind);
  if (colon >= 0) {
    for (const raw of text.slice(colon + 1).split(",")) {
      const part = raw.trim();
      if (part === "") throw new UsageError(`shape: empty argument in layer ${JSON.stringify(text)}`);
      const eq = part.indexOf("=");
      if (eq >= 0) {
        const key = part.slice(0, eq).trim().toLowerCase();
        if (named.has(key)) throw new UsageError(`shape: ${key} is given twice in layer ${JSON.stringify(text)}`);
        named.set(key, part.slice(eq + 1).trim());
      } else if (kindEntry?.flags.includes(part.toLowerCase())) flags.add(part.toLowerCase());
      else positional.push(part);
    }
  }
  return { text, kind, named, positional, flags };
}

/** Reads value key `key`; the kind's first key may also be given as the bare value. */
function value(spec: LayerSpec, kind: LayerKind, key: string): string | undefined {
  const v = spec.named.get(key);
  if (key === kind.keys[0] && spec.positional.length > 0) {
    if (v !== undefined) throw new UsageError(`shape: ${key} is given twice in layer ${JSON.stringify(spec.text)}`);
    return spec.positional[0];
  }
  return v;
}

function checkKnown(spec: LayerSpec, kind: LayerKind): void {
  const allowed = `${kind.name} takes ${[...kind.keys.map((k) => `${k}=`), ...kind.flags].join(", ")}`;
  for (const key of spec.named.keys()) {
    if (!kind.keys.includes(key)) throw new UsageError(`shape: unknown argument ${key}= in layer ${JSON.stringify(spec.text)}; ${allowed}`);
  }
  if (spec.positional.length > 1) {
    throw new UsageError(`shape: unexpected ${JSON.stringify(spec.positional[1])} in layer ${JSON.stringify(spec.text)}; ${allowed}`);
  }
}

/** `3` -> 3, `3x2` -> [3, 2]. Range checks are core's. */
function ints(spec: LayerSpec, key: string, text: string): number | number[] {
  const parts = text.split("x");
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`shape: ${key} must be an integer or integers joined by x (like 3x2), got ${JSON.stringify(text)} in layer ${JSON.stringify(spec.text)}`);
  }
  const nums = parts.map(Number);
  return nums.length === 1 ? nums[0] : nums;
}

function optionalInts(spec: LayerSpec, kind: LayerKind, key: string): number | number[] | undefined {
  const v = value(spec, kind, key);
  return v === undefined ? undefined : ints(spec, key, v);
}

function requiredInts(spec: LayerSpec, kind: LayerKind, key: string): number | number[] {
  const v = value(spec, kind, key);
  if (v === undefined) throw new UsageError(`shape: layer ${JSON.stringify(spec.text)} needs ${key}= (${kind.syntax})`);
  return ints(spec, key, v);
}

function restore(out: number[], unbatched: boolean): number[] {
  return unbatched ? out.slice(1) : out;
}

type PaddingRule = "max" | "avg" | "none";

/** maxpool / avgpool / lppool: PyTorch's padding rule, then core's window geometry. */
function slidingKind(name: string, fn: string, rank: number, padRule: PaddingRule, summary: string): LayerKind {
  const keys = padRule === "max" ? ["k", "s", "p", "d"] : padRule === "avg" ? ["k", "s", "p"] : ["k", "s", "norm"];
  const syntax = `${name}:k=K[,s=S]${padRule === "none" ? "[,norm=P]" : "[,p=P]"}${padRule === "max" ? "[,d=D]" : ""}[,ceil]`;
  const kind: LayerKind = {
    name,
    syntax,
    summary,
    keys,
    flags: ["ceil"],
    parse(spec) {
      checkKnown(spec, kind);
      const kernelSize = requiredInts(spec, kind, "k");
      const stride = optionalInts(spec, kind, "s");
      const padding = padRule === "none" ? 0 : (optionalInts(spec, kind, "p") ?? 0);
      const dilation = padRule === "max" ? (optionalInts(spec, kind, "d") ?? 1) : 1;
      const norm = spec.named.get("norm");
      if (norm !== undefined && !(Number(norm) > 0 && Number.isFinite(Number(norm)))) {
        throw new UsageError(`shape: norm must be a positive number, got ${JSON.stringify(norm)} in layer ${JSON.stringify(spec.text)}`);
      }
      const ceilMode = spec.flags.has("ceil");
      return {
        outputShape(input) {
          const b = batchShape(fn, input, rank);
          if (padRule !== "none") checkHalfKernelPadding(fn, input, kernelSize, padding, rank);
          const g = resolveWindow(fn, b.shape, { kernelSize, stride, pads: padding, dilation, ceilMode });
          return restore([b.shape[0], b.shape[1], ...g.outShape], b.unbatched);
        },
      };
    },
  };
  return kind;
}

/** adaptive pools: the output size is given; `none` keeps that input size (PyTorch's None). Range checks are core's. */
function adaptiveKind(name: string, fn: AdaptivePoolOp, rank: number, module: string): LayerKind {
  const kind: LayerKind = {
    name,
    syntax: `${name}:SIZE`,
    summary: `${module}; SIZE like ${rank === 1 ? "4" : rank === 2 ? "7x7, 1 or 4xnone" : "2x4x4, 1 or nonex4x4"}`,
    keys: ["o"],
    flags: [],
    parse(spec) {
      checkKnown(spec, kind);
      const text = value(spec, kind, "o");
      if (text === undefined) throw new UsageError(`shape: layer ${JSON.stringify(spec.text)} needs an output size (${kind.syntax})`);
      const parts = text.split("x").map((p) => p.trim().toLowerCase());
      if (parts.some((p) => p !== "none" && !/^\d+$/.test(p)) || (parts.length !== 1 && parts.length !== rank)) {
        throw new UsageError(
          `shape: ${name} output size must be an integer or ${rank} of them (or none) joined by x, got ${JSON.stringify(text)} in layer ${JSON.stringify(spec.text)}`,
        );
      }
      // core's outputSize as the module would get it: one int for every dim, or per-dim entries (null: none)
      const sizes = parts.map((p) => (p === "none" ? null : Number(p)));
      const outputSize: AdaptiveSizeN = sizes.length === 1 ? (sizes[0] ?? new Array<null>(rank).fill(null)) : sizes;
      return {
        outputShape: (input) => adaptivePoolOutputShape(fn, input, outputSize),
      };
    },
  };
  return kind;
}

/** A positive-integer argument such as out channels or groups (no tuples). */
function count(spec: LayerSpec, key: string, what: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) === 0) {
    throw new UsageError(`shape: ${key} (${what}) must be a positive integer, got ${JSON.stringify(text)} in layer ${JSON.stringify(spec.text)}`);
  }
  return Number(text);
}

/**
 * nn.ConvNd / nn.ConvTransposeNd: `conv2d:64,k=3,s=2,p=1,g=1`. Stride defaults to 1 (not the kernel, as
 * for pools); groups = input channels is a depthwise convolution. The layer's weight shape is core's
 * convWeightShape (nn.ConvNd's checks), the output shape core's convOutputShape / convTransposeOutputShape
 * (the ops' checks and messages); costs are core's convParameterCount and convMacs.
 */
function convKind(name: string, fn: string, rank: number, transposed: boolean): LayerKind {
  const keys = transposed ? ["o", "k", "s", "p", "op", "d", "g"] : ["o", "k", "s", "p", "d", "g"];
  const module = transposed ? `nn.ConvTranspose${rank}d` : `nn.Conv${rank}d`;
  const kind: LayerKind = {
    name,
    syntax: `${name}:OUT,k=K[,s=S][,p=${transposed ? "P" : "P|same|valid"}]${transposed ? "[,op=OP]" : ""}[,d=D][,g=G][,nobias]`,
    summary: `${module}(C_in, OUT, K)${transposed ? "; op = output_padding" : "; g=C_in is depthwise"}`,
    keys,
    flags: ["nobias"],
    parse(spec) {
      checkKnown(spec, kind);
      const out = count(spec, "o", "out channels", value(spec, kind, "o"));
      if (out === undefined) throw new UsageError(`shape: layer ${JSON.stringify(spec.text)} needs its out channels first (${kind.syntax})`);
      const kernelSize = requiredInts(spec, kind, "k");
      const strideArg = optionalInts(spec, kind, "s") ?? 1;
      const dilationArg = optionalInts(spec, kind, "d") ?? 1;
      const groups = count(spec, "g", "groups", value(spec, kind, "g")) ?? 1;
      const paddingText = value(spec, kind, "p")?.toLowerCase();
      const keyword = !transposed && (paddingText === "same" || paddingText === "valid") ? paddingText : undefined;
      const paddingArg = keyword || paddingText === undefined ? 0 : ints(spec, "p", paddingText);
      const outputPaddingArg = optionalInts(spec, kind, "op") ?? 0;
      const bias = !spec.flags.has("nobias");
      /** Everything resolved against one input shape. */
      const resolve = (input: readonly number[]) => {
        const b = batchShape(fn, input, rank);
        const weightShape = convWeightShape(fn, rank, { inChannels: b.shape[1], outChannels: out, kernelSize, groups, transposed });
        const outputShape = transposed
          ? convTransposeOutputShape(input, weightShape, {
              stride: strideArg,
              padding: paddingArg,
              outputPadding: outputPaddingArg,
              dilation: dilationArg,
              groups,
            })
          : convOutputShape(input, weightShape, { stride: strideArg, padding: keyword ?? paddingArg, dilation: dilationArg, groups });
        return { b, weightShape, outputShape };
      };
      return {
        outputShape(input) {
          return resolve(input).outputShape;
        },
        cost(input) {
          const { b, weightShape, outputShape } = resolve(input);
          const config = { inChannels: b.shape[1], outChannels: out, kernelSize: weightShape.slice(2), groups, bias, transposed };
          return {
            params: convParameterCount(config),
            macs: convMacs({ ...config, inputSize: b.shape.slice(2), outputSize: outputShape.slice(-rank), batch: b.shape[0] }),
          };
        },
      };
    },
  };
  return kind;
}

export const LAYER_KINDS: readonly LayerKind[] = [
  ...[1, 2, 3].map((r) => convKind(`conv${r}d`, `conv${r}d`, r, false)),
  ...[1, 2, 3].map((r) => convKind(`convtranspose${r}d`, `convTranspose${r}d`, r, true)),
  ...[1, 2, 3].map((r) => slidingKind(`maxpool${r}d`, `maxPool${r}d`, r, "max", `nn.MaxPool${r}d`)),
  ...[1, 2, 3].map((r) => slidingKind(`avgpool${r}d`, `avgPool${r}d`, r, "avg", `nn.AvgPool${r}d`)),
  ...[1, 2].map((r) => slidingKind(`lppool${r}d`, `lpPool${r}d`, r, "none", `nn.LPPool${r}d (norm does not change the shape)`)),
  ...([1, 2, 3] as const).map((r) => adaptiveKind(`adaptivemaxpool${r}d`, `adaptiveMaxPool${r}d`, r, `nn.AdaptiveMaxPool${r}d`)),
  ...([1, 2, 3] as const).map((r) => adaptiveKind(`adaptiveavgpool${r}d`, `adaptiveAvgPool${r}d`, r, `nn.AdaptiveAvgPool${r}d`)),
];

export function parseLayer(text: string): Layer {
  const spec = splitLayer(text);
  const kind = LAYER_KINDS.find((k) => k.name === spec.kind);
  if (!kind) throw new UsageError(`shape: unknown layer kind ${JSON.stringify(spec.kind)} in ${JSON.stringify(text)} (see convkit shape --help)`);
  return kind.parse(spec);
}
