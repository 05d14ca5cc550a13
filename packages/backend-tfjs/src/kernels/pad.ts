/**
 * F.pad's modes on any tensor, every dim with begin/end amounts (negative: crop). constant pads the positive
 * amounts with tf.pad and crops the negative ones. reflect, replicate and circular (tfjs has only
 * mirrorPad's reflect) gather each padded dim through an index map: output position o reads input
 * position o - begin, mirrored or clamped at the original edges, or, for circular, wrapped within the
 * extent left after cropping (PyTorch's order).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { PadMode } from "@convkit/core";

/** Source position along one dim for every output position of a non-constant mode. */
export function padSource(size: number, begin: number, end: number, mode: Exclude<PadMode, "constant">): Int32Array {
  const out = new Int32Array(Math.max(0, size + begin + end));
  const cropBegin = Math.max(0, -begin);
  const kept = size - cropBegin - Math.max(0, -end);
  const shift = Math.max(0, begin);
  for (let o = 0; o < out.length; o++) {
    let i = o - begin;
    if (mode === "reflect") {
      if (i < 0) i = -i;
      if (i >= size) i = 2 * (size - 1) - i;
    } else if (mode === "replicate") {
      i = i < 0 ? 0 : i >= size ? size - 1 : i;
    } else {
      i = cropBegin + ((((o - shift) % kept) + kept) % kept);
    }
    out[o] = i;
  }
  return out;
}

export function padTensor(x: tf.Tensor, begin: readonly number[], end: readonly number[], mode: PadMode, value: number): tf.Tensor {
  if (mode !== "constant") {
    let y = x;
    for (let d = 0; d < begin.length; d++) {
      if (begin[d] === 0 && end[d] === 0) continue;
      y = tf.gather(y, tf.tensor1d(padSource(x.shape[d] as number, begin[d], end[d], mode), "int32"), d);
    }
    return y;
  }
  let y = x;
  if (begin.some((b) => b < 0) || end.some((e) => e < 0)) {
    const from = begin.map((b) => Math.max(0, -b));
    const size = (x.shape as number[]).map((n, i) => n - from[i] - Math.max(0, -end[i]));
    y = tf.slice(y, from, size);
  }
  if (begin.some((b) => b > 0) || end.some((e) => e > 0)) {
    y = tf.pad(
      y,
      begin.map((b, i) => [Math.max(0, b), Math.max(0, end[i])] as [number, number]),
      value,
    );
  }
  return y;
}
