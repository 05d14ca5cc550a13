/**
 * What each engine's kernels do with NaN and where they are wrong, measured once per engine on tiny
 * tensors when the engine starts. PyTorch's rules are fixed (NaN propagates through max, average and
 * clamp-like activations); the engines differ (tfjs's max pooling skips NaN everywhere, XNNPACK's 2-D
 * average pooling in wasm turns NaN into -Infinity, wasm's maximum keeps its first operand when the second
 * is NaN, wasm's Conv3DBackpropInputV2 gives wrong sums), so each composition is applied only where needed.
 */
import * as tf from "@tensorflow/tfjs-core";

/** How an op treats a NaN among its inputs: propagates it, or turns the result into +/-Infinity, or other. */
export type NaNBehaviour = "propagates" | "-inf" | "+inf" | "other";

export interface EngineCaps {
  /** Max pooling (2-D, 3-D) returns NaN for a window holding a NaN, wherever it sits. */
  readonly maxPoolNaN: { readonly 2: boolean; readonly 3: boolean };
  /** tf.maxPool3d is right on windows of non-positive values (tfjs-wasm 4.22 returns FLT_MIN there). */
  readonly maxPool3d: boolean;
  readonly avgPoolNaN: { readonly 2: NaNBehaviour; readonly 3: NaNBehaviour };
  /** tf.maximum / tf.minimum return NaN when either operand is NaN. */
  readonly maximumNaN: boolean;
  readonly minimumNaN: boolean;
  /** tf.max / tf.min reductions return NaN when any element is NaN. */
  readonly reduceNaN: boolean;
  /** tf.relu, tf.relu6 and tf.clipByValue keep NaN (PyTorch's relu, relu6 and hardsigmoid do). */
  readonly reluNaN: boolean;
  readonly relu6NaN: boolean;
  readonly clipNaN: boolean;
  /**
   * Explicit (asymmetric) pads work in tf.maxPool (ignored, i.e. -Infinity), tf.conv2d and
   * tf.depthwiseConv2d (zeros). Where they do not (TensorFlow's own MaxPool takes only VALID/SAME), the
   * input is padded first.
   */
  readonly explicitPads: { readonly maxPool: boolean; readonly conv2d: boolean; readonly depthwise: boolean; readonly conv2dTranspose: boolean };
  /** tf.sign gives 1 for tiny positive values (tfjs-wasm 4.22 gives 0 below about 1e-6). */
  readonly sign: boolean;
  /** tf.conv3dTranspose gives correct sums (it does not on tfjs-wasm 4.22). */
  readonly conv3dTranspose: boolean;
}

const NAN_POSITIONS = [0, 1, 2, 3];

function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

function allNaN(t: tf.Tensor): boolean {
  return values(t).every((v) => Number.isNaN(v));
}

/** A 2x2 (or 2x2x2) window of ones with a NaN at position `at`, pooled to one value. */
function poolProbe(rank: 2 | 3, pool: (x: tf.Tensor) => tf.Tensor): tf.Tensor[] {
  const n = rank === 2 ? 4 : 8;
  return NAN_POSITIONS.map((at) => {
    const v = new Float32Array(n).fill(1);
    v[at * (n / 4)] = Number.NaN;
    return pool(tf.tensor(v, rank === 2 ? [1, 2, 2, 1] : [1, 2, 2, 2, 1]));
  });
}

function avgBehaviour(outs: tf.Tensor[]): NaNBehaviour {
  const v = outs.map((t) => values(t)[0]);
  if (v.every((x) => Number.isNaN(x))) return "propagates";
  if (v.every((x) => x === Number.NEGATIVE_INFINITY)) return "-inf";
  if (v.every((x) => x === Number.POSITIVE_INFINITY)) return "+inf";
  return "other";
}

