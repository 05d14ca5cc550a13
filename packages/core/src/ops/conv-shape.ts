/**
 * Shape resolution for the convolution family on shapes alone: from an input shape, a weight shape and
 * the ops' options to the explicit geometry the kernels receive, with every check the ops make and their
 * messages. The ops are this plus tensor checks and the kernel call; layers, the CLI and the bench call
 * it for output shapes without tensors.
 */
import { type BatchedShape, NON_NEGATIVE, POSITIVE, type SizeN, batchShape, checkElementCount, expandInts, optionsOf, positiveInt } from "../args.js";
import type { ConvGeometry, ConvTransposeGeometry, PadMode } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { samePadding } from "../padding.js";
import { convOutputSize, convTransposeOutputSize, effectiveKernel } from "../pool-output-size.js";
import type { ConvTransposeOptions } from "./conv-transpose.js";
import type { ConvOptions } from "./conv.js";
import { paddedShape } from "./pad.js";
import { type PadsN, resolvePads } from "./pool-window.js";

/** How nn.ConvNd fills its padding: zeros (the functional default) or F.pad's reflect/replicate/circular. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** `conv1d/2d/3d`'s options without the bias tensor: everything that decides the output shape. */
export type ConvShapeOptions<S extends SizeN = SizeN> = Omit<ConvOptions<S>, "bias">;
/** `convTranspose1d/2d/3d`'s options without the bias tensor. */
export type ConvTransposeShapeOptions<S extends SizeN = SizeN> = Omit<ConvTransposeOptions<S>, "bias">;

const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];
const KERNEL_NAMES: Record<number, string> = { 1: "kL", 2: "kH, kW", 3: "kD, kH, kW" };

/** Positive integer `groups` (default 1), with the op's message. */
export function checkGroups(op: string, groups: unknown): number {
  return positiveInt(op, "groups", groups ?? 1);
}

/** One of nn.ConvNd's padding modes (default "zeros"). */
export function checkPaddingMode(op: string, mode: unknown): PaddingMode {
  const m = mode ?? "zeros";
  if (!PADDING_MODES.includes(m as PaddingMode)) {
    throw new ArgumentError(`${op}: paddingMode must be one of ${PADDING_MODES.map((s) => `"${s}"`).join(", ")}, got ${fmt(mode)}`);
  }
  return m as PaddingMode;
}

/** A weight shape of `rank + 2` non-empty dims; `layout` names the first two for the message. */
export function checkWeightShape(op: string, weightShape: readonly number[], rank: number, layout: string, inputShape: readonly number[]): void {
  if (weightShape.length !== rank + 2) {
    throw new ShapeError(
      `${op}: weight must be ${rank + 2}-D [${layout}, ${KERNEL_NAMES[rank]}], got ${weightShape.length}-D weight of shape ${fmt(weightShape)} (input shape ${fmt(inputShape)})`,
    );
  }
  if (weightShape.some((d) => d === 0))
    throw new ShapeError(`${op}: weight must have no empty dims, got weight of shape ${fmt(weightShape)} (input shape ${fmt(inputShape)})`);
}

/**
 * PyTorch's rule for `padding="same"`: stride 1 in every dim (`stride` expanded per dim). `inputShape`
 * is named in the message when there is one (layers check this at construction).
 */
export function checkSamePaddingStride(op: string, stride: readonly number[], inputShape?: readonly number[]): void {
  if (stride.some((s) => s !== 1)) {
    throw new ArgumentError(
      `${op}: padding "same" needs stride 1 in every dim (as in PyTorch), got stride ${fmt(stride)}${inputShape ? ` (input shape ${fmt(inputShape)})` : ""}`,
    );
  }
}

/**
 * PyTorch's rule for transposed convolutions: outputPadding is smaller than stride or dilation in every
 * dim. `inputShape` is named in the message when there is one (layers check this at construction).
 */
export function checkOutputPadding(
  op: string,
  outputPadding: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
  inputShape?: readonly number[],
): void {
  if (outputPadding.some((p, i) => p >= stride[i] && p >= dilation[i])) {
    throw new ArgumentError(
      `${op}: outputPadding ${fmt(outputPadding)} must be smaller than either stride ${fmt(stride)} or dilation ${fmt(dilation)} in every dim (as in PyTorch)${inputShape ? `; input shape ${fmt(inputShape)}` : ""}`,
    );
  }
}

/** nn.ConvNd / nn.ConvTransposeNd's configuration, as far as it decides the weight shape. */
export interface ConvWeightConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: SizeN;
  /** Defaults to 1; must divide both channel counts. */
  groups?: number;
  /** A transposed convolution: weight `[inChannels, outChannels / groups, ...k]`. */
  transposed?: boolean;
}

