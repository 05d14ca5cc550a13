/**
 * Max pooling with PyTorch's rules on tfjs, channels-last in and out:
 * - padding is -Infinity (never 0) and is applied explicitly, as are ceil-mode overhang and asymmetric pads,
 *   so tfjs only sees 'valid' windows whose count is core's outShape;
 * - a window holding a NaN gives NaN (tfjs's pooling skips NaN: a pooled NaN mask restores it);
 * - dilation and indices are composed from one strided slice per kernel tap, scanned in PyTorch's order:
 *   a tap replaces the running max when it is greater or NaN, so the first maximum wins a tie and the last
 *   NaN's index is returned, as on PyTorch's CPU. Indices are flat within each (n, c) plane of the input.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { PoolGeometry } from "@convkit/core";
import type { EngineCaps } from "../caps.js";
import { mayHoldNaN, nanMaximum, nanWhere } from "./nan.js";
import { type Window, fitEnds, liftCl, liftWindow, nativePool, padForWindows, rowStrides, separable, tapSlice, taps, unliftCl } from "./window.js";

export interface PoolResult {
  readonly output: tf.Tensor;
  readonly indices: tf.Tensor | null;
}

/**
 * tfjs max pooling made NaN-propagating: when the input holds a NaN, windows whose pooled NaN mask is 1
 * become NaN. `pads` are explicit 2-D pads tfjs applies itself (ignored by max pooling, i.e. -Infinity);
 * without them the input is already padded.
 */
export function nativeMaxPool(p: tf.Tensor, w: Window, caps: EngineCaps, pads?: readonly number[][]): tf.Tensor {
  const pool = (t: tf.Tensor): tf.Tensor =>
    pads ? tf.maxPool(t as tf.Tensor4D, w.kernel as [number, number], w.stride as [number, number], pads as tf.backend_util.ExplicitPadding) : nativePool(t, w, "max", caps);
  const out = pool(p);
  if (caps.maxPoolNaN[w.kernel.length as 2 | 3] || !mayHoldNaN(p, caps)) return out;
  const hasNaN = pool(tf.cast(tf.isNaN(p), "float32"));
  return nanWhere(tf.cast(hasNaN, "bool"), out);
}

/** Input position of tap `t` for every output index of one dim (may lie in the padding). */
function tapPositions(w: Window, dim: number, t: number): Int32Array {
  const out = new Int32Array(w.outShape[dim]);
  for (let o = 0; o < out.length; o++) out[o] = o * w.stride[dim] - w.padBegin[dim] + t * w.dilation[dim];
  return out;
}

/** PyTorch's initial index: the first tap at or after the input's start (it may still be past the end). */
function firstPositions(w: Window, dim: number): Int32Array {
  const out = new Int32Array(w.outShape[dim]);
  for (let o = 0; o < out.length; o++) {
    let p = o * w.stride[dim] - w.padBegin[dim];
    while (p < 0) p += w.dilation[dim];
    out[o] = p;
  }
  return out;
}

/** Flat in-plane input index for every window, from per-dim positions. */
export function flatIndex(positions: readonly Int32Array[], inShape: readonly number[]): tf.Tensor {
  const strides = rowStrides(inShape);
  return separable(
    positions.map((p, i) => p.map((v) => v * strides[i])),
    "add",
  );
}

/**
 * Running max over taps with PyTorch's replacement rule (greater, or NaN). `values` yields each tap's
 * values and flat indices in scan order; `init` is the index a window with no candidate keeps.
 */
export function scanMax(shape: readonly number[], init: tf.Tensor, visit: (take: (v: tf.Tensor, idx: tf.Tensor) => void) => void): PoolResult {
  let best = tf.fill(shape as number[], Number.NEGATIVE_INFINITY);
  let idx = init;
  visit((v, tapIdx) => {
    const take = tf.logicalOr(tf.greater(v, best), tf.isNaN(v));
    best = tf.where(take, v, best);
    idx = tf.where(take, tapIdx, idx);
  });
  return { output: best, indices: tf.broadcastTo(idx, shape as number[]) };
}

export function maxPoolCl(x: tf.Tensor, g: PoolGeometry, withIndices: boolean, caps: EngineCaps): PoolResult {
  const rank = g.kernel.length;
  const w = liftWindow(x.shape.slice(1, -1), g);
  const xl = liftCl(x);
  if (!withIndices && w.dilation.every((d) => d === 1)) {
    const ends = fitEnds(w);
    // 2-D: tfjs pads explicitly itself (skipping a copy); a negative end would need a crop first.
    if (w.kernel.length === 2 && caps.explicitPads.maxPool && ends.every((e) => e >= 0)) {
      const pads = [[0, 0], ...w.padBegin.map((b, i) => [b, ends[i]]), [0, 0]];
      return { output: unliftCl(nativeMaxPool(xl, w, caps, pads), rank), indices: null };
    }
    return { output: unliftCl(nativeMaxPool(padForWindows(xl, w, Number.NEGATIVE_INFINITY), w, caps), rank), indices: null };
  }
  const p = padForWindows(xl, w, Number.NEGATIVE_INFINITY);
  if (!withIndices) {
    let best: tf.Tensor | null = null;
    for (const t of taps(w.kernel)) {
      const v = tapSlice(p, w, t);
      best = best === null ? v : nanMaximum(best, v, caps);
    }
    return { output: unliftCl(best as tf.Tensor, rank), indices: null };
  }
  const shape = [x.shape[0], ...w.outShape, x.shape[x.rank - 1]];
  const init = flatIndex(
    w.kernel.map((_, i) => firstPositions(w, i)),
    w.inShape,
  );
  const r = scanMax(shape, init, (take) => {
    for (const t of taps(w.kernel)) {
      take(
        tapSlice(p, w, t),
        flatIndex(
          t.map((ti, i) => tapPositions(w, i, ti)),
          w.inShape,
        ),
      );
    }
  });
  return { output: unliftCl(r.output, rank), indices: unliftCl(r.indices as tf.Tensor, rank) };
}
