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
  ShapeError,
  type Size1,
  type Size2,
  type Size3,
  type SizeN,
  type Tensor,
  conv1d,
  conv2d,
  conv3d,
  convMacs,
  convOutputSize,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  defaultGenerator,
  expandInts,
  samePadding,
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

const POSITIVE = { min: 1, describe: "positive" };
const NON_NEGATIVE = { min: 0, describe: "non-negative" };
const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(", ")}]` : String(v);
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: ${name} must be a positive integer, got ${show(v)}`);
  return v;
}

/** nn.ConvNd's channel checks: positive counts, groups dividing both. */
function checkChannels(op: string, inChannels: unknown, outChannels: unknown, groups: unknown): [number, number, number] {
  const cin = positiveInt(op, "inChannels", inChannels);
  const cout = positiveInt(op, "outChannels", outChannels);
  const g = positiveInt(op, "groups", groups);
  if (cin % g !== 0) throw new ArgumentError(`${op}: inChannels (${cin}) must be divisible by groups (${g})`);
  if (cout % g !== 0) throw new ArgumentError(`${op}: outChannels (${cout}) must be divisible by groups (${g})`);
  return [cin, cout, g];
}

function tuple<S extends SizeN>(op: string, name: string, v: S, rank: number, rule: typeof POSITIVE): TupleOf<S> {
  return Object.freeze(expandInts(op, name, v, rank, rule)) as unknown as TupleOf<S>;
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
function convRepr(f: {
  inChannels: number;
  outChannels: number;
  kernelSize: readonly number[];
  stride: readonly number[];
  padding: readonly number[] | string;
  dilation: readonly number[];
  outputPadding: readonly number[] | null;
  groups: number;
  bias: Tensor | null;
  paddingMode: string;
}): string {
  let s = `${f.inChannels}, ${f.outChannels}, kernel_size=${pyRepr(f.kernelSize)}, stride=${pyRepr(f.stride)}`;
  if (typeof f.padding === "string") s += `, padding=${f.padding}`;
  else if (f.padding.some((p) => p !== 0)) s += `, padding=${pyRepr(f.padding)}`;
  if (f.dilation.some((d) => d !== 1)) s += `, dilation=${pyRepr(f.dilation)}`;
  if (f.outputPadding?.some((p) => p !== 0)) s += `, output_padding=${pyRepr(f.outputPadding)}`;
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
    const o = options ?? {};
    const [cin, cout, groups] = checkChannels(op, inChannels, outChannels, o.groups ?? 1);
    this.inChannels = cin;
    this.outChannels = cout;
    this.groups = groups;
    this.kernelSize = tuple(op, "kernelSize", kernelSize, rank, POSITIVE);
    this.stride = tuple(op, "stride", o.stride ?? (1 as S), rank, POSITIVE);
    this.dilation = tuple(op, "dilation", o.dilation ?? (1 as S), rank, POSITIVE);
    const padding = o.padding ?? (0 as S);
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid")
        throw new ArgumentError(`${op}: padding must be an integer, a tuple of ${rank} integers, "same" or "valid", got ${show(padding)}`);
      if (padding === "same" && this.stride.some((s) => s !== 1)) {
        throw new ArgumentError(`${op}: padding "same" is not supported for strided convolutions (as in PyTorch), got stride ${show(this.stride)}`);
      }
      this.padding = padding;
    } else this.padding = tuple(op, "padding", padding, rank, NON_NEGATIVE);
    const mode = o.paddingMode ?? "zeros";
    if (!PADDING_MODES.includes(mode))
      throw new ArgumentError(`${op}: paddingMode must be one of ${PADDING_MODES.map((m) => `"${m}"`).join(", ")}, got ${show(mode)}`);
    this.paddingMode = mode;
    const init = convDefaultInit([cout, cin / groups, ...this.kernelSize], o.bias === false ? null : cout, o.generator ?? defaultGenerator);
    this.weight = this.registerParameter("weight", init.weight);
    this.bias = this.registerParameter("bias", init.bias);
  }

  /** The options core's `convNd` functions take, from this layer's state. */
  protected opOptions(): ConvOptions<TupleOf<S>> {
    return { bias: this.bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, paddingMode: this.paddingMode };
  }

  /** Spatial output size for a spatial input size (`[H, W]` for Conv2d), as forward computes it. */
  outputSize(inputSize: readonly number[]): number[] {
    const op = `${this.getName()}.outputSize`;
    const k = this.kernelSize as readonly number[];
    checkSpatial(op, "inputSize", inputSize, k.length);
    const out = inputSize.map((n, i) => {
      const d = this.dilation[i];
      const [begin, end] = this.padding === "same" ? samePadding(n, k[i], 1, d) : this.padding === "valid" ? [0, 0] : [this.padding[i], this.padding[i]];
      return convOutputSize(n, k[i], this.stride[i], begin, end, d);
    });
    if (out.some((o) => o < 1)) {
      throw new ShapeError(
        `${op}: kernel size ${show(k)} (dilation ${show(this.dilation)}) is larger than the padded input for input size ${show(inputSize)} (padding ${show(this.padding)}); output size would be ${show(out)}`,
      );
    }
    return out;
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

  private reprFields() {
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      stride: this.stride,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias,
    };
  }

  extraRepr(): string {
    return convRepr({ ...this.reprFields(), padding: this.padding, outputPadding: null, paddingMode: this.paddingMode });
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
    const o = options ?? {};
    const [cin, cout, groups] = checkChannels(op, inChannels, outChannels, o.groups ?? 1);
    this.inChannels = cin;
    this.outChannels = cout;
    this.groups = groups;
    this.kernelSize = tuple(op, "kernelSize", kernelSize, rank, POSITIVE);
    this.stride = tuple(op, "stride", o.stride ?? (1 as S), rank, POSITIVE);
    this.padding = tuple(op, "padding", o.padding ?? (0 as S), rank, NON_NEGATIVE);
    this.outputPadding = tuple(op, "outputPadding", o.outputPadding ?? (0 as S), rank, NON_NEGATIVE);
    this.dilation = tuple(op, "dilation", o.dilation ?? (1 as S), rank, POSITIVE);
    // PyTorch only finds this out at forward time; the configuration cannot work with any input.
    if (this.outputPadding.some((p, i) => p >= this.stride[i] && p >= this.dilation[i])) {
      throw new ArgumentError(
        `${op}: outputPadding ${show(this.outputPadding)} must be smaller than either stride ${show(this.stride)} or dilation ${show(this.dilation)} in every dim (as in PyTorch)`,
      );
    }
    const init = convDefaultInit([cin, cout / groups, ...this.kernelSize], o.bias === false ? null : cout, o.generator ?? defaultGenerator);
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
    const min = spatial.map((n, i) => (n - 1) * this.stride[i] - 2 * padding[i] + this.dilation[i] * (this.kernelSize[i] - 1) + 1);
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
    const op = `${this.getName()}.outputSize`;
    const k = this.kernelSize as readonly number[];
    checkSpatial(op, "inputSize", inputSize, k.length);
    const out = inputSize.map((n, i) => (n - 1) * this.stride[i] - 2 * this.padding[i] + this.dilation[i] * (k[i] - 1) + this.outputPadding[i] + 1);
    if (out.some((o) => o < 1))
      throw new ShapeError(
        `${op}: output size ${show(out)} is too small for input size ${show(inputSize)} (padding ${show(this.padding)} crops the whole output)`,
      );
    return out;
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

  private reprFields() {
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      stride: this.stride,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias,
    };
  }

  extraRepr(): string {
    return convRepr({ ...this.reprFields(), padding: this.padding, outputPadding: this.outputPadding, paddingMode: this.paddingMode });
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
