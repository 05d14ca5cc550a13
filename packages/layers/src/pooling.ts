/**
 * Pooling layers mirroring `torch.nn`'s: constructors take torch's arguments in camelCase, keep them
 * as torch stores them (so `toString()` prints torch's repr, including the user's int-vs-tuple
 * spelling), and `forward` delegates to core's functional op, which validates and runs on whichever
 * backend the input lives on.
 */
import {
  type AdaptiveSize1,
  type AdaptiveSize2,
  type AdaptiveSize3,
  type Size1,
  type Size2,
  type Size3,
  type SizeN,
  type Tensor,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  lpPool1d,
  lpPool2d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  optionsOf,
} from "@convkit/core";
import { Module } from "./module.js";
import { ntuple, pyKwargs } from "./repr.js";

/** What a layer built with `returnIndices: R` returns: the pooled values, or `[values, indices]`. */
export type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

type AdaptiveSizeN = number | readonly (number | null)[];

// ---------------------------------------------------------------------------------------------- max

export interface MaxPoolLayerOptions<S extends SizeN, R extends boolean = boolean> {
  /** Defaults to kernelSize (and prints as it, as in PyTorch). */
  stride?: S | null;
  padding?: S;
  dilation?: S;
  returnIndices?: R;
  ceilMode?: boolean;
}

/** Shared state and repr of `MaxPool1d/2d/3d` (PyTorch's `_MaxPoolNd`). */
export abstract class MaxPoolNd<S extends SizeN, R extends boolean> extends Module<[Tensor], PoolOutput<R>> {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly dilation: S;
  readonly returnIndices: R;
  readonly ceilMode: boolean;

  constructor(kernelSize: S, opts?: MaxPoolLayerOptions<S, R>) {
    super();
    const options = optionsOf(this.getName(), opts);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? (0 as S);
    this.dilation = options.dilation ?? (1 as S);
    this.returnIndices = options.returnIndices ?? (false as R);
    this.ceilMode = options.ceilMode ?? false;
  }

  protected opOptions(): { stride: S; padding: S; dilation: S; ceilMode: boolean; returnIndices: R } {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }

  extraRepr(): string {
    return pyKwargs([
      ["kernel_size", this.kernelSize],
      ["stride", this.stride],
      ["padding", this.padding],
      ["dilation", this.dilation],
      ["ceil_mode", this.ceilMode],
    ]);
  }
}

/** Like `torch.nn.MaxPool1d`: input `(N, C, L)` or `(C, L)`. */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<Size1, R> {
  forward(input: Tensor): PoolOutput<R> {
    return maxPool1d(input, this.kernelSize, this.opOptions()) as PoolOutput<R>;
  }
}

/** Like `torch.nn.MaxPool2d`: input `(N, C, H, W)` or `(C, H, W)`. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<Size2, R> {
  forward(input: Tensor): PoolOutput<R> {
    return maxPool2d(input, this.kernelSize, this.opOptions()) as PoolOutput<R>;
  }
}

/** Like `torch.nn.MaxPool3d`: input `(N, C, D, H, W)` or `(C, D, H, W)`. */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<Size3, R> {
  forward(input: Tensor): PoolOutput<R> {
    return maxPool3d(input, this.kernelSize, this.opOptions()) as PoolOutput<R>;
  }
}

// ---------------------------------------------------------------------------------------------- avg

export interface AvgPool1dLayerOptions {
  /** Defaults to kernelSize. */
  stride?: Size1 | null;
  padding?: Size1;
  ceilMode?: boolean;
  /** Count padded positions in the divisor (default true). */
  countIncludePad?: boolean;
}

/** Like `torch.nn.AvgPool1d`, which (unlike 2d/3d) stores its sizes as 1-tuples: `kernel_size=(3,)`. */
export class AvgPool1d extends Module<[Tensor], Tensor> {
  readonly kernelSize: Size1;
  readonly stride: Size1;
  readonly padding: Size1;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Size1, opts?: AvgPool1dLayerOptions) {
    super();
    const options = optionsOf(this.getName(), opts);
    this.kernelSize = ntuple(kernelSize, 1) as Size1;
    this.stride = ntuple(options.stride ?? kernelSize, 1) as Size1;
    this.padding = ntuple(options.padding ?? 0, 1) as Size1;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  extraRepr(): string {
    return pyKwargs([
      ["kernel_size", this.kernelSize],
      ["stride", this.stride],
      ["padding", this.padding],
    ]);
  }
}