function binaryNaN(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): boolean {
  const a = tf.tensor1d([Number.NaN, 1, Number.NaN, -Infinity, 3]);
  const b = tf.tensor1d([1, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  return allNaN(op(a, b));
}

function reduceNaN(): boolean {
  for (const at of [0, 3, 9, 17]) {
    const v = new Float32Array(18).map((_, i) => i);
    v[at] = Number.NaN;
    const x = tf.tensor(v, [18]);
    const x2 = tf.tensor(v, [9, 2]);
    if (!allNaN(tf.max(x)) || !allNaN(tf.min(x))) return false;
    const col = at % 2;
    if (!Number.isNaN(values(tf.max(x2, 0))[col]) || !Number.isNaN(values(tf.min(x2, 0))[col])) return false;
  }
  return true;
}

/** Ones through a 2x2x2 kernel of ones at stride 2: every output position gets exactly one tap. */
function conv3dTransposeCorrect(): boolean {
  try {
    const out = tf.conv3dTranspose(tf.ones([1, 2, 2, 2, 1]) as tf.Tensor5D, tf.ones([2, 2, 2, 1, 1]) as tf.Tensor5D, [1, 4, 4, 4, 1], 2, "valid");
    return values(out).every((v) => v === 1);
  } catch {
    return false;
  }
}

const PROBE_PADS: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 0],
  [0, 1],
  [0, 0],
];

/** `op` on a 2x3 plane of -1..-6 with pads (top 1, right 1) gives `want`, without throwing. */
function explicitPadsWork(op: (x: tf.Tensor4D) => tf.Tensor, want: number[]): boolean {
  try {
    return values(op(tf.tensor4d([-1, -2, -3, -4, -5, -6], [1, 2, 3, 1]))).join() === want.join();
  } catch {
    return false;
  }
}

/**
 * Ones through a 3x3 kernel of ones at stride 2 give per-position tap counts (outer product of
 * [1, 1, 2, 1, 1] with itself); explicit pads (top 1, right 1) crop that full 5x5 output to 4x4.
 */
function conv2dTransposePadsWork(): boolean {
  try {
    const y = tf.conv2dTranspose(tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, [1, 4, 4, 1], 2, PROBE_PADS);
    return values(y).join() === [1, 1, 2, 1, 2, 2, 4, 2, 1, 1, 2, 1, 1, 1, 2, 1].join();
  } catch {
    return false;
  }
}

/** Measures the active engine's behaviour; call with the engine active. Leaves no tensors behind. */
export function probeCaps(): EngineCaps {
  return tf.tidy(() => {
    const mp2 = poolProbe(2, (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"));
    const mp3 = poolProbe(3, (x) => tf.maxPool3d(x as tf.Tensor5D, 2, 2, "valid"));
    const ap2 = poolProbe(2, (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, "valid"));
    const ap3 = poolProbe(3, (x) => tf.avgPool3d(x as tf.Tensor5D, 2, 2, "valid"));
    return {
      maxPoolNaN: { 2: mp2.every(allNaN), 3: mp3.every(allNaN) },
      maxPool3d: values(tf.maxPool3d(tf.fill([1, 2, 2, 2, 1], -2) as tf.Tensor5D, 2, 2, "valid"))[0] === -2,
      avgPoolNaN: { 2: avgBehaviour(ap2), 3: avgBehaviour(ap3) },
      maximumNaN: binaryNaN(tf.maximum),
      minimumNaN: binaryNaN(tf.minimum),
      reduceNaN: reduceNaN(),
      reluNaN: allNaN(tf.relu(tf.tensor1d([Number.NaN]))),
      relu6NaN: allNaN(tf.relu6(tf.tensor1d([Number.NaN]))),
      clipNaN: allNaN(tf.clipByValue(tf.tensor1d([Number.NaN]), 0, 6)),
      explicitPads: {
        maxPool: explicitPadsWork((x) => tf.maxPool(x, 2, 1, PROBE_PADS), [-1, -2, -3, -1, -2, -3]),
        conv2d: explicitPadsWork((x) => tf.conv2d(x, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, PROBE_PADS), [-3, -5, -3, -12, -16, -9]),
        depthwise: explicitPadsWork((x) => tf.depthwiseConv2d(x, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, PROBE_PADS), [-3, -5, -3, -12, -16, -9]),
        conv2dTranspose: conv2dTransposePadsWork(),
      },
      sign: values(tf.sign(tf.tensor1d([1e-30, -1e-30]))).join() === "1,-1",
      conv3dTranspose: conv3dTransposeCorrect(),
    };
  });
}
