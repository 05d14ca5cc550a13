import { type Batched, type Size1, type Size2, type Size3, type SizeN, batchInput, optionsOf, releaseBatched, unbatch } from "../args.js";
import type { Backend, MaxPoolResult } from "../backend.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { gradKernels, needsGrad, noGrad, record, wrap } from "./kernel-call.js";
import { type WindowArgs, checkHalfKernelPadding, ndRank, resolveWindow } from "./pool-window.js";

export interface MaxPoolOptions<S extends SizeN = SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  /** Implicit -inf padding on both sides, at most half of kernelSize (PyTorch's rule ignores dilation). */
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

/**
 * The gradient of max pooling (plain or adaptive): each output's gradient added to the input position
 * its recorded index names (torch's scatter-add, so overlapping windows accumulate, ties and NaN follow
 * the forward's choice). `indices` are the batched `[N, C, ...out]` ones.
 */
function maxPoolGrad(op: string, g: Tensor, indices: Tensor, inShape: readonly number[]): Tensor {
  const gb = g.reshape(indices.shape);
  const spatial = inShape.slice(inShape.length - (indices.shape.length - 2));
  const outShape = [...indices.shape.slice(0, 2), ...spatial];
  const r = wrap(g.impl, gradKernels(op, g.impl).scatterAdd(gb, indices, spatial), outShape, "float32");
  gb.dispose();
  const out = r.reshape(inShape);
  r.dispose();
  return out;
}

/** What a max-pool op (plain or adaptive) returns, and the batched indices its backward needs (null when it does not record). */
export interface MaxPoolOutputs {
  readonly result: Tensor | [Tensor, Tensor];
  readonly saved: Tensor | null;
}

/**
 * Wraps a max-pool kernel's result (batched `shape`, `[N, C, ...out]`) as the op returns it: the values
 * (unbatched like the input), with the indices when `returnIndices`. Call with the kernel asked for
 * indices whenever `returnIndices || grad`: backward routes the gradient by them.
 */
export function maxPoolOutputs(impl: Backend, res: MaxPoolResult, shape: readonly number[], b: Batched, returnIndices: boolean, grad: boolean): MaxPoolOutputs {
  const out = unbatch(wrap(impl, res.output, shape, "float32"), b);
  if (res.indices === null) return { result: out, saved: null };
  const idx = wrap(impl, res.indices, shape, "int32");
  if (!returnIndices) {
    // A backend may compute indices it was not asked for; they must not outlive the call.
    if (!grad) idx.dispose();
    return { result: out, saved: grad ? idx : null };
  }
  const unbatched = b.unbatched ? idx.reshape(idx.shape.slice(1)) : idx.reshape(idx.shape);
  if (!grad) idx.dispose();
  return { result: [out, unbatched], saved: grad ? idx : null };
}

/** Records a max-pool op's backward from the batched indices `maxPoolOutputs` kept, and releases them. */
export function recordMaxPool(op: string, input: Tensor, { result, saved }: MaxPoolOutputs): void {
  if (saved === null) return;
  const inShape = input.shape;
  record(`${op}Backward`, [input], [Array.isArray(result) ? result[0] : result], ([g], [idx]) => [maxPoolGrad(op, g, idx, inShape)], [saved]);
  saved.dispose();
}

function run(op: string, input: Tensor, rank: number, window: WindowArgs, returnIndicesArg: unknown, torchPadRule: boolean): Tensor | [Tensor, Tensor] {
  const grad = needsGrad(input);
  const outputs = noGrad(() => {
    const b = batchInput(op, input, rank);
    try {
      const returnIndices = checkReturnIndices(op, returnIndicesArg, input.shape);
      // The torch-style `padding` is an int or per-dim tuple (a 1-tuple applies to every dim, as in PyTorch).
      const pads = torchPadRule ? checkHalfKernelPadding(op, input.shape, window.kernelSize, (window.pads as SizeN | undefined) ?? 0, rank) : window.pads;
      const g = resolveWindow(op, b.x.shape, { ...window, pads }, input.shape);
      const impl = b.x.impl;
      const res = impl.maxPool(b.x, g, returnIndices || grad);
      return maxPoolOutputs(impl, res, [b.x.shape[0], b.x.shape[1], ...g.outShape], b, returnIndices, grad);
    } finally {
      releaseBatched(b);
    }
  });
  recordMaxPool(op, input, outputs);
  return outputs.result;
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
