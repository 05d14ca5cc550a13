/**
 * Adaptive pooling over PyTorch's windows (core computes `[start, end)` per output index), channels-last.
 * Output size 1 is a reduction; sizes that divide the input are plain pooling with kernel = stride; other
 * sizes have windows of varying length: each dim gathers its windows' j-th positions (a window shorter than
 * the longest points at one sentinel row appended to the input: 0 for sums, -Infinity for max) and
 * reduces over j, one dim after the other. Max with indices scans the windows' positions in PyTorch's
 * row-major order with the same replacement rule as max pooling.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { AdaptivePoolGeometry } from "@convkit/core";
import type { EngineCaps } from "../caps.js";
import { restoreAvgNaN } from "./avg-pool.js";
import { type PoolResult, flatIndex, nativeMaxPool, scanMax } from "./max-pool.js";
import { nanMaximum } from "./nan.js";
import { type Window, nativePool, padSpatial, separable } from "./window.js";

interface Windows {
  readonly inShape: number[];
  readonly start: Int32Array[];
  readonly end: Int32Array[];
}

/** 1-D windows lifted to 2-D (a unit height with the single window [0, 1)), channels-last input lifted alike. */
function lift(x: tf.Tensor, g: AdaptivePoolGeometry): { x: tf.Tensor; win: Windows } {
  const inShape = x.shape.slice(1, -1);
  if (inShape.length > 1) return { x, win: { inShape, start: [...g.start], end: [...g.end] } };
  return {
    x: tf.expandDims(x, 1),
    win: { inShape: [1, inShape[0]], start: [Int32Array.of(0), g.start[0]], end: [Int32Array.of(1), g.end[0]] },
  };
}

function unlift(y: tf.Tensor, rank: number): tf.Tensor {
  return rank === 1 ? tf.squeeze(y, [1]) : y;
}

/** The plain pooling window when every dim's windows tile the input evenly (kernel = stride = in / out). */
function regularWindow(win: Windows): Window | null {
  const kernel: number[] = [];
  for (let i = 0; i < win.inShape.length; i++) {
    const out = win.start[i].length;
    if (win.inShape[i] % out !== 0) return null;
    kernel.push(win.inShape[i] / out);
  }
  const zeros = kernel.map(() => 0);
  return { inShape: win.inShape, kernel, stride: kernel, dilation: kernel.map(() => 1), padBegin: zeros, padEnd: zeros, outShape: win.start.map((s) => s.length) };
}

function longest(win: Windows, dim: number): number {
  let l = 0;
  for (let o = 0; o < win.start[dim].length; o++) l = Math.max(l, win.end[dim][o] - win.start[dim][o]);
  return l;
}

/** The j-th position of every window of one dim, or the sentinel row `in` where the window is shorter. */
function positions(win: Windows, dim: number, j: number): Int32Array {
  const s = win.start[dim], e = win.end[dim];
  const out = new Int32Array(s.length);
  for (let o = 0; o < s.length; o++) out[o] = s[o] + j < e[o] ? s[o] + j : win.inShape[dim];
  return out;
}

/** Reduces windows dim by dim over the input padded with one sentinel row per spatial dim. */
function separableReduce(x: tf.Tensor, win: Windows, sentinel: number, combine: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = win.inShape.length;
  let cur = padSpatial(
    x,
    win.inShape.map(() => 0),
    win.inShape.map(() => 1),
    sentinel,
  );
  for (let i = 0; i < r; i++) {
    let acc: tf.Tensor | null = null;
    for (let j = 0; j < longest(win, i); j++) {
      const v = tf.gather(cur, tf.tensor1d(positions(win, i, j), "int32"), i + 1);
      acc = acc === null ? v : combine(acc, v);
    }
    cur = acc as tf.Tensor;
  }
  return cur;
}

function isGlobal(win: Windows): boolean {
  return win.start.every((s) => s.length === 1);
}

function spatialAxes(r: number): number[] {
  return Array.from({ length: r }, (_, i) => i + 1);
}

export function adaptiveAvgPoolCl(input: tf.Tensor, g: AdaptivePoolGeometry, caps: EngineCaps): tf.Tensor {
  const rank = g.start.length;
  const { x, win } = lift(input, g);
  const r = win.inShape.length;
  if (isGlobal(win)) return unlift(tf.mean(x, spatialAxes(r), true), rank);
  const w = regularWindow(win);
  const behaviour = caps.avgPoolNaN[r as 2 | 3];
  if (w !== null && behaviour !== "other") return unlift(restoreAvgNaN(x, w, nativePool(x, w, "avg", caps), behaviour, caps), rank);
  const sum = separableReduce(x, win, 0, tf.add);
  const counts = win.start.map((s, i) => Float32Array.from(s, (v, o) => win.end[i][o] - v));
  return unlift(tf.div(sum, separable(counts, "mul")), rank);
}

export function adaptiveMaxPoolCl(input: tf.Tensor, g: AdaptivePoolGeometry, withIndices: boolean, caps: EngineCaps): PoolResult {
  const rank = g.start.length;
  const { x, win } = lift(input, g);
  const r = win.inShape.length;
  if (!withIndices) {
    if (isGlobal(win) && caps.reduceNaN) return { output: unlift(tf.max(x, spatialAxes(r), true), rank), indices: null };
    const w = regularWindow(win);
    if (w !== null) return { output: unlift(nativeMaxPool(x, w, caps), rank), indices: null };
    const out = separableReduce(x, win, Number.NEGATIVE_INFINITY, (a, b) => nanMaximum(a, b, caps));
    return { output: unlift(out, rank), indices: null };
  }
  const p = padSpatial(
    x,
    win.inShape.map(() => 0),
    win.inShape.map(() => 1),
    Number.NEGATIVE_INFINITY,
  );
  const outShape = win.start.map((s) => s.length);
  const shape = [x.shape[0], ...outShape, x.shape[x.rank - 1]];
  const res = scanMax(shape, flatIndex(win.start, win.inShape), (take) => {
    const visit = (dim: number, cur: tf.Tensor, pos: Int32Array[]): void => {
      if (dim === r) {
        take(cur, flatIndex(pos, win.inShape));
        return;
      }
      for (let j = 0; j < longest(win, dim); j++) {
        const at = positions(win, dim, j);
        visit(dim + 1, tf.gather(cur, tf.tensor1d(at, "int32"), dim + 1), [...pos, at]);
      }
    };
    visit(0, p, []);
  });
  return { output: unlift(res.output, rank), indices: unlift(res.indices as tf.Tensor, rank) };
}
