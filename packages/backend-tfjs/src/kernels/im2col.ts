/**
 * unfold (im2col) and fold (col2im) on channels-first tensors. unfold gathers one strided slice per kernel
 * offset from the zero-padded image and stacks them under the channel dim, giving rows ordered
 * (channel, kernel offset). fold is one scatter-add: every (offset, block) column entry goes to its image
 * position (out-of-image positions to one discarded slot), and tf.scatterND sums entries that meet.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Im2ColGeometry, windowEndPadding } from "@convkit/core";
import { rowStrides, taps } from "./window.js";

function prod(a: readonly number[]): number {
  return a.reduce((p, v) => p * v, 1);
}

/** Pads (or crops, where negative) the spatial dims 2.. of a channels-first tensor with zeros. */
function padImage(x: tf.Tensor, begin: readonly number[], end: readonly number[]): tf.Tensor {
  let y = x;
  if (begin.some((b) => b < 0) || end.some((e) => e < 0)) {
    const from = [0, 0, ...begin.map((b) => Math.max(0, -b))];
    const size = [-1, -1, ...begin.map((b, i) => x.shape[i + 2] - Math.max(0, -b) - Math.max(0, -end[i]))];
    y = tf.slice(y, from, size);
  }
  if (begin.some((b) => b > 0) || end.some((e) => e > 0)) {
    y = tf.pad(y, [[0, 0], [0, 0], ...begin.map((b, i) => [Math.max(0, b), Math.max(0, end[i])] as [number, number])]);
  }
  return y;
}

export function unfold(x: tf.Tensor, g: Im2ColGeometry): tf.Tensor {
  const [n, c] = x.shape;
  const k = prod(g.kernel);
  const l = prod(g.blocks);
  if (n * c * k * l === 0) return tf.zeros([n, c * k, l]);
  const ends = g.image.map((size, i) => windowEndPadding(size, g.blocks[i], g.kernel[i], g.stride[i], g.padBegin[i], g.dilation[i]));
  const p = padImage(x, g.padBegin, ends);
  const columns = taps(g.kernel).map((t) => {
    const begin = [0, 0, ...t.map((ti, i) => ti * g.dilation[i])];
    const end = [n, c, ...t.map((ti, i) => ti * g.dilation[i] + (g.blocks[i] - 1) * g.stride[i] + 1)];
    return tf.stridedSlice(p, begin, end, [1, 1, ...g.stride]);
  });
  return tf.reshape(tf.stack(columns, 2), [n, c * k, l]);
}

/** Flat image position of every (kernel offset, block) pair, or `prod(image)` when it falls outside. */
function foldTargets(g: Im2ColGeometry): Int32Array {
  const r = g.kernel.length;
  const plane = prod(g.image);
  const strides = rowStrides(g.image);
  const blocks = prod(g.blocks);
  const out = new Int32Array(prod(g.kernel) * blocks);
  let at = 0;
  const b = new Int32Array(r);
  for (const t of taps(g.kernel)) {
    b.fill(0);
    for (let j = 0; j < blocks; j++) {
      let flat = 0;
      for (let i = 0; i < r; i++) {
        const pos = b[i] * g.stride[i] - g.padBegin[i] + t[i] * g.dilation[i];
        if (pos < 0 || pos >= g.image[i]) {
          flat = plane;
          break;
        }
        flat += pos * strides[i];
      }
      out[at++] = flat;
      for (let i = r - 1; i >= 0; i--) {
        if (++b[i] < g.blocks[i]) break;
        b[i] = 0;
      }
    }
  }
  return out;
}

export function fold(x: tf.Tensor, g: Im2ColGeometry): tf.Tensor {
  const [n, rows] = x.shape as number[];
  const k = prod(g.kernel);
  const c = rows / k;
  const plane = prod(g.image);
  if (n * c * plane === 0 || x.size === 0) return tf.zeros([n, c, ...g.image]);
  const r = g.image.length;
  const entries = k * prod(g.blocks);
  const updates = tf.reshape(tf.transpose(tf.reshape(x, [n, c, entries]), [2, 0, 1]), [entries, n * c]);
  const targets = tf.tensor2d(foldTargets(g), [entries, 1], "int32");
  const summed = tf.slice(tf.scatterND(targets, updates, [plane + 1, n * c]), [0, 0], [plane, n * c]);
  const image = tf.reshape(summed, [...g.image, n, c]);
  return tf.transpose(image, [r, r + 1, ...Array.from({ length: r }, (_, i) => i)]);
}
