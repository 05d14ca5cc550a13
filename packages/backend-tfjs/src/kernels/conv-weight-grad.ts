/**
 * The weight gradient of a conv (the `convBackwardWeight` kernel autograd uses).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ConvGeometry } from "@convkit/core";
import { unfold } from "./im2col.js";

/** Sums `x` over axis 0 pairwise (halving until one slice is left): rounding error grows with log(n), not n. */
function pairwiseSum0(x: tf.Tensor): tf.Tensor {
  let t = x;
  while ((t.shape[0] as number) > 1) {
    const n = t.shape[0] as number;
    const half = Math.floor(n / 2);
    const pairs = tf.add(tf.slice(t, [0], [half]), tf.slice(t, [half], [half]));
    t = n % 2 === 0 ? pairs : tf.concat([pairs, tf.slice(t, [2 * half], [1])], 0);
  }
  return tf.squeeze(t, [0]);
}

/** Most partial products held at once by `chunkedMatMul` (16 MB of float32). */
const MAX_PARTIALS = 1 << 22;

/**
 * `a [M, L] x b [L, K]` with the length-L reduction cut into short chunks (8 terms, more when the partial
 * products would exceed MAX_PARTIALS) whose products are then summed pairwise.
 */
function chunkedMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [m, l] = a.shape as number[];
  const kk = b.shape[1] as number;
  const chunk = Math.max(8, Math.ceil((l * m * kk) / MAX_PARTIALS));
  const count = Math.ceil(l / chunk);
  if (count === 1) return tf.matMul(a, b);
  const extra = count * chunk - l;
  const ac = tf.transpose(tf.reshape(tf.pad(a, [[0, 0], [0, extra]]), [m, count, chunk]), [1, 0, 2]);
  const bc = tf.reshape(tf.pad(b, [[0, extra], [0, 0]]), [count, chunk, kk]);
  return pairwiseSum0(tf.matMul(ac, bc));
}

/**
 * The weight gradient of a conv from matrix products: the input's columns (im2col, rows (channel, kernel
 * offset), one column per batch item and output position) against the output gradient, per group. The
 * reduction over batch items and positions is long and cancels a lot; summed in one float32 run (tfjs-wasm's
 * GEMM) it drifts past PyTorch's tolerance, so it runs as short chunked products summed pairwise. `x` and `dy` are channels-first; the result is `[M, C / groups, ...kernel]`.
 */
export function convBackwardWeight(x: tf.Tensor, dy: tf.Tensor, g: ConvGeometry, kernel: readonly number[]): tf.Tensor {
  const [n, c, ...inShape] = x.shape as number[];
  const m = dy.shape[1] as number;
  const k = kernel.reduce((a, v) => a * v, 1);
  const p = g.outShape.reduce((a, v) => a * v, 1);
  if (n === 0 || p === 0) return tf.zeros([m, c / g.groups, ...kernel]);
  const cols = unfold(x, { kernel, stride: g.stride, dilation: g.dilation, padBegin: g.padBegin, image: inShape, blocks: g.outShape });
  // [N, C*K, P] -> [N*P, C*K] and [N, M, P] -> [M, N*P]
  const colsT = tf.reshape(tf.transpose(cols, [0, 2, 1]), [n * p, c * k]);
  const dyM = tf.reshape(tf.transpose(tf.reshape(dy, [n, m, p]), [1, 0, 2]), [m, n * p]);
  const cg = c / g.groups, mg = m / g.groups;
  const parts: tf.Tensor[] = [];
  for (let grp = 0; grp < g.groups; grp++) {
    const a = g.groups === 1 ? dyM : tf.slice(dyM, [grp * mg, 0], [mg, n * p]);
    const b = g.groups === 1 ? colsT : tf.slice(colsT, [0, grp * cg * k], [n * p, cg * k]);
    parts.push(chunkedMatMul(a, b));
  }
  const w = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  return tf.reshape(w, [m, cg, ...kernel]);
}
