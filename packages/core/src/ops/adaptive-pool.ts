import { type Batched, assertTensor, batchInput, batchShape, checkElementCount, optionsOf, releaseBatched, unbatch } from "../args.js";
import type { AdaptivePoolGeometry } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { adaptiveWindows } from "../pool-output-size.js";
import type { Tensor } from "../tensor.js";
import { gradKernels, needsGrad, noGrad, record, wrap } from "./kernel-call.js";
import { maxPoolOutputs, recordMaxPool } from "./max-pool.js";

/** Target size: an int for every dim, or per-dim entries where `null` keeps the input's size. */
export type AdaptiveSize1 = number | readonly [number | null];
export type AdaptiveSize2 = number | readonly [number | null, number | null];
export type AdaptiveSize3 = number | readonly [number | null, number | null, number | null];
/** Target size of any rank: an int for every dim, or one entry per dim (`null` keeps the input's size). */
export type AdaptiveSizeN = number | readonly (number | null)[];

/** The adaptive pooling ops, with their spatial rank. */
const ADAPTIVE_POOL_RANKS = {
  adaptiveAvgPool1d: 1,
  adaptiveAvgPool2d: 2,
  adaptiveAvgPool3d: 3,
  adaptiveMaxPool1d: 1,
  adaptiveMaxPool2d: 2,
  adaptiveMaxPool3d: 3,
} as const;

export type AdaptivePoolOp = keyof typeof ADAPTIVE_POOL_RANKS;

/**
 * The output spatial sizes for `outputSize` on a batched `(N, C, ...spatial)` shape, with every check
 * the ops make on it (`original`: the shape as given, for messages).
 */
function outputSizes(op: string, batched: readonly number[], rank: number, outputSize: AdaptiveSizeN, original: readonly number[]): number[] {
  const spatial = batched.slice(2);
  let sizes: (number | null)[];
  if (typeof outputSize === "number") sizes = new Array(rank).fill(outputSize);
  else if (Array.isArray(outputSize) && outputSize.length === rank) sizes = [...outputSize];
  else throw new ArgumentError(`${op}: outputSize must be an integer or ${rank} entries (integers or null), got ${fmt(outputSize)} (input shape ${fmt(original)})`);
  const out = sizes.map((s, i) => {
    if (s === null) return spatial[i];
    if (typeof s !== "number" || !Number.isInteger(s) || s < 1) {
      throw new ArgumentError(`${op}: outputSize must hold positive integers or null, got ${fmt(outputSize)} (input shape ${fmt(original)})`);
    }
    return s;
  });
  const at = ` (outputSize ${fmt(outputSize)}, input shape ${fmt(original)})`;
  checkElementCount(op, "output plane", out, at);
  checkElementCount(op, "output", [batched[0], batched[1], ...out], at);
  return out;
}

/**
 * The shape `op(input, outputSize)` returns for an input of shape `inputShape`, or the error it throws
 * (the same checks and messages), without tensors. Like PyTorch, an output larger than the input is
 * allowed (windows then overlap); only sizes a tensor cannot hold are refused.
 */
export function adaptivePoolOutputShape(op: AdaptivePoolOp, inputShape: readonly number[], outputSize: AdaptiveSizeN): number[] {
  const rank = ADAPTIVE_POOL_RANKS[op];
  const b = batchShape(op, inputShape, rank);
  const out = [b.shape[0], b.shape[1], ...outputSizes(op, b.shape, rank, outputSize, inputShape)];
  return b.unbatched ? out.slice(1) : out;
}

function resolve(op: string, b: Batched, rank: number, outputSize: AdaptiveSizeN, original: readonly number[]): { g: AdaptivePoolGeometry; out: number[] } {
  const out = outputSizes(op, b.x.shape, rank, outputSize, original);
  const windows = b.x.shape.slice(2).map((n, i) => adaptiveWindows(n, out[i]));
  return { g: { start: windows.map((w) => w.start), end: windows.map((w) => w.end) }, out };
}

function avg(op: string, rank: number) {
  return (input: Tensor, outputSize: AdaptiveSizeN): Tensor => {
    let geometry: AdaptivePoolGeometry | undefined;
    let batchedOut: number[] = [];
    let batchedIn: readonly number[] = [];
    const y = noGrad(() => {
      const b = batchInput(op, input, rank);
      try {
        const { g, out } = resolve(op, b, rank, outputSize, input.shape);
        const impl = b.x.impl;
        geometry = g;
        batchedIn = b.x.shape;
        batchedOut = [b.x.shape[0], b.x.shape[1], ...out];
        return unbatch(wrap(impl, impl.adaptiveAvgPool(b.x, g), batchedOut, "float32"), b);
      } finally {
        releaseBatched(b);
      }
    });
    const inShape = input.shape;
    record(`${op}Backward`, [input], [y], ([gy]) => {
      const v = gy.reshape(batchedOut);
      const r = wrap(gy.impl, gradKernels(op, gy.impl).adaptiveAvgPoolBackward(v, geometry as AdaptivePoolGeometry, batchedIn.slice(2)), batchedIn, "float32");
      v.dispose();
      const out = r.reshape(inShape);
      r.dispose();
      return [out];
    });
    return y;
  };
}

