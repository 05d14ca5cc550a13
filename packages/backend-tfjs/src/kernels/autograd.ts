/**
 * The kernels convkit's autograd composes gradients from, on channels-first tensors. Every accumulating
 * adjoint is one tf.scatterND over rows: planes (n, c) become columns and positions become rows, each
 * update row is added to its target row in the order the updates are listed, in float32 (tfjs's cpu and
 * wasm scatter loops run in update order) so the sums match PyTorch's CPU order. Targets outside the
 * input go to one extra row that is dropped.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { AccumulatingPadMode, AdaptivePoolGeometry, AvgPoolGeometry, CompareOp } from "@convkit/core";
import { dimCounts } from "./avg-pool.js";
import { padSource } from "./pad.js";
import { liftWindow, rowStrides, separable, taps } from "./window.js";

function prod(a: readonly number[]): number {
  return a.reduce((p, v) => p * v, 1);
}

export function compare(a: tf.Tensor, b: tf.Tensor, op: CompareOp): tf.Tensor {
  const mask =
    op === "eq"
      ? tf.equal(a, b)
      : op === "ne"
        ? tf.notEqual(a, b)
        : op === "lt"
          ? tf.less(a, b)
          : op === "le"
            ? tf.lessEqual(a, b)
            : op === "gt"
              ? tf.greater(a, b)
              : tf.greaterEqual(a, b);
  return tf.cast(mask, "float32");
}

/** `a` where `cond` is non-zero (NaN is non-zero), else `b`. */
export function where(cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.where(tf.notEqual(cond, 0), a, b);
}

/** `[N, C, ...s]` to `[prod(s), N * C]`. */
function planesLast(x: tf.Tensor): tf.Tensor {
  const [n, c, ...s] = x.shape as number[];
  return tf.transpose(tf.reshape(x, [n * c, prod(s)]));
}

/** `[prod(s), N * C]` back to `[N, C, ...s]`. */
function planesFirst(m: tf.Tensor, n: number, c: number, spatial: readonly number[]): tf.Tensor {
  return tf.reshape(tf.transpose(m), [n, c, ...spatial]);
}

/** Adds update row `e` to row `targets[e]` of a zero `[rows, cols]` matrix, in order; target `rows` is dropped. */
function scatterRows(targets: Int32Array, updates: tf.Tensor, rows: number): tf.Tensor {
  const cols = updates.shape[1] as number;
  const summed = tf.scatterND(tf.tensor2d(targets, [targets.length, 1], "int32"), updates, [rows + 1, cols]);
  return tf.slice(summed, [0, 0], [rows, cols]);
}

/** Plane offsets `p * plane` broadcast over the spatial dims of `[N, C, ...s]`. */
function planeOffsets(n: number, c: number, rank: number, plane: number): tf.Tensor {
  const ones = new Array<number>(rank).fill(1);
  return tf.reshape(tf.mul(tf.range(0, n * c, 1, "int32"), tf.scalar(plane, "int32")), [n, c, ...ones]);
}

export function scatterAdd(src: tf.Tensor, indices: tf.Tensor, outSpatial: readonly number[]): tf.Tensor {
  const [n, c] = src.shape as number[];
  const plane = prod(outSpatial);
  const target = tf.add(indices, planeOffsets(n, c, src.rank - 2, plane));
  const flat = tf.scatterND(tf.reshape(target, [-1, 1]), tf.reshape(src, [-1]), [n * c * plane]);
  return tf.reshape(flat, [n, c, ...outSpatial]);
}

export function gather(src: tf.Tensor, indices: tf.Tensor): tf.Tensor {
  const [n, c, ...s] = src.shape as number[];
  const target = tf.add(indices, planeOffsets(n, c, indices.rank - 2, prod(s)));
  return tf.reshape(tf.gather(tf.reshape(src, [-1]), tf.reshape(target, [-1])), indices.shape);
}