/**
 * The weight shape of a convolution layer, checked as nn.ConvNd's constructor checks it (positive
 * channel counts and groups, groups dividing both counts, a kernel size per spatial dim):
 * `[outChannels, inChannels / groups, ...k]`, or `[inChannels, outChannels / groups, ...k]` transposed.
 */
export function convWeightShape(op: string, rank: number, config: ConvWeightConfig): number[] {
  const cin = positiveInt(op, "inChannels", config.inChannels);
  const cout = positiveInt(op, "outChannels", config.outChannels);
  const g = checkGroups(op, config.groups);
  if (cin % g !== 0) throw new ArgumentError(`${op}: inChannels (${cin}) must be divisible by groups (${g})`);
  if (cout % g !== 0) throw new ArgumentError(`${op}: outChannels (${cout}) must be divisible by groups (${g})`);
  const kernel = expandInts(op, "kernelSize", config.kernelSize, rank, POSITIVE);
  const shape = config.transposed ? [cin, cout / g, ...kernel] : [cout, cin / g, ...kernel];
  checkElementCount(op, "weight", shape);
  return shape;
}

/** A convolution resolved against an input and a weight shape: what the kernel call needs. */
export interface ConvResolution {
  /** The input as `[N, Cin, ...spatial]`, and whether it was given without the batch dim. */
  readonly input: BatchedShape;
  /**
   * With a non-zero paddingMode and some padding: the pads over every dim of the batched input that
   * `pad` applies first (the geometry's pads are then zero). Otherwise null.
   */
  readonly prePad: { readonly mode: PadMode; readonly begin: readonly number[]; readonly end: readonly number[] } | null;
  readonly geometry: ConvGeometry;
  /** `[N, Cout, ...out]`. */
  readonly batchedOutputShape: readonly number[];
  /** The output shape, without the batch dim when the input had none. */
  readonly outputShape: readonly number[];
}

export interface ConvTransposeResolution {
  readonly input: BatchedShape;
  /** `padEnd` here is the end crop minus outputPadding (negative adds positions), as kernels take it. */
  readonly geometry: ConvTransposeGeometry;
  readonly batchedOutputShape: readonly number[];
  readonly outputShape: readonly number[];
}

/** The pads an op's options give: torch's `padding` (int, tuple, "same", "valid") or convNd's explicit `pads`. */
export type ConvPadding = { readonly torch: unknown } | { readonly explicit: PadsN };

export interface ConvArgs {
  stride: unknown;
  dilation: unknown;
  groups: unknown;
  padding: ConvPadding;
  paddingMode: unknown;
}

