/**
 * Transposed convolution with PyTorch's geometry on tfjs, channels-last in and out. The full output
 * `(in - 1) * stride + dilation * (k - 1) + 1` is computed with 'valid' padding and a zero-dilated filter,
 * then padBegin / padEnd are cropped (a negative padEnd appends zeros: output padding), per group. In 2-D,
 * where the engine takes explicit pads, tfjs crops itself. Where an engine's conv3dTranspose is wrong
 * (tfjs-wasm 4.22), 3-D uses the equivalent stride-1 conv of the zero-upsampled input with the flipped filter.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type ConvGeometry, effectiveKernel } from "@convkit/core";
import type { EngineCaps } from "../caps.js";
import { joinChannels, lift, liftFilter, spatialPerm, splitChannels, unlift } from "./conv.js";
import { padSpatial } from "./window.js";

/** Inserts `d - 1` zeros between the taps of every spatial dim of a `[...k, a, b]` filter. */
function dilateFilter(f: tf.Tensor, dilation: readonly number[]): tf.Tensor {
  let out = f;
  dilation.forEach((d, i) => {
    if (d === 1) return;
    const k = out.shape[i];
    const shape = out.shape;
    const split = [...shape.slice(0, i), k, 1, ...shape.slice(i + 1)];
    const pads = split.map((_, j) => (j === i + 1 ? [0, d - 1] : [0, 0]) as [number, number]);
    const spread = tf.reshape(tf.pad(tf.reshape(out, split), pads), [...shape.slice(0, i), k * d, ...shape.slice(i + 1)]);
    const size = shape.map((n, j) => (j === i ? effectiveKernel(k, d) : n));
    out = tf.slice(spread, shape.map(() => 0), size);
  });
  return out;
}

/**
 * Transposed-conv filters from a `[Cin, Cout / groups, ...k]` weight: per group `[...dk, Cout/g, Cin/g]`,
 * zero-dilated (tfjs's conv2dTranspose layout); with `asConv`, flipped and `[...dk, Cin/g, Cout/g]` for the
 * stride-1 conv formulation.
 */
export function convTransposeFilters(w: tf.Tensor, groups: number, dilation: readonly number[], asConv: boolean): tf.Tensor[] {
  const spatial = w.rank - 2;
  const parts = groups === 1 ? [w] : tf.split(w, groups, 0);
  return parts.map((p) => {
    let f = dilateFilter(tf.transpose(p, [...spatialPerm(spatial), 1, 0]), dilation);
    if (asConv) f = tf.transpose(tf.reverse(f, Array.from({ length: spatial }, (_, i) => i)), [...Array.from({ length: spatial }, (_, i) => i), spatial + 1, spatial]);
    return liftFilter(f, spatial);
  });
}

/** Inserts `stride - 1` zeros between the input positions of every spatial dim (channels-last). */
function upsampleZeros(x: tf.Tensor, stride: readonly number[]): tf.Tensor {
  let out = x;
  stride.forEach((s, i) => {
    if (s === 1) return;
    const dim = i + 1;
    const n = out.shape[dim];
    const shape = out.shape;
    const split = [...shape.slice(0, dim + 1), 1, ...shape.slice(dim + 1)];
    const pads = split.map((_, j) => (j === dim + 1 ? [0, s - 1] : [0, 0]) as [number, number]);
    const spread = tf.reshape(tf.pad(tf.reshape(out, split), pads), [...shape.slice(0, dim), n * s, ...shape.slice(dim + 1)]);
    out = tf.slice(
      spread,
      shape.map(() => 0),
      shape.map((v, j) => (j === dim ? (n - 1) * s + 1 : v)),
    );
  });
  return out;
}

/** How transposed 3-D convs run on an engine: tfjs's kernel, or the flipped-filter conv where it is wrong. */
export function transposeAsConv(rank: number, caps: EngineCaps): boolean {
  return rank === 3 && !caps.conv3dTranspose;
}

export function convTransposeCl(input: tf.Tensor, filters: tf.Tensor[], bias: tf.Tensor | null, g: ConvGeometry, asConv: boolean, caps: EngineCaps): tf.Tensor {
  const rank = g.stride.length;
  const L = lift(input, g);
  const spatialIn = L.x.shape.slice(1, -1);
  const dk = filters[0].shape.slice(0, spatialIn.length);
  const full = spatialIn.map((n, i) => (n - 1) * L.stride[i] + dk[i]);
  const n = L.x.shape[0];
  const xs = splitChannels(L.x, filters.length);
  // 2-D with non-negative pads: tfjs's conv2dTranspose crops itself (no full-size intermediate).
  const cropByTfjs = !asConv && L.x.rank === 4 && caps.explicitPads.conv2dTranspose && L.padEnd.every((p) => p >= 0);
  const ys = xs.map((xi, i) => {
    const f = filters[i];
    if (cropByTfjs) {
      const pads: tf.backend_util.ExplicitPadding = [
        [0, 0],
        [L.padBegin[0], L.padEnd[0]],
        [L.padBegin[1], L.padEnd[1]],
        [0, 0],
      ];
      const outC = f.shape[f.rank - 2] as number;
      return tf.conv2dTranspose(xi as tf.Tensor4D, f as tf.Tensor4D, [n, L.outShape[0], L.outShape[1], outC], L.stride as [number, number], pads);
    }
    if (asConv) {
      const up = upsampleZeros(xi, L.stride);
      const padded = padSpatial(
        up,
        dk.map((k) => k - 1),
        dk.map((k) => k - 1),
        0,
      );
      return tf.conv3d(padded as tf.Tensor5D, f as tf.Tensor5D, 1, "valid");
    }
    const outC = f.shape[f.rank - 2];
    if (L.x.rank === 4) {
      return tf.conv2dTranspose(xi as tf.Tensor4D, f as tf.Tensor4D, [n, full[0], full[1], outC], L.stride as [number, number], "valid");
    }
    return tf.conv3dTranspose(xi as tf.Tensor5D, f as tf.Tensor5D, [n, full[0], full[1], full[2], outC], L.stride as [number, number, number], "valid");
  });
  let y = joinChannels(ys);
  if (!cropByTfjs) {
    const ends = full.map((f, i) => L.outShape[i] + L.padBegin[i] - f);
    y = padSpatial(
      y,
      L.padBegin.map((p) => -p),
      ends,
      0,
    );
  }
  if (bias !== null) y = tf.add(y, bias);
  return unlift(y, rank);
}
