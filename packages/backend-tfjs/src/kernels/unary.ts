/**
 * Element-wise functions with PyTorch's float32 results: integer and half powers the way PyTorch computes
 * them (by multiplication, sqrt, reciprocal), and NaN kept where an engine's clamp-like kernel drops it.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { UnaryOp } from "@convkit/core";
import type { EngineCaps } from "../caps.js";
import { keepNaN } from "./nan.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function pow(x: tf.Tensor, e: number): tf.Tensor {
  switch (e) {
    case 1:
      return tf.clone(x);
    case 2:
      return tf.mul(x, x);
    case 3:
      return tf.mul(tf.mul(x, x), x);
    case 0.5:
      return tf.sqrt(x);
    case -0.5:
      return tf.reciprocal(tf.sqrt(x));
    case -1:
      return tf.reciprocal(x);
    case -2:
      return tf.reciprocal(tf.mul(x, x));
    default:
      return tf.pow(x, tf.scalar(e));
  }
}

/** min(max(x, lo), hi) that keeps NaN. */
function clip(x: tf.Tensor, lo: number, hi: number, caps: EngineCaps): tf.Tensor {
  const c = tf.clipByValue(x, lo, hi);
  return caps.clipNaN ? c : keepNaN(x, c);
}

export function unary(x: tf.Tensor, op: UnaryOp, alpha: number, caps: EngineCaps): tf.Tensor {
  switch (op) {
    case "abs":
      return tf.abs(x);
    case "neg":
      return tf.neg(x);
    case "sign":
      // (0 < x) - (x < 0), as PyTorch computes it: 0 for NaN and for -0.
      return caps.sign ? tf.sign(x) : tf.sub(tf.cast(tf.greater(x, 0), "float32"), tf.cast(tf.less(x, 0), "float32"));
    case "relu":
      return caps.reluNaN ? tf.relu(x) : keepNaN(x, tf.relu(x));
    case "sqrt":
      return tf.sqrt(x);
    case "exp":
      return tf.exp(x);
    case "log":
      return tf.log(x);
    case "pow":
      return pow(x, alpha);
    case "mulScalar":
      return tf.mul(x, tf.scalar(alpha));
    case "addScalar":
      return tf.add(x, tf.scalar(alpha));
    case "relu6":
      return caps.relu6NaN ? tf.relu6(x) : keepNaN(x, tf.relu6(x));
    case "leakyRelu":
      return tf.where(tf.greater(x, 0), x, tf.mul(x, tf.scalar(alpha)));
    case "sigmoid":
      return tf.sigmoid(x);
    case "tanh":
      return tf.tanh(x);
    case "hardswish":
      // x * relu6(x + 3) / 6: -inf * 0 is NaN, as in PyTorch.
      return tf.div(tf.mul(x, clip(tf.add(x, tf.scalar(3)), 0, 6, caps)), tf.scalar(6));
    case "hardsigmoid":
      return tf.div(clip(tf.add(x, tf.scalar(3)), 0, 6, caps), tf.scalar(6));
    case "erf":
      return tf.erf(x);
    case "gelu":
      return tf.mul(tf.mul(x, tf.scalar(0.5)), tf.add(tf.scalar(1), tf.erf(tf.mul(x, tf.scalar(Math.SQRT1_2)))));
    case "geluTanh": {
      const inner = tf.mul(tf.scalar(SQRT_2_OVER_PI), tf.add(x, tf.mul(tf.scalar(0.044715), pow(x, 3))));
      return tf.mul(tf.mul(x, tf.scalar(0.5)), tf.add(tf.scalar(1), tf.tanh(inner)));
    }
  }
}
