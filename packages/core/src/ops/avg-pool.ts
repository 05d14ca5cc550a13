import { type Size1, type Size2, type Size3, type SizeN, batchInput, optionsOf, releaseBatched, unbatch } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import type { AvgPoolGeometry } from "../backend.js";
import { gradKernels, noGrad, record, wrap } from "./kernel-call.js";
import { type WindowArgs, checkHalfKernelPadding, ndRank, resolveWindow } from "./pool-window.js";

export interface AvgPool1dOptions<S extends SizeN = SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  /** Implicit zero padding on both sides, at most half the kernel. */
  padding?: S;
  ceilMode?: boolean;
  /** Count padded positions in the divisor (PyTorch's default: true). */
  countIncludePad?: boolean;
}

export interface AvgPoolOptions<S extends SizeN = SizeN> extends AvgPool1dOptions<S> {
  /** Divide every window by this instead (a non-zero integer). */
  divisorOverride?: number | null;
}

/** `avgPoolNd` options: explicit pads and dilation as ONNX AveragePool gives them. Note countIncludePad defaults to true here too. */
export interface AvgPoolNdOptions extends WindowArgs {
  kernelSize: readonly number[];
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function run(op: string, input: Tensor, rank: number, window: WindowArgs, countIncludePad: unknown, divisorOverride: unknown, torchPadRule: boolean): Tensor {
  let geometry: AvgPoolGeometry | undefined;
  let batchedIn: readonly number[] = [];
  const y = noGrad(() => forward(op, input, rank, window, countIncludePad, divisorOverride, torchPadRule, (g, shape) => {
    geometry = g;
    batchedIn = shape;
  }));
  // Each output's gradient spread evenly (by the forward's divisor) over the input taps of its window.
  const inShape = input.shape;
  record(`${op}Backward`, [input], [y], ([gy]) => {
    const g = geometry as AvgPoolGeometry;
    const v = gy.reshape([batchedIn[0], batchedIn[1], ...g.outShape]);
    const r = wrap(gy.impl, gradKernels(op, gy.impl).avgPoolBackward(v, g, batchedIn.slice(2)), batchedIn, "float32");
    v.dispose();
    const out = r.reshape(inShape);
    r.dispose();
    return [out];
  });
  return y;
}

function forward(
  op: string,
  input: Tensor,
  rank: number,
  window: WindowArgs,
  countIncludePad: unknown,
  divisorOverride: unknown,
  torchPadRule: boolean,
  resolved: (g: AvgPoolGeometry, batchedShape: readonly number[]) => void,
): Tensor {
  const b = batchInput(op, input, rank);
  try {
    // The torch-style `padding` is an int or per-dim tuple (a 1-tuple applies to every dim, as in PyTorch).
    const pads = torchPadRule ? checkHalfKernelPadding(op, input.shape, window.kernelSize, (window.pads as SizeN | undefined) ?? 0, rank) : window.pads;
    const g = resolveWindow(op, b.x.shape, { ...window, pads }, input.shape);
    const cip = countIncludePad ?? true;
    if (typeof cip !== "boolean") throw new ArgumentError(`${op}: countIncludePad must be a boolean, got ${fmt(cip)} (input shape ${fmt(input.shape)})`);
    const div = divisorOverride ?? null;
    if (div !== null && (typeof div !== "number" || !Number.isInteger(div) || div === 0)) {
      throw new ArgumentError(`${op}: divisorOverride must be a non-zero integer or null, got ${fmt(div)} (input shape ${fmt(input.shape)})`);
    }
    const impl = b.x.impl;
    const geometry = { ...g, countIncludePad: cip, divisorOverride: div };
    resolved(geometry, b.x.shape);
    const out = impl.avgPool(b.x, geometry);
    return unbatch(wrap(impl, out, [b.x.shape[0], b.x.shape[1], ...g.outShape], "float32"), b);
  } finally {
    releaseBatched(b);
  }
}

/** Like `F.avg_pool1d` (no divisor override, as in PyTorch): input `(N, C, L)` or `(C, L)`. */
export function avgPool1d(input: Tensor, kernelSize: Size1, options?: AvgPool1dOptions<Size1>): Tensor {
  const o = optionsOf("avgPool1d", options, input?.shape);
  return run("avgPool1d", input, 1, { kernelSize, stride: o.stride, pads: o.padding ?? 0, ceilMode: o.ceilMode }, o.countIncludePad, null, true);
}

/** Like `F.avg_pool2d`: input `(N, C, H, W)` or `(C, H, W)`. */
export function avgPool2d(input: Tensor, kernelSize: Size2, options?: AvgPoolOptions<Size2>): Tensor {
  const o = optionsOf("avgPool2d", options, input?.shape);
  return run("avgPool2d", input, 2, { kernelSize, stride: o.stride, pads: o.padding ?? 0, ceilMode: o.ceilMode }, o.countIncludePad, o.divisorOverride, true);
}

/** Like `F.avg_pool3d`: input `(N, C, D, H, W)` or `(C, D, H, W)`. */
export function avgPool3d(input: Tensor, kernelSize: Size3, options?: AvgPoolOptions<Size3>): Tensor {
  const o = optionsOf("avgPool3d", options, input?.shape);
  return run("avgPool3d", input, 3, { kernelSize, stride: o.stride, pads: o.padding ?? 0, ceilMode: o.ceilMode }, o.countIncludePad, o.divisorOverride, true);
}

/**
 * N-d average pooling with explicit per-dim pads and dilation (only dilated taps are counted): the
 * general form behind `avgPool1d/2d/3d`. The spatial rank is `kernelSize.length`.
 */
export function avgPoolNd(input: Tensor, options: AvgPoolNdOptions): Tensor {
  const rank = ndRank("avgPoolNd", input, options);
  return run("avgPoolNd", input, rank, options, options.countIncludePad, options.divisorOverride, false);
}
