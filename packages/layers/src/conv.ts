/**
 * Convolution layers mirroring `torch.nn.Conv1d/2d/3d` and `ConvTranspose1d/2d/3d`: the constructor
 * validates the configuration as nn.ConvNd does, stores sizes as full tuples (as torch stores them, so
 * `toString()` prints torch's repr) and draws PyTorch's default initialisation from a seedable
 * generator; `forward` calls core's functional op with the layer's weight and bias.
 */
import {
  ArgumentError,
  type ConvOptions,
  type ConvTransposeOptions,
  type Generator,
  type PaddingMode,
  type Size1,
  type Size2,
  type Size3,
  type SizeN,
  type Tensor,
  checkOutputPadding,
  checkPaddingMode,
  checkSamePaddingStride,
  conv1d,
  conv2d,
  conv3d,
  convMacs,
  convOutputShape,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  convTransposeOutputShape,
  convTransposeOutputSize,
  convWeightShape,
  type IntRule,
  NON_NEGATIVE,
  POSITIVE,
  defaultGenerator,
  expandInts,
  optionsOf,
} from "@convkit/core";
import { convDefaultInit } from "./init.js";
import { Module } from "./module.js";
import { pyRepr } from "./repr.js";

/** The tuple a size option is stored as: `Size2` -> `readonly [number, number]`. */
type TupleOf<S extends SizeN> = Exclude<S, number>;

export interface ConvLayerOptions<S extends SizeN> {
  stride?: S;
  /** Per-dim zero padding on both sides, or `"same"` (stride 1 only) or `"valid"` (none). */
  padding?: S | "same" | "valid";
  dilation?: S;
  /** Splits the channels into `groups` independent convolutions; must divide both channel counts. */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** How the padding is filled (default "zeros"); other modes pad with core's `pad` first, as nn.ConvNd. */
  paddingMode?: PaddingMode;
  /** Draws the initial weights (default: core's `defaultGenerator`, reseeded by `manualSeed`). */
  generator?: Generator;
}