export function avgPoolBackward(dy: tf.Tensor, g: AvgPoolGeometry, inSpatial: readonly number[]): tf.Tensor {
  const [n, c] = dy.shape as number[];
  const w = liftWindow(inSpatial, g);
  const counts = w.kernel.map((_, i) => {
    const t = dimCounts(w, i);
    return g.countIncludePad ? t.padded : t.inside;
  });
  const divisor =
    g.divisorOverride !== null
      ? tf.scalar(g.divisorOverride)
      : tf.reshape(
          separable(
            counts.map((ct) => Float32Array.from(ct, (v) => (v === 0 ? 1 : v))),
            "mul",
          ),
          [-1, 1],
        );
  const delta = tf.div(planesLast(dy), divisor);
  const outPlane = prod(w.outShape);
  const inPlane = prod(w.inShape);
  const kernelTaps = taps(w.kernel);
  const strides = rowStrides(w.inShape);
  const targets = new Int32Array(outPlane * kernelTaps.length);
  const o = w.outShape.map(() => 0);
  let e = 0;
  for (let j = 0; j < outPlane; j++) {
    for (const t of kernelTaps) {
      let flat = 0;
      for (let i = 0; i < t.length; i++) {
        const pos = o[i] * w.stride[i] - w.padBegin[i] + t[i] * w.dilation[i];
        if (pos < 0 || pos >= w.inShape[i]) {
          flat = inPlane;
          break;
        }
        flat += pos * strides[i];
      }
      targets[e++] = flat;
    }
    for (let i = o.length - 1; i >= 0; i--) {
      if (++o[i] < w.outShape[i]) break;
      o[i] = 0;
    }
  }
  const updates = tf.reshape(tf.broadcastTo(tf.expandDims(delta, 1), [outPlane, kernelTaps.length, n * c]), [-1, n * c]);
  return planesFirst(scatterRows(targets, updates, inPlane), n, c, inSpatial);
}

export function adaptiveAvgPoolBackward(dy: tf.Tensor, g: AdaptivePoolGeometry, inSpatial: readonly number[]): tf.Tensor {
  const [n, c] = dy.shape as number[];
  const outShape = g.start.map((s) => s.length);
  const r = outShape.length;
  // dy / k_1 / ... / k_r, rounding after each division as PyTorch does.
  let delta = planesLast(dy);
  for (let i = 0; i < r; i++) {
    const extent = g.start.map((s, j) => (j === i ? Float32Array.from(s, (v, o) => g.end[i][o] - v) : new Float32Array(s.length).fill(1)));
    delta = tf.div(delta, tf.reshape(separable(extent, "mul"), [-1, 1]));
  }
  const strides = rowStrides(inSpatial);
  const sources: number[] = [];
  const targets: number[] = [];
  const o = outShape.map(() => 0);
  const p = outShape.map(() => 0);
  const outPlane = prod(outShape);
  for (let j = 0; j < outPlane; j++) {
    // Every input position of window j, row-major.
    for (let i = 0; i < r; i++) p[i] = g.start[i][o[i]];
    for (;;) {
      let flat = 0;
      for (let i = 0; i < r; i++) flat += p[i] * strides[i];
      sources.push(j);
      targets.push(flat);
      let i = r - 1;
      for (; i >= 0; i--) {
        if (++p[i] < g.end[i][o[i]]) break;
        p[i] = g.start[i][o[i]];
      }
      if (i < 0) break;
    }
    for (let i = r - 1; i >= 0; i--) {
      if (++o[i] < outShape[i]) break;
      o[i] = 0;
    }
  }
  const updates = tf.gather(delta, tf.tensor1d(Int32Array.from(sources), "int32"));
  return planesFirst(scatterRows(Int32Array.from(targets), updates, prod(inSpatial)), n, c, inSpatial);
}

export function padBackward(dy: tf.Tensor, inShape: readonly number[], padBegin: readonly number[], padEnd: readonly number[], mode: AccumulatingPadMode): tf.Tensor {
  if (inShape.length === 0) return tf.clone(dy);
  const strides = rowStrides(inShape);
  // separable() builds [1, ...dims, 1]; the flat source index of every dy position, row-major.
  const source = separable(
    inShape.map((size, i) => padSource(size, padBegin[i], padEnd[i], mode).map((v) => v * strides[i])),
    "add",
  );
  const flat = tf.scatterND(tf.reshape(source, [-1, 1]), tf.reshape(dy, [-1]), [prod(inShape)]);
  return tf.reshape(flat, inShape as number[]);
}
