/**
 * Max unpooling as one scatter, channels-last: each value goes to `(n * outPlane + index) * C + c` of the
 * flat channels-last output. tf.tensorScatterUpdate applies updates in order, so within a plane a later
 * input position wins a shared index, as in PyTorch's serial CPU loop.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { MaxUnpoolGeometry } from "@convkit/core";

export function maxUnpoolCl(x: tf.Tensor, indices: tf.Tensor, g: MaxUnpoolGeometry): tf.Tensor {
  const n = x.shape[0];
  const c = x.shape[x.rank - 1];
  const plane = g.outShape.reduce((a, v) => a * v, 1);
  const ones = g.outShape.map(() => 1);
  const batchOffset = tf.reshape(tf.mul(tf.range(0, n, 1, "int32"), tf.scalar(plane * c, "int32")), [n, ...ones, 1]);
  const channel = tf.reshape(tf.range(0, c, 1, "int32"), [1, ...ones, c]);
  const target = tf.add(tf.add(tf.mul(indices, tf.scalar(c, "int32")), batchOffset), channel);
  const flat = tf.tensorScatterUpdate(tf.zeros([n * plane * c]), tf.reshape(target, [-1, 1]), tf.reshape(x, [-1]));
  return tf.reshape(flat, [n, ...g.outShape, c]);
}