function resolvePadding(op: string, padding: ConvPadding, rank: number, kernel: number[], stride: number[], dilation: number[], shape: readonly number[]) {
  if ("explicit" in padding) return resolvePads(op, "pads", padding.explicit, rank, shape);
  const p = padding.torch;
  if (p === "valid") return { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
  if (p === "same") {
    checkSamePaddingStride(op, stride, shape);
    const pairs = kernel.map((k, i) => samePadding(shape[shape.length - rank + i], k, 1, dilation[i]));
    return { begin: pairs.map((q) => q[0]), end: pairs.map((q) => q[1]) };
  }
  if (typeof p === "string") throw new ArgumentError(`${op}: padding must be an integer, a tuple of ${rank} integers, "same" or "valid", got ${fmt(p)}`);
  const both = expandInts(op, "padding", (p ?? 0) as SizeN, rank, NON_NEGATIVE, shape);
  return { begin: both, end: [...both] };
}

/** Pads written as the messages show them: `p` when symmetric, `[begin, end]` otherwise. */
function showPads(begin: readonly number[], end: readonly number[]): string {
  return fmt(begin.map((p, i) => (p === end[i] ? p : [p, end[i]])));
}

/** `planConv`'s arguments from `conv1d/2d/3d`'s options. */
export function torchConvArgs(o: ConvShapeOptions): ConvArgs {
  return { stride: o.stride, dilation: o.dilation, groups: o.groups, padding: { torch: o.padding }, paddingMode: o.paddingMode };
}

/** Resolves a convolution of spatial rank `rank` (the op's own checks, in its order, named `op`). */
export function planConv(op: string, rank: number, inputShape: readonly number[], weightShape: readonly number[], a: ConvArgs): ConvResolution {
  const mode = checkPaddingMode(op, a.paddingMode);
  const input = batchShape(op, inputShape, rank);
  const shape = input.shape;
  checkWeightShape(op, weightShape, rank, "Cout, Cin / groups", inputShape);
  const groups = checkGroups(op, a.groups);
  const [cout, cinPerGroup] = weightShape;
  const cin = shape[1];
  if (cout % groups !== 0) {
    throw new ShapeError(`${op}: groups=${groups} must divide the weight's output channels (dim 0), got weight of shape ${fmt(weightShape)}`);
  }
  if (cinPerGroup * groups !== cin) {
    throw new ShapeError(
      `${op}: weight of shape ${fmt(weightShape)} with groups=${groups} expects ${cinPerGroup * groups} input channels (weight dim 1 x groups), got input of shape ${fmt(inputShape)} with ${cin} channels`,
    );
  }
  const kernel = weightShape.slice(2);
  const stride = expandInts(op, "stride", (a.stride ?? 1) as SizeN, rank, POSITIVE, inputShape);
  const dilation = expandInts(op, "dilation", (a.dilation ?? 1) as SizeN, rank, POSITIVE, inputShape);
  let { begin, end } = resolvePadding(op, a.padding, rank, kernel, stride, dilation, shape);
  let spatial = shape.slice(2);
  let prePad: ConvResolution["prePad"] = null;
  if (mode !== "zeros" && [...begin, ...end].some((p) => p > 0)) {
    const padMode = mode as PadMode;
    prePad = { mode: padMode, begin: [0, 0, ...begin], end: [0, 0, ...end] };
    spatial = paddedShape(op, `paddingMode "${mode}" with padding`, shape, prePad.begin, prePad.end, padMode).slice(2);
    begin = begin.map(() => 0);
    end = end.map(() => 0);
  }
  const outShape = spatial.map((n, i) => convOutputSize(n, kernel[i], stride[i], begin[i], end[i], dilation[i]));
  if (outShape.some((o) => o < 1)) {
    const paddedSize = spatial.map((n, i) => n + begin[i] + end[i]);
    throw new ShapeError(
      `${op}: kernel size ${fmt(kernel)} (dilation ${fmt(dilation)}, effective ${fmt(kernel.map((k, i) => effectiveKernel(k, dilation[i])))}) is larger than the padded input ${fmt(paddedSize)}; input shape ${fmt(inputShape)}, weight shape ${fmt(weightShape)}, padding ${showPads(begin, end)}`,
    );
  }
  const batchedOutputShape = [shape[0], cout, ...outShape];
  checkElementCount(op, "output", batchedOutputShape, `; input shape ${fmt(inputShape)}, weight shape ${fmt(weightShape)}, padding ${showPads(begin, end)}`);
  return {
    input,
    prePad,
    geometry: { stride, dilation, padBegin: begin, padEnd: end, groups, outShape },
    batchedOutputShape,
    outputShape: input.unbatched ? batchedOutputShape.slice(1) : batchedOutputShape,
  };
}

export interface ConvTransposeArgs {
  stride: unknown;
  dilation: unknown;
  groups: unknown;
  padBegin: SizeN;
  padEnd: SizeN;
  outputPadding: SizeN;
  /** The torch-style ops: one symmetric `padding`, and outputPadding smaller than stride or dilation. */
  torchStyle: boolean;
}

/** `planConvTranspose`'s arguments from `convTranspose1d/2d/3d`'s options: one symmetric padding. */
export function torchConvTransposeArgs(o: ConvTransposeShapeOptions): ConvTransposeArgs {
  const padding = o.padding ?? 0;
  return {
    stride: o.stride,
    dilation: o.dilation,
    groups: o.groups,
    padBegin: padding,
    padEnd: padding,
    outputPadding: o.outputPadding ?? 0,
    torchStyle: true,
  };
}

/** Resolves a transposed convolution of spatial rank `rank` (the op's own checks, in its order, named `op`). */
export function planConvTranspose(
  op: string,
  rank: number,
  inputShape: readonly number[],
  weightShape: readonly number[],
  a: ConvTransposeArgs,
): ConvTransposeResolution {
  const input = batchShape(op, inputShape, rank);
  const shape = input.shape;
  checkWeightShape(op, weightShape, rank, "Cin, Cout / groups", inputShape);
  const groups = checkGroups(op, a.groups);
  const cin = shape[1];
  if (weightShape[0] % groups !== 0) {
    throw new ShapeError(`${op}: groups=${groups} must divide the weight's input channels (dim 0), got weight of shape ${fmt(weightShape)}`);
  }
  if (weightShape[0] !== cin) {
    throw new ShapeError(
      `${op}: weight of shape ${fmt(weightShape)} expects ${weightShape[0]} input channels (weight dim 0), got input of shape ${fmt(inputShape)} with ${cin} channels`,
    );
  }
  const cout = weightShape[1] * groups;
  const kernel = weightShape.slice(2);
  const stride = expandInts(op, "stride", (a.stride ?? 1) as SizeN, rank, POSITIVE, inputShape);
  const dilation = expandInts(op, "dilation", (a.dilation ?? 1) as SizeN, rank, POSITIVE, inputShape);
  const padBegin = expandInts(op, a.torchStyle ? "padding" : "padBegin", a.padBegin, rank, NON_NEGATIVE, inputShape);
  // padEnd may be negative in the N-d form (ONNX output_shape can need extra positions at the end).
  const padEnd = a.torchStyle ? padBegin : expandInts(op, "padEnd", a.padEnd, rank, { min: Number.NEGATIVE_INFINITY, describe: "integers" }, inputShape);
  const outPad = expandInts(op, "outputPadding", a.outputPadding, rank, NON_NEGATIVE, inputShape);
  if (a.torchStyle) checkOutputPadding(op, outPad, stride, dilation, inputShape);
  const spatial = shape.slice(2);
  const outShape = spatial.map((n, i) => convTransposeOutputSize(n, kernel[i], stride[i], padBegin[i], padEnd[i], dilation[i], outPad[i]));
  if (outShape.some((o) => o < 1)) {
    throw new ShapeError(
      `${op}: output size ${fmt(outShape)} is too small (every dim must be at least 1): input size ${fmt(spatial)}, kernel ${fmt(kernel)}, stride ${fmt(stride)}, padding ${showPads(padBegin, padEnd)}, dilation ${fmt(dilation)}, outputPadding ${fmt(outPad)}; input shape ${fmt(inputShape)}`,
    );
  }
  const batchedOutputShape = [shape[0], cout, ...outShape];
  checkElementCount(op, "output", batchedOutputShape, `; input shape ${fmt(inputShape)}, weight shape ${fmt(weightShape)}, stride ${fmt(stride)}`);
  return {
    input,
    geometry: { stride, dilation, padBegin, padEnd: padEnd.map((p, i) => p - outPad[i]), groups, outShape },
    batchedOutputShape,
    outputShape: input.unbatched ? batchedOutputShape.slice(1) : batchedOutputShape,
  };
}

/** An array of non-negative integers (the public shape functions' own arguments). */
function checkShapeArg(op: string, name: string, v: unknown): readonly number[] {
  if (!Array.isArray(v) || v.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
    throw new ArgumentError(`${op}: ${name} must be an array of non-negative integers, got ${fmt(v)}`);
  }
  return v;
}

/** Spatial rank of the N-d forms, from a weight shape of 3 to 5 dims; `layout` names its first two dims. */
export function ndWeightRank(op: string, weightShape: readonly number[], layout: string): number {
  const rank = weightShape.length - 2;
  if (rank < 1 || rank > 3) {
    throw new ShapeError(`${op}: weight must be 3-D to 5-D [${layout}, ...kernel], got ${weightShape.length}-D weight of shape ${fmt(weightShape)}`);
  }
  return rank;
}

/**
 * What `conv1d/2d/3d(input, weight, options)` resolves (the rank is the weight's minus 2), without
 * tensors: the same checks and messages as the op, named after it. Input batched or not.
 */
export function resolveConv(inputShape: readonly number[], weightShape: readonly number[], options?: ConvShapeOptions | null): ConvResolution {
  const fn = "resolveConv";
  const w = checkShapeArg(fn, "weightShape", weightShape);
  const x = checkShapeArg(fn, "inputShape", inputShape);
  const rank = ndWeightRank(fn, w, "Cout, Cin / groups");
  const op = `conv${rank}d`;
  return planConv(op, rank, x, w, torchConvArgs(optionsOf(op, options, x)));
}

/** What `convTranspose1d/2d/3d(input, weight, options)` resolves, without tensors (see `resolveConv`). */
export function resolveConvTranspose(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: ConvTransposeShapeOptions | null,
): ConvTransposeResolution {
  const fn = "resolveConvTranspose";
  const w = checkShapeArg(fn, "weightShape", weightShape);
  const x = checkShapeArg(fn, "inputShape", inputShape);
  const rank = ndWeightRank(fn, w, "Cin, Cout / groups");
  const op = `convTranspose${rank}d`;
  return planConvTranspose(op, rank, x, w, torchConvTransposeArgs(optionsOf(op, options, x)));
}

/** The shape `conv1d/2d/3d(input, weight, options)` returns, or the error it throws, without tensors. */
export function convOutputShape(inputShape: readonly number[], weightShape: readonly number[], options?: ConvShapeOptions | null): number[] {
  return [...resolveConv(inputShape, weightShape, options).outputShape];
}

/** The shape `convTranspose1d/2d/3d(input, weight, options)` returns, or the error it throws, without tensors. */
export function convTransposeOutputShape(inputShape: readonly number[], weightShape: readonly number[], options?: ConvTransposeShapeOptions | null): number[] {
  return [...resolveConvTranspose(inputShape, weightShape, options).outputShape];
}