export interface ConvTransposeLayerOptions<S extends SizeN> {
  stride?: S;
  /** Crops `padding` positions from both ends of the full transposed-convolution output. */
  padding?: S;
  /** Extra positions at the end of each dim; smaller than stride or dilation. Ignored when forward gets an outputSize. */
  outputPadding?: S;
  groups?: number;
  bias?: boolean;
  dilation?: S;
  generator?: Generator;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(", ")}]` : String(v);
}

function tuple<S extends SizeN>(op: string, name: string, v: S, rank: number, rule: IntRule): TupleOf<S> {
  return Object.freeze(expandInts(op, name, v, rank, rule)) as unknown as TupleOf<S>;
}

/**
 * nn.ConvNd's `padding` checked at construction, as PyTorch does: `"same"` (stride 1 only) or
 * `"valid"` as given, else non-negative integers per dim. `stride` is the expanded stride.
 */
export function layerPadding(op: string, padding: SizeN | string, rank: number, stride: readonly number[]): number[] | "same" | "valid" {
  if (typeof padding !== "string") return expandInts(op, "padding", padding, rank, NON_NEGATIVE);
  if (padding !== "same" && padding !== "valid") {
    throw new ArgumentError(`${op}: padding must be an integer, a tuple of ${rank} integers, "same" or "valid", got ${show(padding)}`);
  }
  if (padding === "same") checkSamePaddingStride(op, stride);
  return padding;
}

/** A layer's `bias` option: true (the default) or false. */
function hasBias(op: string, bias: unknown): boolean {
  if (bias !== undefined && typeof bias !== "boolean") throw new ArgumentError(`${op}: bias must be a boolean, got ${show(bias)}`);
  return bias !== false;
}

function checkSpatial(op: string, what: string, size: readonly number[], rank: number): void {
  if (!Array.isArray(size) || size.length !== rank || size.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError(`${op}: ${what} must be ${rank} positive integers (one per spatial dim), got ${show(size)}`);
  }
}

/**
 * `_ConvNd.extra_repr`: positional channel counts, kernel_size and stride always, then padding,
 * dilation, output_padding, groups, bias and padding_mode only when not at their defaults. Strings
 * print unquoted (`padding=same`, `padding_mode=reflect`), since torch formats them with `str.format`.
 */
function convRepr(
  f: {
    inChannels: number;
    outChannels: number;
    kernelSize: readonly number[];
    stride: readonly number[];
    padding: readonly number[] | string;
    dilation: readonly number[];
    groups: number;
    bias: Tensor | null;
    paddingMode: string;
  },
  outputPadding: readonly number[] | null,
): string {
  let s = `${f.inChannels}, ${f.outChannels}, kernel_size=${pyRepr(f.kernelSize)}, stride=${pyRepr(f.stride)}`;
  if (typeof f.padding === "string") s += `, padding=${f.padding}`;
  else if (f.padding.some((p) => p !== 0)) s += `, padding=${pyRepr(f.padding)}`;
  if (f.dilation.some((d) => d !== 1)) s += `, dilation=${pyRepr(f.dilation)}`;
  if (outputPadding?.some((p) => p !== 0)) s += `, output_padding=${pyRepr(outputPadding)}`;
  if (f.groups !== 1) s += `, groups=${f.groups}`;
  if (f.bias === null) s += ", bias=False";
  if (f.paddingMode !== "zeros") s += `, padding_mode=${f.paddingMode}`;
  return s;
}

// ------------------------------------------------------------------------------------------ ConvNd

/** Shared state, validation, init and repr of `Conv1d/2d/3d` (PyTorch's `_ConvNd`, not transposed). */
export abstract class ConvNd<S extends SizeN> extends Module<[Tensor], Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: TupleOf<S>;
  readonly stride: TupleOf<S>;
  readonly padding: TupleOf<S> | "same" | "valid";
  readonly dilation: TupleOf<S>;
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** `[outChannels, inChannels / groups, ...kernelSize]`. */
  readonly weight: Tensor;
  /** `[outChannels]`, or null (registered as a null parameter) with `bias: false`. */
  readonly bias: Tensor | null;

  constructor(rank: number, inChannels: number, outChannels: number, kernelSize: S, options: ConvLayerOptions<S>) {
    super();
    const op = this.getName();
    const o = optionsOf(op, options);
    const groups = o.groups ?? 1;
    const weightShape = convWeightShape(op, rank, { inChannels, outChannels, kernelSize, groups });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = Object.freeze(weightShape.slice(2)) as unknown as TupleOf<S>;
    this.stride = tuple(op, "stride", o.stride ?? (1 as S), rank, POSITIVE);
    this.dilation = tuple(op, "dilation", o.dilation ?? (1 as S), rank, POSITIVE);
    const padding = layerPadding(op, o.padding ?? (0 as S), rank, this.stride as readonly number[]);
    this.padding = (typeof padding === "string" ? padding : Object.freeze(padding)) as TupleOf<S> | "same" | "valid";
    this.paddingMode = checkPaddingMode(op, o.paddingMode);
    const init = convDefaultInit(weightShape, hasBias(op, o.bias) ? outChannels : null, o.generator ?? defaultGenerator);
    this.weight = this.registerParameter("weight", init.weight);
    this.bias = this.registerParameter("bias", init.bias);
  }

  /** The options core's `convNd` functions take, from this layer's state. */
  protected opOptions(): ConvOptions<TupleOf<S>> {
    return { bias: this.bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, paddingMode: this.paddingMode };
  }

  /** Spatial output size for a spatial input size (`[H, W]` for Conv2d), as forward computes it. */
  outputSize(inputSize: readonly number[]): number[] {
    checkSpatial(`${this.getName()}.outputSize`, "inputSize", inputSize, (this.kernelSize as readonly number[]).length);
    // Core's shape function for an unbatched input: forward's output size, and forward's error where it has one.
    return convOutputShape([this.inChannels, ...inputSize], this.weight.shape, this.opOptions()).slice(1);
  }

  /** Multiply-accumulates of one forward pass on a `batch` of spatial size `inputSize` (core's `convMacs`). */
  macs(inputSize: readonly number[], batch = 1): number {
    return convMacs({
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      groups: this.groups,
      outputSize: this.outputSize(inputSize),
      batch,
    });
  }

  extraRepr(): string {
    return convRepr(this, null);
  }
}

/** Like `torch.nn.Conv1d`: input `(N, Cin, L)` or `(Cin, L)`. */
export class Conv1d extends ConvNd<Size1> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size1, options: ConvLayerOptions<Size1> = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv1d(input, this.weight, this.opOptions());
  }
}

/** Like `torch.nn.Conv2d`: input `(N, Cin, H, W)` or `(Cin, H, W)`. */
export class Conv2d extends ConvNd<Size2> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: ConvLayerOptions<Size2> = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv2d(input, this.weight, this.opOptions());
  }
}

/** Like `torch.nn.Conv3d`: input `(N, Cin, D, H, W)` or `(Cin, D, H, W)`. */
export class Conv3d extends ConvNd<Size3> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size3, options: ConvLayerOptions<Size3> = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv3d(input, this.weight, this.opOptions());
  }
}

/**
 * The tutorial's grouped convolution (AlexNet's two-GPU split): a `Conv2d` whose channels are split
 * into `groups` independent convolutions, each seeing `inChannels / groups` inputs and producing
 * `outChannels / groups` outputs, so it has `1 / groups` of the dense layer's weights and
 * multiply-accumulates. Prints as its own class, as a PyTorch subclass of nn.Conv2d does.
 */
export class GroupedConv2d extends Conv2d {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, groups: number, options: Omit<ConvLayerOptions<Size2>, "groups"> = {}) {
    super(inChannels, outChannels, kernelSize, { ...options, groups });
  }
}

// --------------------------------------------------------------------------------- ConvTransposeNd

/** Shared state, validation, init, repr and `outputSize` handling of `ConvTranspose1d/2d/3d`. */
export abstract class ConvTransposeNd<S extends SizeN> extends Module<[Tensor, (readonly number[] | null)?], Tensor> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: TupleOf<S>;
  readonly stride: TupleOf<S>;
  readonly padding: TupleOf<S>;
  readonly outputPadding: TupleOf<S>;
  readonly dilation: TupleOf<S>;
  readonly groups: number;
  /** Always "zeros": PyTorch supports no other mode for transposed convolutions. */
  readonly paddingMode = "zeros" as const;
  /** `[inChannels, outChannels / groups, ...kernelSize]`. */
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(rank: number, inChannels: number, outChannels: number, kernelSize: S, options: ConvTransposeLayerOptions<S>) {
    super();
    const op = this.getName();
    const o = optionsOf(op, options);
    const groups = o.groups ?? 1;
    const weightShape = convWeightShape(op, rank, { inChannels, outChannels, kernelSize, groups, transposed: true });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = Object.freeze(weightShape.slice(2)) as unknown as TupleOf<S>;
    this.stride = tuple(op, "stride", o.stride ?? (1 as S), rank, POSITIVE);
    this.padding = tuple(op, "padding", o.padding ?? (0 as S), rank, NON_NEGATIVE);
    this.outputPadding = tuple(op, "outputPadding", o.outputPadding ?? (0 as S), rank, NON_NEGATIVE);
    this.dilation = tuple(op, "dilation", o.dilation ?? (1 as S), rank, POSITIVE);
    // PyTorch only finds this out at forward time; the configuration cannot work with any input.
    checkOutputPadding(op, this.outputPadding, this.stride, this.dilation);
    const init = convDefaultInit(weightShape, hasBias(op, o.bias) ? outChannels : null, o.generator ?? defaultGenerator);
    this.weight = this.registerParameter("weight", init.weight);
    this.bias = this.registerParameter("bias", init.bias);
  }

  /**
   * The output padding forward uses: the layer's `outputPadding`, or, given `outputSize` (spatial dims,
   * or the full shape with the batch/channel dims first), the padding that reaches it, as PyTorch's
   * `_output_padding`. Each requested size must lie between the unpadded size and that plus stride - 1.
   */
  outputPaddingFor(inputShape: readonly number[], outputSize?: readonly number[] | null): number[] {
    const padding = this.padding as readonly number[];
    if (outputSize === undefined || outputSize === null) return [...(this.outputPadding as readonly number[])];
    const op = this.getName();
    const rank = padding.length;
    const nonSpatial = inputShape.length === rank + 2 ? 2 : 1;
    if (!Array.isArray(outputSize) || outputSize.some((d) => typeof d !== "number" || !Number.isInteger(d))) {
      throw new ArgumentError(`${op}: outputSize must be an array of integers, got ${show(outputSize)}`);
    }
    const size = outputSize.length === nonSpatial + rank ? outputSize.slice(nonSpatial) : outputSize;
    if (size.length !== rank) {
      throw new ArgumentError(
        `${op}: for a ${inputShape.length}-D input (shape ${show(inputShape)}), outputSize must have ${rank} or ${nonSpatial + rank} elements, got ${show(outputSize)}`,
      );
    }
    const spatial = inputShape.slice(nonSpatial);
    const min = spatial.map((n, i) => convTransposeOutputSize(n, this.kernelSize[i], this.stride[i], padding[i], padding[i], this.dilation[i]));
    const max = min.map((m, i) => m + this.stride[i] - 1);
    if (size.some((s, i) => s < min[i] || s > max[i])) {
      throw new ArgumentError(
        `${op}: requested an output size of ${show(size)}, but valid sizes range from ${show(min)} to ${show(max)} (for an input of spatial size ${show(spatial)}, input shape ${show(inputShape)})`,
      );
    }
    return size.map((s, i) => s - min[i]);
  }

  /** The options core's `convTransposeNd` functions take, for an input of `shape` and an optional output size. */
  protected opOptions(inputShape: readonly number[], outputSize: readonly number[] | null | undefined): ConvTransposeOptions<TupleOf<S>> {
    const rank = (this.padding as readonly number[]).length;
    // A wrong-rank input is core's to report (with its message); outputSize is only meaningful for the right ranks.
    const rankOk = inputShape.length === rank + 1 || inputShape.length === rank + 2;
    const outputPadding = rankOk ? this.outputPaddingFor(inputShape, outputSize) : this.outputPadding;
    return {
      bias: this.bias,
      stride: this.stride,
      padding: this.padding,
      outputPadding: outputPadding as unknown as TupleOf<S>,
      groups: this.groups,
      dilation: this.dilation,
    };
  }

  /** Spatial output size for a spatial input size, with the layer's outputPadding. */
  outputSize(inputSize: readonly number[]): number[] {
    checkSpatial(`${this.getName()}.outputSize`, "inputSize", inputSize, (this.kernelSize as readonly number[]).length);
    const options = { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation };
    return convTransposeOutputShape([this.inChannels, ...inputSize], this.weight.shape, options).slice(1);
  }

  /** Multiply-accumulates of one forward pass: every input element times every weight it meets (core's `convMacs`). */
  macs(inputSize: readonly number[], batch = 1): number {
    checkSpatial(`${this.getName()}.macs`, "inputSize", inputSize, (this.kernelSize as readonly number[]).length);
    return convMacs({
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      groups: this.groups,
      transposed: true,
      inputSize,
      batch,
    });
  }

  extraRepr(): string {
    return convRepr(this, this.outputPadding);
  }
}

/** Like `torch.nn.ConvTranspose1d`: `forward(input, outputSize?)`. */
export class ConvTranspose1d extends ConvTransposeNd<Size1> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size1, options: ConvTransposeLayerOptions<Size1> = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    return convTranspose1d(input, this.weight, this.opOptions(input?.shape ?? [], outputSize));
  }
}

/** Like `torch.nn.ConvTranspose2d`: `forward(input, outputSize?)`. */
export class ConvTranspose2d extends ConvTransposeNd<Size2> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: ConvTransposeLayerOptions<Size2> = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    return convTranspose2d(input, this.weight, this.opOptions(input?.shape ?? [], outputSize));
  }
}

/** Like `torch.nn.ConvTranspose3d`: `forward(input, outputSize?)`. */
export class ConvTranspose3d extends ConvTransposeNd<Size3> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size3, options: ConvTransposeLayerOptions<Size3> = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    return convTranspose3d(input, this.weight, this.opOptions(input?.shape ?? [], outputSize));
  }
}
