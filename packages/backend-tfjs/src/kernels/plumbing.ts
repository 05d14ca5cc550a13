/**
 * Tensor plumbing on tfjs with convkit's semantics: NaN-propagating maximum/minimum/max/min, int32 division
 * truncating toward zero (as C++ and the CPU backend do; tfjs floors), arg-reductions that return the first
 * NaN or else the first extreme, and softmax along any axis.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BinaryOp, ReduceOp } from "@convkit/core";
import type { EngineCaps } from "../caps.js";
import { nanMaximum, nanMinimum, nanWhere } from "./nan.js";

/** int32 a / b truncated toward zero; division by zero gives 0 (as a JS double stored to an Int32Array). */
function truncDiv(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const zero = tf.equal(b, 0);
  const safe = tf.where(zero, tf.onesLike(b), b);
  const q = tf.floorDiv(a, safe);
  const inexact = tf.notEqual(tf.sub(a, tf.mul(q, safe)), 0);
  const signsDiffer = tf.notEqual(tf.less(a, 0), tf.less(safe, 0));
  const t = tf.add(q, tf.cast(tf.logicalAnd(inexact, signsDiffer), "int32"));
  return tf.where(zero, tf.zerosLike(t), t);
}

export function binary(a: tf.Tensor, b: tf.Tensor, op: BinaryOp, caps: EngineCaps): tf.Tensor {
  const isInt = a.dtype === "int32";
  switch (op) {
    case "add":
      return tf.add(a, b);
    case "sub":
      return tf.sub(a, b);
    case "mul":
      return tf.mul(a, b);
    case "div":
      return isInt ? truncDiv(a, b) : tf.div(a, b);
    case "maximum":
      return isInt ? tf.maximum(a, b) : nanMaximum(a, b, caps);
    case "minimum":
      return isInt ? tf.minimum(a, b) : nanMinimum(a, b, caps);
  }
}

function extreme(x: tf.Tensor, axes: number[], op: "max" | "min", keepDims: boolean, caps: EngineCaps): tf.Tensor {
  const m = op === "max" ? tf.max(x, axes, keepDims) : tf.min(x, axes, keepDims);
  if (caps.reduceNaN || x.dtype === "int32") return m;
  return nanWhere(tf.any(tf.isNaN(x), axes, keepDims), m);
}

export function reduce(x: tf.Tensor, axes: readonly number[], op: ReduceOp, caps: EngineCaps): tf.Tensor {
  const ax = [...axes];
  if (ax.length === 0) return tf.clone(x);
  if (x.size === 0) {
    const shape = x.shape.filter((_, i) => !ax.includes(i));
    return op === "mean" ? tf.fill(shape, Number.NaN) : tf.zeros(shape, x.dtype);
  }
  switch (op) {
    case "sum":
      return tf.sum(x, ax);
    case "mean":
      return tf.mean(x, ax);
    case "max":
    case "min":
      return extreme(x, ax, op, false, caps);
  }
}

export function argReduce(x: tf.Tensor, axis: number, op: "max" | "min", caps: EngineCaps): [tf.Tensor, tf.Tensor] {
  const v = extreme(x, [axis], op, true, caps);
  let hit = tf.equal(x, v);
  if (x.dtype === "float32") {
    // A NaN anywhere along the axis wins; tf.equal(NaN, NaN) is false, so NaN positions are marked directly.
    hit = tf.logicalOr(hit, tf.logicalAnd(tf.isNaN(x), tf.isNaN(v)));
  }
  // argMax of a 0/1 mask returns its first 1.
  const idx = tf.argMax(tf.cast(hit, "int32"), axis);
  return [tf.squeeze(v, [axis]), tf.cast(idx, "int32")];
}

export function softmax(x: tf.Tensor, axis: number, log: boolean, caps: EngineCaps): tf.Tensor {
  if (x.size === 0) return tf.clone(x);
  const shifted = tf.sub(x, extreme(x, [axis], "max", true, caps));
  const e = tf.exp(shifted);
  const sum = tf.sum(e, axis, true);
  return log ? tf.sub(shifted, tf.log(sum)) : tf.div(e, sum);
}

export function slice(x: tf.Tensor, begin: readonly number[], size: readonly number[], step: readonly number[]): tf.Tensor {
  if (size.some((s) => s === 0)) return tf.zeros(size as number[], x.dtype);
  const end = begin.map((b, i) => b + (size[i] - 1) * step[i] + 1);
  return tf.stridedSlice(x, begin as number[], end, step as number[]);
}

/** Broadcasts the batch dims of a `[...batch, r, c]` operand to `batch` and folds them into one. */
function batched(x: tf.Tensor, batch: readonly number[]): tf.Tensor {
  const rc = x.shape.slice(-2);
  const full = [...batch, ...rc];
  const b = x.shape.length === full.length && x.shape.every((d, i) => d === full[i]) ? x : tf.broadcastTo(x, full);
  return tf.reshape(b, [batch.reduce((p, v) => p * v, 1), rc[0], rc[1]]);
}

export function matmul(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): tf.Tensor {
  const k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  if (outShape.some((d) => d === 0) || k === 0) return tf.zeros(outShape as number[]);
  if (outShape.length === 2) return tf.matMul(a, b, transposeA, transposeB);
  const batch = outShape.slice(0, -2);
  return tf.reshape(tf.matMul(batched(a, batch), batched(b, batch), transposeA, transposeB), outShape as number[]);
}