export interface AdaptiveMaxPoolOptions {
  returnIndices?: boolean;
}

export interface AdaptiveMaxPoolFn<S> {
  (input: Tensor, outputSize: S, options?: { returnIndices?: false }): Tensor;
  (input: Tensor, outputSize: S, options: { returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, outputSize: S, options?: AdaptiveMaxPoolOptions): Tensor | [Tensor, Tensor];
}

function max<S extends AdaptiveSizeN>(op: string, rank: number): AdaptiveMaxPoolFn<S> {
  return ((input: Tensor, outputSize: S, options?: AdaptiveMaxPoolOptions) => {
    const grad = needsGrad(input);
    const outputs = noGrad(() => {
      const b = batchInput(op, input, rank);
      try {
        const ri = optionsOf(op, options, input.shape).returnIndices ?? false;
        if (typeof ri !== "boolean") throw new ArgumentError(`${op}: returnIndices must be a boolean, got ${fmt(ri)} (input shape ${fmt(input.shape)})`);
        const { g, out } = resolve(op, b, rank, outputSize, input.shape);
        const impl = b.x.impl;
        const res = impl.adaptiveMaxPool(b.x, g, ri || grad);
        return maxPoolOutputs(impl, res, [b.x.shape[0], b.x.shape[1], ...out], b, ri, grad);
      } finally {
        releaseBatched(b);
      }
    });
    recordMaxPool(op, input, outputs);
    return outputs.result;
  }) as AdaptiveMaxPoolFn<S>;
}

/** Like `F.adaptive_avg_pool1d`. */
export const adaptiveAvgPool1d: (input: Tensor, outputSize: AdaptiveSize1) => Tensor = avg("adaptiveAvgPool1d", 1);
/** Like `F.adaptive_avg_pool2d`; `adaptiveAvgPool2d(x, 1)` is global average pooling. */
export const adaptiveAvgPool2d: (input: Tensor, outputSize: AdaptiveSize2) => Tensor = avg("adaptiveAvgPool2d", 2);
/** Like `F.adaptive_avg_pool3d`. */
export const adaptiveAvgPool3d: (input: Tensor, outputSize: AdaptiveSize3) => Tensor = avg("adaptiveAvgPool3d", 3);
/** Like `F.adaptive_max_pool1d`. */
export const adaptiveMaxPool1d: AdaptiveMaxPoolFn<AdaptiveSize1> = max<AdaptiveSize1>("adaptiveMaxPool1d", 1);
/** Like `F.adaptive_max_pool2d`; `adaptiveMaxPool2d(x, 1)` is global max pooling. */
export const adaptiveMaxPool2d: AdaptiveMaxPoolFn<AdaptiveSize2> = max<AdaptiveSize2>("adaptiveMaxPool2d", 2);
/** Like `F.adaptive_max_pool3d`. */
export const adaptiveMaxPool3d: AdaptiveMaxPoolFn<AdaptiveSize3> = max<AdaptiveSize3>("adaptiveMaxPool3d", 3);

/** Global average pooling over every spatial dim of `(N, C, ...spatial)`, keeping them as size 1 (ONNX GlobalAveragePool). */
export function globalAvgPool(input: Tensor): Tensor {
  assertTensor("globalAvgPool", "input", input);
  const rank = input.shape.length - 2;
  if (rank < 1 || rank > 3) throw new ShapeError(`globalAvgPool: input must be 3-D to 5-D (N, C, ...spatial), got ${input.shape.length}-D input of shape ${fmt(input.shape)}`);
  return avg("globalAvgPool", rank)(input, 1);
}

/** Global max pooling over every spatial dim of `(N, C, ...spatial)`, keeping them as size 1 (ONNX GlobalMaxPool). */
export function globalMaxPool(input: Tensor): Tensor {
  assertTensor("globalMaxPool", "input", input);
  const rank = input.shape.length - 2;
  if (rank < 1 || rank > 3) throw new ShapeError(`globalMaxPool: input must be 3-D to 5-D (N, C, ...spatial), got ${input.shape.length}-D input of shape ${fmt(input.shape)}`);
  return max<number>("globalMaxPool", rank)(input, 1);
}
