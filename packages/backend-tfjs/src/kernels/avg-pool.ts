/**
 * Average pooling with PyTorch's divisors on tfjs, channels-last in and out. tfjs divides by the in-bounds
 * count; PyTorch divides by the taps inside the input (`countIncludePad` false), inside the padded extent
 * (true; ceil-mode overhang never counts) or by `divisorOverride`. The input is zero-padded explicitly, tfjs
 * averages full windows (sum / K), and a per-window factor K / divisor (a product of per-dim factors)
 * rescales. Dilated windows sum one strided slice per tap and divide. On engines whose 2-D average pooling
 * turns a NaN sum into an infinity (XNNPACK in tfjs-wasm), pooling the negated input tells the two apart.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { AvgPoolGeometry } from "@convkit/core";
import type { EngineCaps, NaNBehaviour } from "../caps.js";
import { mayHoldNaN, nanWhere } from "./nan.js";
import { type Window, liftCl, liftWindow, nativePool, padForWindows, separable, tapSlice, taps, unliftCl } from "./window.js";

/** Per output index of one dim: taps inside the input, and inside `[-padBegin, in + padEnd)`. */
export function dimCounts(w: Window, dim: number): { inside: Int32Array; padded: Int32Array } {
  const n = w.inShape[dim], out = w.outShape[dim], k = w.kernel[dim], s = w.stride[dim], d = w.dilation[dim];
  const pb = w.padBegin[dim], pe = w.padEnd[dim];
  const inside = new Int32Array(out), padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * s - pb;
    const lo = start >= 0 ? 0 : Math.ceil(-start / d);
    const hi = Math.min(k - 1, Math.floor((n - 1 - start) / d));
    inside[o] = Math.max(0, hi - lo + 1);
    padded[o] = Math.max(0, Math.min(k - 1, Math.floor((n + pe - 1 - start) / d)) + 1);
  }
  return { inside, padded };
}

/**
 * Undoes an engine's NaN-to-infinity mapping. Only infinite outputs can be wrong, so nothing happens unless
 * one may occur. Then the negated input is pooled too: a NaN window sum (a NaN, or
 * +inf and -inf together) shows the artefact for both x and -x, so avg + negated is infinite exactly there,
 * while a genuine infinite average gives inf - inf = NaN and finite ones give 0.
 */
export function restoreAvgNaN(p: tf.Tensor, w: Window, avg: tf.Tensor, behaviour: NaNBehaviour, caps: EngineCaps): tf.Tensor {
  if (behaviour === "propagates") return avg;
  if (!mayHoldNaN(avg, caps)) return avg;
  const negated = nativePool(tf.neg(p), w, "avg", caps);
  return nanWhere(tf.isInf(tf.add(avg, negated)), avg);
}

export function avgPoolCl(x: tf.Tensor, g: AvgPoolGeometry, caps: EngineCaps): tf.Tensor {
  const rank = g.kernel.length;
  const w = liftWindow(x.shape.slice(1, -1), g);
  const p = padForWindows(liftCl(x), w, 0);
  const counts = w.kernel.map((_, i) => {
    const c = dimCounts(w, i);
    return g.countIncludePad ? c.padded : c.inside;
  });
  const behaviour = caps.avgPoolNaN[w.kernel.length as 2 | 3];
  if (w.dilation.every((d) => d === 1) && behaviour !== "other") {
    const avg = restoreAvgNaN(p, w, nativePool(p, w, "avg", caps), behaviour, caps);
    if (g.divisorOverride !== null) {
      const k = w.kernel.reduce((a, v) => a * v, 1);
      return unliftCl(k === g.divisorOverride ? avg : tf.mul(avg, k / g.divisorOverride), rank);
    }
    // K / divisor = product over dims of k_i / count_i; a window with no tap inside gives 0 (its sum is 0).
    const factors = counts.map((c, i) => Float32Array.from(c, (n) => (n === 0 ? 0 : w.kernel[i] / n)));
    if (factors.every((f) => f.every((v) => v === 1))) return unliftCl(avg, rank);
    return unliftCl(tf.mul(avg, separable(factors, "mul")), rank);
  }
  let sum: tf.Tensor | null = null;
  for (const t of taps(w.kernel)) {
    const v = tapSlice(p, w, t);
    sum = sum === null ? v : tf.add(sum, v);
  }
  const divisor =
    g.divisorOverride !== null
      ? tf.scalar(g.divisorOverride)
      : separable(
          counts.map((c) => Float32Array.from(c, (n) => (n === 0 ? 1 : n))),
          "mul",
        );
  return unliftCl(tf.div(sum as tf.Tensor, divisor), rank);
}
