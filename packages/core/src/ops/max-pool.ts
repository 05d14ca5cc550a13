import { type Size1, type Size2, type Size3, type SizeN, batchInput, optionsOf, releaseBatched, unbatch } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { wrap } from "./kernel-call.js";
import { type WindowArgs, checkHalfKernelPadding, ndRank, resolveWindow } from "./pool-window.js";

export interface MaxPoolOptions<S extends SizeN = SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  /** Implicit -inf padding on both sides, at most half the effective kernel. */
  padding?: S;
  dilation?: S;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

/** `maxPoolNd` options: explicit (possibly asymmetric) pads, as ONNX MaxPool gives them. */
export interface MaxPoolNdOptions extends WindowArgs {
  kernelSize: readonly number[];
  returnIndices?: boolean;
}

export interface MaxPoolFn<S extends SizeN> {
  (input: Tensor, kernelSize: S, options?: MaxPoolOptions<S> & { returnIndices?: false }): Tensor;
  (input: Tensor, kernelSize: S, options: MaxPoolOptions<S> & { returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, kernelSize: S, options?: MaxPoolOptions<S>): Tensor | [Tensor, Tensor];
}

function checkReturnIndices(op: string, v: unknown, shape: readonly number[]): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new ArgumentError(`${op}: returnIndices must be a boolean, got ${fmt(v)} (input shape ${fmt(shape)})`);
  return v;
}

function run(op: string, input: Tensor, rank: number, window: WindowArgs, returnIndicesArg: unknown, torchPadRule: boolean): Tensor | [Tensor, Tensor] {
  const b = batchInput(op, input, rank);
  try {
    const returnIndices = checkReturnIndices(op, returnIndicesArg, input.shape);
    // The torch-style `padding` is an int or per-dim tuple (a 1-tuple applies to every dim, as in PyTorch).
    const pads = torchPadRule ? checkHalfKernelPadding(op, input.shape, window.kernelSize, (window.pads as SizeN | undefined) ?? 0, rank) : window.pads;
    const g = resolveWindow(op, b.x.shape, { ...window, pads }, input.shape);
    const impl = b.x.impl;
    const res = impl.maxPool(b.x, g, returnIndices);
    const shape = [b.x.shape[0], b.x.shape[1], ...g.outShape];
    const out = unbatch(wrap(impl, res.output, shape, "float32"), b);
    // A backend may compute indices it was not asked for; they must not outlive the call.
    if (!returnIndices && res.indices !== null) impl.release(res.indices);
    if (!returnIndices || res.indices === null) return out;
    return [out, unbatch(wrap(impl, res.indices, shape, "int32"), b)];
  } finally {
    releaseBatched(b);
  }
}

function makeMaxPool<S extends SizeN>(op: string, rank: number): MaxPoolFn<S> {
  return ((input: Tensor, kernelSize: S, options?: MaxPoolOptions<S>) => {
    const o = optionsOf(op, options, (input as Tensor | undefined)?.shape);
    return run(op, input, rank, { kernelSize, stride: o.stride, pads: o.padding ?? 0, dilation: o.dilation ?? 1, ceilMode: o.ceilMode }, o.returnIndices, true);
  }) as MaxPoolFn<S>;
}

/** Like `F.max_pool1d`: input `(N, C, L)` or `(C, L)`. */
export const maxPool1d: MaxPoolFn<Size1> = makeMaxPool<Size1>("maxPool1d", 1);
/** Like `F.max_pool2d`: input `(N, C, H, W)` or `(C, H, W)`. */
export const maxPool2d: MaxPoolFn<Size2> = makeMaxPool<Size2>("maxPool2d", 2);
/** Like `F.max_pool3d`: input `(N, C, D, H, W)` or `(C, D, H, W)`. */
export const maxPool3d: MaxPoolFn<Size3> = makeMaxPool<Size3>("maxPool3d", 3);

/**
 * N-d max pooling with explicit per-dim pads (`[begin, end]` pairs allowed, any size below the effective
 * kernel): the general form behind `maxPool1d/2d/3d`, for ONNX-style arguments. The spatial rank is
 * `kernelSize.length`.
 */
export function maxPoolNd(input: Tensor, options: MaxPoolNdOptions & { returnIndices?: false }): Tensor;
export function maxPoolNd(input: Tensor, options: MaxPoolNdOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPoolNd(input: Tensor, options: MaxPoolNdOptions): Tensor | [Tensor, Tensor];
export function maxPoolNd(input: Tensor, options: MaxPoolNdOptions): Tensor | [Tensor, Tensor] {
  const rank = ndRank("maxPoolNd", input, options);
  return run("maxPoolNd", input, rank, options, options.returnIndices, false);
}
