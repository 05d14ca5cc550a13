/**
 * NaN helpers: PyTorch lets NaN win in max/min, max pooling and clamp-like activations; several tfjs
 * kernels drop it (see caps.ts). Engines whose kernels already propagate NaN use them directly.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { EngineCaps } from "../caps.js";

const NAN = Number.NaN;

/**
 * `mask ? NaN : x`. The NaN operand is filled at full shape: tfjs-wasm broadcasts a scalar operand of
 * `where` with Tile, which costs more than the pooling it patches.
 */
export function nanWhere(mask: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.where(mask, tf.fill(x.shape, NAN), x);
}

/**
 * Whether channels-last `x` may hold a NaN (or an infinity), read back as one number per (n, c) plane: its
 * plane averages, by one global 2-D average pooling, the cheapest full pass tfjs-wasm has (XNNPACK; a
 * tf.sum costs several poolings). An average is non-finite when the plane holds a NaN or an infinity
 * (engines that turn a NaN sum into -Infinity included) or when the sum overflows, so a false "maybe" only
 * costs the NaN composition it gates. This keeps NaN-patching passes off the common NaN-free path; the
 * numbers read are computed by tfjs, nothing is computed in JavaScript.
 */
export function mayHoldNaN(x: tf.Tensor, caps: EngineCaps): boolean {
  return tf.tidy(() => {
    if (caps.avgPoolNaN[2] === "other" || x.rank < 4) return !Number.isFinite(tf.sum(x).dataSync()[0]);
    const s = x.shape as number[];
    const plane = x.rank === 4 ? x : tf.reshape(x, [s[0], s.slice(1, -2).reduce((a, v) => a * v, 1), s[s.length - 2], s[s.length - 1]]);
    const [, h, w] = plane.shape as number[];
    const means = tf.avgPool(plane as tf.Tensor4D, [h, w], 1, "valid").dataSync();
    for (let i = 0; i < means.length; i++) if (!Number.isFinite(means[i])) return true;
    return false;
  });
}

/** `max(a, b)`, NaN if either is NaN. */
export function nanMaximum(a: tf.Tensor, b: tf.Tensor, caps: EngineCaps): tf.Tensor {
  const m = tf.maximum(a, b);
  if (caps.maximumNaN) return m;
  // a + b is NaN exactly when either operand is (or inf - inf, which is not selected here).
  return tf.where(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.add(a, b), m);
}

/** `min(a, b)`, NaN if either is NaN. */
export function nanMinimum(a: tf.Tensor, b: tf.Tensor, caps: EngineCaps): tf.Tensor {
  const m = tf.minimum(a, b);
  if (caps.minimumNaN) return m;
  return tf.where(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.add(a, b), m);
}

/** `x` where `f(x)` may have dropped a NaN: NaN inputs stay NaN. */
export function keepNaN(x: tf.Tensor, fx: tf.Tensor): tf.Tensor {
  return tf.where(tf.isNaN(x), x, fx);
}
