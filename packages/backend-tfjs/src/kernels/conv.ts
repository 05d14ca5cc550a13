/**
 * Convolution with PyTorch's geometry on tfjs, channels-last in and out.
 * - Weights are permuted once to tfjs's filter layouts and cached on the weight's handle (see `convFilters`).
 * - groups: groups == in channels with one input channel per group is tfjs's depthwise conv (2-D); other
 *   groups split the channels, convolve each group and concatenate.
 * - tfjs refuses stride > 1 together with dilation > 1: such convs run at stride 1 and keep every
 *   stride-th output (exact, at stride^rank the work).
 * - 1-D is 2-D with a unit height; 2-D passes explicit (asymmetric) pads to tfjs where the engine takes
 *   them (else, and for 3-D, it zero-pads first).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ConvGeometry } from "@convkit/core";
import type { EngineCaps } from "../caps.js";
import { padSpatial } from "./window.js";

export type ConvPlan = "dense" | "depthwise" | "grouped";

/** How a conv with this weight (`[Cout, Cin / groups, ...k]`) maps onto tfjs. */
export function convPlan(weightShape: readonly number[], groups: number): ConvPlan {
  if (groups === 1) return "dense";
  const spatial = weightShape.length - 2;
  if (weightShape[1] === 1 && spatial <= 2) return "depthwise";
  return "grouped";
}

export function spatialPerm(spatial: number): number[] {
  return Array.from({ length: spatial }, (_, i) => i + 2);
}

/** 1-D filters get a unit height in front. */
export function liftFilter(f: tf.Tensor, spatial: number): tf.Tensor {
  return spatial === 1 ? tf.expandDims(f, 0) : f;
}

/**
 * Conv filters from a `[Cout, Cin / groups, ...k]` weight: one `[...k, Cin/g, Cout/g]` filter per group
 * (dense: one), or tfjs's depthwise `[...k, Cin, multiplier]`.
 */
export function convFilters(w: tf.Tensor, groups: number, plan: ConvPlan): tf.Tensor[] {
  const spatial = w.rank - 2;
  if (plan === "depthwise") {
    // Output channel ci * m + j reads input channel ci: [Cin * m, 1, ...k] -> [Cin, m, ...k].
    const r = tf.reshape(w, [groups, w.shape[0] / groups, ...w.shape.slice(2)]);
    return [liftFilter(tf.transpose(r, [...spatialPerm(spatial), 0, 1]), spatial)];
  }
  const perm = [...spatialPerm(spatial), 1, 0];
  const parts = groups === 1 ? [w] : tf.split(w, groups, 0);
  return parts.map((p) => liftFilter(tf.transpose(p, perm), spatial));
}

export interface Lifted {
  readonly x: tf.Tensor;
  readonly stride: number[];
  readonly dilation: number[];
  readonly padBegin: number[];
  readonly padEnd: number[];
  readonly outShape: number[];
}

export function lift(x: tf.Tensor, g: ConvGeometry): Lifted {
  if (g.stride.length > 1) return { x, stride: [...g.stride], dilation: [...g.dilation], padBegin: [...g.padBegin], padEnd: [...g.padEnd], outShape: [...g.outShape] };
  return {
    x: tf.expandDims(x, 1),
    stride: [1, g.stride[0]],
    dilation: [1, g.dilation[0]],
    padBegin: [0, g.padBegin[0]],
    padEnd: [0, g.padEnd[0]],
    outShape: [1, g.outShape[0]],
  };
}

export function unlift(y: tf.Tensor, rank: number): tf.Tensor {
  return rank === 1 ? tf.squeeze(y, [1]) : y;
}

/** Keeps every `stride`-th output of a stride-1 result, `outShape` of them per dim. */
function subsample(y: tf.Tensor, stride: readonly number[], outShape: readonly number[]): tf.Tensor {
  const end = [y.shape[0], ...outShape.map((o, i) => (o - 1) * stride[i] + 1), y.shape[y.rank - 1]];
  return tf.stridedSlice(y, y.shape.map(() => 0), end, [1, ...stride, 1]);
}

export function splitChannels(x: tf.Tensor, groups: number): tf.Tensor[] {
  return groups === 1 ? [x] : tf.split(x, groups, x.rank - 1);
}

export function joinChannels(ys: tf.Tensor[]): tf.Tensor {
  return ys.length === 1 ? ys[0] : tf.concat(ys, ys[0].rank - 1);
}

export function convCl(input: tf.Tensor, filters: tf.Tensor[], bias: tf.Tensor | null, g: ConvGeometry, plan: ConvPlan, caps: EngineCaps): tf.Tensor {
  const rank = g.stride.length;
  let L = lift(input, g);
  const explicit = plan === "depthwise" ? caps.explicitPads.depthwise : caps.explicitPads.conv2d;
  if (L.x.rank === 4 && !explicit && [...L.padBegin, ...L.padEnd].some((p) => p > 0)) {
    // The engine takes no explicit pads: zero-pad first.
    L = { ...L, x: padSpatial(L.x, L.padBegin, L.padEnd, 0), padBegin: L.padBegin.map(() => 0), padEnd: L.padEnd.map(() => 0) };
  }
  const both = L.stride.some((s) => s > 1) && L.dilation.some((d) => d > 1);
  const stride = both ? L.stride.map(() => 1) : L.stride;
  let y: tf.Tensor;
  if (L.x.rank === 4) {
    const s = stride as [number, number];
    const d = L.dilation as [number, number];
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [L.padBegin[0], L.padEnd[0]],
      [L.padBegin[1], L.padEnd[1]],
      [0, 0],
    ];
    // tfjs's fused depthwise conv takes no explicit pads, and its numeric pads are wrong with unequal strides.
    const unpadded = L.padBegin.every((p, i) => p === 0 && L.padEnd[i] === 0);
    const fuseBias = bias !== null && !both && (plan === "dense" || (plan === "depthwise" && unpadded));
    const x4 = L.x as tf.Tensor4D;
    if (plan === "depthwise") {
      const f = filters[0] as tf.Tensor4D;
      y = fuseBias
        ? tf.fused.depthwiseConv2d({ x: x4, filter: f, strides: s, pad: "valid", dilations: d, bias: bias as tf.Tensor })
        : tf.depthwiseConv2d(x4, f, s, pad, "NHWC", d);
    } else if (plan === "dense") {
      const f = filters[0] as tf.Tensor4D;
      y = fuseBias ? tf.fused.conv2d({ x: x4, filter: f, strides: s, pad, dilations: d, bias: bias as tf.Tensor }) : tf.conv2d(x4, f, s, pad, "NHWC", d);
    } else {
      const xs = splitChannels(x4, filters.length);
      y = joinChannels(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, filters[i] as tf.Tensor4D, s, pad, "NHWC", d)));
    }
    if (both) y = subsample(y, L.stride, L.outShape);
    if (bias !== null && !fuseBias) y = tf.add(y, bias);
    return unlift(y, rank);
  }
  const xp = padSpatial(L.x, L.padBegin, L.padEnd, 0);
  const s = stride as [number, number, number];
  const d = L.dilation as [number, number, number];
  const xs = splitChannels(xp, filters.length);
  y = joinChannels(xs.map((xi, i) => tf.conv3d(xi as tf.Tensor5D, filters[i] as tf.Tensor5D, s, "valid", "NDHWC", d)));
  if (both) y = subsample(y, L.stride, L.outShape);
  if (bias !== null) y = tf.add(y, bias);
  return y;
}