export interface AvgPoolLayerOptions<S extends SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  padding?: S;
  ceilMode?: boolean;
  /** Count padded positions in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window by this instead (a non-zero integer). */
  divisorOverride?: number | null;
}

/** Shared state and repr of `AvgPool2d/3d`. */
export abstract class AvgPoolNd<S extends SizeN> extends Module<[Tensor], Tensor> {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: S, opts?: AvgPoolLayerOptions<S>) {
    super();
    const options = optionsOf(this.getName(), opts);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? (0 as S);
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  protected opOptions(): { stride: S; padding: S; ceilMode: boolean; countIncludePad: boolean; divisorOverride: number | null } {
    return {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
  }

  extraRepr(): string {
    return pyKwargs([
      ["kernel_size", this.kernelSize],
      ["stride", this.stride],
      ["padding", this.padding],
    ]);
  }
}

/** Like `torch.nn.AvgPool2d`. */
export class AvgPool2d extends AvgPoolNd<Size2> {
  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, this.opOptions());
  }
}

/** Like `torch.nn.AvgPool3d`. */
export class AvgPool3d extends AvgPoolNd<Size3> {
  forward(input: Tensor): Tensor {
    return avgPool3d(input, this.kernelSize, this.opOptions());
  }
}

// ----------------------------------------------------------------------------------------- adaptive

/** Shared state and repr of `AdaptiveAvgPool1d/2d/3d`. */
export abstract class AdaptiveAvgPoolNd<S extends AdaptiveSizeN> extends Module<[Tensor], Tensor> {
  /** Per-dim target size; `null` keeps that input dim's size. */
  readonly outputSize: S;

  constructor(outputSize: S) {
    super();
    this.outputSize = outputSize;
  }

  extraRepr(): string {
    return pyKwargs([["output_size", this.outputSize]]);
  }
}

/** Like `torch.nn.AdaptiveAvgPool1d`. */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd<AdaptiveSize1> {
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }
}

/** Like `torch.nn.AdaptiveAvgPool2d`; `new AdaptiveAvgPool2d(1)` is global average pooling. */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd<AdaptiveSize2> {
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }
}

/** Like `torch.nn.AdaptiveAvgPool3d`. */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd<AdaptiveSize3> {
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool3d(input, this.outputSize);
  }
}

export interface AdaptiveMaxPoolLayerOptions<R extends boolean = boolean> {
  returnIndices?: R;
}

/** Shared state and repr of `AdaptiveMaxPool1d/2d/3d` (the repr omits returnIndices, as PyTorch's does). */
export abstract class AdaptiveMaxPoolNd<S extends AdaptiveSizeN, R extends boolean> extends Module<[Tensor], PoolOutput<R>> {
  readonly outputSize: S;
  readonly returnIndices: R;

  constructor(outputSize: S, opts?: AdaptiveMaxPoolLayerOptions<R>) {
    super();
    const options = optionsOf(this.getName(), opts);
    this.outputSize = outputSize;
    this.returnIndices = options.returnIndices ?? (false as R);
  }

  extraRepr(): string {
    return pyKwargs([["output_size", this.outputSize]]);
  }
}

/** Like `torch.nn.AdaptiveMaxPool1d`. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<AdaptiveSize1, R> {
  forward(input: Tensor): PoolOutput<R> {
    return adaptiveMaxPool1d(input, this.outputSize, { returnIndices: this.returnIndices }) as PoolOutput<R>;
  }
}

/** Like `torch.nn.AdaptiveMaxPool2d`. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<AdaptiveSize2, R> {
  forward(input: Tensor): PoolOutput<R> {
    return adaptiveMaxPool2d(input, this.outputSize, { returnIndices: this.returnIndices }) as PoolOutput<R>;
  }
}

/** Like `torch.nn.AdaptiveMaxPool3d`. */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<AdaptiveSize3, R> {
  forward(input: Tensor): PoolOutput<R> {
    return adaptiveMaxPool3d(input, this.outputSize, { returnIndices: this.returnIndices }) as PoolOutput<R>;
  }
}

