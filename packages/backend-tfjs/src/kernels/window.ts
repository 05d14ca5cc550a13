/**
 * Sliding-window helpers on channels-last tensors `[N, ...spatial, C]`. tfjs pools and convolves 2-D and
 * 3-D windows; 1-D windows are lifted to 2-D with a unit height. Padding is applied explicitly (with the
 * fill the op needs: -Infinity for max, 0 for sums) so that tfjs only ever sees 'valid' windows.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type PoolGeometry, windowEndPadding } from "@convkit/core";
import type { EngineCaps } from "../caps.js";

/** Window geometry of spatial rank 2 or 3. */
export interface Window {
  readonly inShape: readonly number[];
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly outShape: readonly number[];
}

/** Lifts a 1-D window to 2-D (unit height); 2-D and 3-D pass through. */
export function liftWindow(inShape: readonly number[], g: PoolGeometry): Window {
  if (inShape.length > 1) return { inShape, ...g };
  return {
    inShape: [1, inShape[0]],
    kernel: [1, g.kernel[0]],
    stride: [1, g.stride[0]],
    dilation: [1, g.dilation[0]],
    padBegin: [0, g.padBegin[0]],
    padEnd: [0, g.padEnd[0]],
    outShape: [1, g.outShape[0]],
  };
}

/** `[N, L, C]` to `[N, 1, L, C]`; higher ranks unchanged. */
export function liftCl(x: tf.Tensor): tf.Tensor {
  return x.rank === 3 ? tf.expandDims(x, 1) : x;
}

/** Back to spatial rank `rank` after `liftCl`. */
export function unliftCl(y: tf.Tensor, rank: number): tf.Tensor {
  return rank === 1 ? tf.squeeze(y, [1]) : y;
}

/** Core's `windowEndPadding` for every spatial dim. */
export function fitEnds(w: Window): number[] {
  return w.inShape.map((n, i) => windowEndPadding(n, w.outShape[i], w.kernel[i], w.stride[i], w.padBegin[i], w.dilation[i]));
}

/** Pads (positive amounts, with `value`) or crops (negative amounts) the spatial dims of a channels-last tensor. */
export function padSpatial(x: tf.Tensor, begin: readonly number[], end: readonly number[], value: number): tf.Tensor {
  let y = x;
  const r = begin.length;
  if (begin.some((b) => b < 0) || end.some((e) => e < 0)) {
    const from = [0, ...begin.map((b) => Math.max(0, -b)), 0];
    const size = [-1, ...begin.map((b, i) => y.shape[i + 1] - Math.max(0, -b) - Math.max(0, -end[i])), -1];
    y = tf.slice(y, from, size);
  }
  if (begin.some((b) => b > 0) || end.some((e) => e > 0)) {
    const pads: [number, number][] = [[0, 0]];
    for (let i = 0; i < r; i++) pads.push([Math.max(0, begin[i]), Math.max(0, end[i])]);
    pads.push([0, 0]);
    y = tf.pad(y, pads, value);
  }
  return y;
}

/** The input padded for window `w` so every tap of every window is in range: `padBegin` before, `fitEnds` after. */
export function padForWindows(x: tf.Tensor, w: Window, value: number): tf.Tensor {
  return padSpatial(x, w.padBegin, fitEnds(w), value);
}

/** Kernel taps in row-major order (the order PyTorch scans a window). */
export function taps(kernel: readonly number[]): number[][] {
  const out: number[][] = [];
  const t = kernel.map(() => 0);
  const total = kernel.reduce((a, k) => a * k, 1);
  for (let n = 0; n < total; n++) {
    out.push([...t]);
    for (let i = kernel.length - 1; i >= 0; i--) {
      if (++t[i] < kernel[i]) break;
      t[i] = 0;
    }
  }
  return out;
}

/** Tap `tap`'s value for every window: a strided slice of the padded input `p` (`padForWindows`). */
export function tapSlice(p: tf.Tensor, w: Window, tap: readonly number[]): tf.Tensor {
  const begin = [0, ...tap.map((t, i) => t * w.dilation[i]), 0];
  const end = [p.shape[0], ...tap.map((t, i) => t * w.dilation[i] + (w.outShape[i] - 1) * w.stride[i] + 1), p.shape[p.rank - 1]];
  const strides = [1, ...w.stride, 1];
  return tf.stridedSlice(p, begin, end, strides);
}

/**
 * 3-D max pooling as two 2-D ones (max is separable): over (H, W) for every depth slice, then over D with a
 * `[kd, 1]` window on the flattened (H, W) positions. For engines whose MaxPool3D is wrong (tfjs-wasm 4.22
 * starts its running max at FLT_MIN, so windows of non-positive values come out as 1.2e-38).
 */
function maxPool3dBy2d(p: tf.Tensor, w: Window): tf.Tensor {
  const [n, d, h, wd, c] = p.shape as number[];
  const [od, oh, ow] = w.outShape;
  const planes = tf.maxPool(tf.reshape(p, [n * d, h, wd, c]) as tf.Tensor4D, [w.kernel[1], w.kernel[2]], [w.stride[1], w.stride[2]], "valid");
  const depth = tf.maxPool(tf.reshape(planes, [n, d, oh * ow, c]) as tf.Tensor4D, [w.kernel[0], 1], [w.stride[0], 1], "valid");
  return tf.reshape(depth, [n, od, oh, ow, c]);
}

/** Runs tfjs's 2-D or 3-D pooling with 'valid' windows (dilation 1). */
export function nativePool(p: tf.Tensor, w: Window, type: "max" | "avg", caps: EngineCaps): tf.Tensor {
  if (w.kernel.length === 2) {
    const k = w.kernel as [number, number];
    const s = w.stride as [number, number];
    return type === "max" ? tf.maxPool(p as tf.Tensor4D, k, s, "valid") : tf.avgPool(p as tf.Tensor4D, k, s, "valid");
  }
  if (type === "max" && !caps.maxPool3d) return maxPool3dBy2d(p, w);
  const k = w.kernel as [number, number, number];
  const s = w.stride as [number, number, number];
  return type === "max" ? tf.maxPool3d(p as tf.Tensor5D, k, s, "valid") : tf.avgPool3d(p as tf.Tensor5D, k, s, "valid");
}

/**
 * A per-window constant `[1, ...outShape, 1]` (broadcast over batch and channels) that is a sum or product
 * of one vector per spatial dim: e.g. a flat input index, or a divisor that is a product of per-dim counts.
 */
export function separable(perDim: readonly (Float32Array | Int32Array)[], combine: "add" | "mul"): tf.Tensor {
  const r = perDim.length;
  let acc: tf.Tensor | null = null;
  for (let i = 0; i < r; i++) {
    const shape = [1, ...perDim.map((v, j) => (j === i ? v.length : 1)), 1];
    const t = tf.tensor(perDim[i], shape, perDim[i] instanceof Int32Array ? "int32" : "float32");
    acc = acc === null ? t : combine === "add" ? tf.add(acc, t) : tf.mul(acc, t);
  }
  return acc as tf.Tensor;
}

/** Row-major strides of a shape. */
export function rowStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}