// -------------------------------------------------------------------------------------------- unpool

export interface MaxUnpoolLayerOptions<S extends SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  padding?: S;
}

/** Shared state and repr of `MaxUnpool1d/2d/3d`, which store every size as a full tuple as PyTorch does. */
export abstract class MaxUnpoolNd<S extends SizeN> extends Module<[Tensor, Tensor, (readonly number[] | null)?], Tensor> {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;

  constructor(rank: number, kernelSize: S, opts: MaxUnpoolLayerOptions<S> | undefined) {
    super();
    const options = optionsOf(this.getName(), opts);
    this.kernelSize = ntuple(kernelSize, rank) as S;
    this.stride = ntuple(options.stride ?? kernelSize, rank) as S;
    this.padding = ntuple(options.padding ?? 0, rank) as S;
  }

  protected opOptions(outputSize: readonly number[] | null | undefined): { stride: S; padding: S; outputSize: readonly number[] | null } {
    return { stride: this.stride, padding: this.padding, outputSize: outputSize ?? null };
  }

  extraRepr(): string {
    return pyKwargs([
      ["kernel_size", this.kernelSize],
      ["stride", this.stride],
      ["padding", this.padding],
    ]);
  }
}

/** Like `torch.nn.MaxUnpool1d`: `forward(values, indices, outputSize?)` with indices from `MaxPool1d`. */
export class MaxUnpool1d extends MaxUnpoolNd<Size1> {
  constructor(kernelSize: Size1, options?: MaxUnpoolLayerOptions<Size1>) {
    super(1, kernelSize, options);
  }

  forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return maxUnpool1d(input, indices, this.kernelSize, this.opOptions(outputSize));
  }
}

/** Like `torch.nn.MaxUnpool2d`. */
export class MaxUnpool2d extends MaxUnpoolNd<Size2> {
  constructor(kernelSize: Size2, options?: MaxUnpoolLayerOptions<Size2>) {
    super(2, kernelSize, options);
  }

  forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return maxUnpool2d(input, indices, this.kernelSize, this.opOptions(outputSize));
  }
}

/** Like `torch.nn.MaxUnpool3d`. */
export class MaxUnpool3d extends MaxUnpoolNd<Size3> {
  constructor(kernelSize: Size3, options?: MaxUnpoolLayerOptions<Size3>) {
    super(3, kernelSize, options);
  }

  forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return maxUnpool3d(input, indices, this.kernelSize, this.opOptions(outputSize));
  }
}

// ------------------------------------------------------------------------------------------------ lp

export interface LPPoolLayerOptions<S extends SizeN> {
  /** Defaults to kernelSize (the repr shows `stride=None`, as PyTorch's). */
  stride?: S | null;
  ceilMode?: boolean;
}

/** Shared state and repr of `LPPool1d/2d`. */
export abstract class LPPoolNd<S extends SizeN> extends Module<[Tensor], Tensor> {
  readonly normType: number;
  readonly kernelSize: S;
  readonly stride: S | null;
  readonly ceilMode: boolean;

  constructor(normType: number, kernelSize: S, opts?: LPPoolLayerOptions<S>) {
    super();
    const options = optionsOf(this.getName(), opts);
    this.normType = normType;
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? null;
    this.ceilMode = options.ceilMode ?? false;
  }

  extraRepr(): string {
    return pyKwargs([
      ["norm_type", this.normType],
      ["kernel_size", this.kernelSize],
      ["stride", this.stride],
      ["ceil_mode", this.ceilMode],
    ]);
  }
}

/** Like `torch.nn.LPPool1d`: `(sum of x^p over the window)^(1/p)`. */
export class LPPool1d extends LPPoolNd<Size1> {
  forward(input: Tensor): Tensor {
    return lpPool1d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

/** Like `torch.nn.LPPool2d`. */
export class LPPool2d extends LPPoolNd<Size2> {
  forward(input: Tensor): Tensor {
    return lpPool2d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}
