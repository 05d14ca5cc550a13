/**
 * Numerical gradient checks: a second oracle for every differentiable op, independent of PyTorch and of
 * the backward formulas. For f(x) = Σ op(x) · u with a random upstream u, the gradient backward()
 * computes is compared with central differences (f(x + h eᵢ) - f(x - h eᵢ)) / 2h, where f runs the
 * op's forward kernels.
 *
 * convkit computes in float32 only (no float64 dtype), so the check is set up to be honest in float32:
 * inputs are multiples of 2^-5 (or 2^-8 for smooth ops) and h = 2^-7, so x ± h is exact; f is summed
 * in float64 from the float32 outputs, and outputs that do not depend on xᵢ are bit-identical in both
 * evaluations and cancel exactly. What remains is the rounding of the few outputs xᵢ reaches (about
 * 6e-8 relative each, divided by 2h) and, for smooth ops, the O(h²) truncation error: both far below
 * the tolerance |numeric - analytic| <= 2e-3 + 1e-2 |analytic|, while a wrong gradient (a missed or
 * misrouted contribution, a wrong divisor or kink side) is off by O(1). Max-type and piecewise-linear
 * ops get distinct inputs at (k + 1/2) / 16: no ties, and every value at least 1/32 > h from each other
 * and from the kinks at integers, so f is exactly linear on the stencil.
 */
import {
  type Tensor,
  abs,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  add,
  addScalar,
  amax,
  amin,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  avgPoolNd,
  backward,
  batchNorm,
  batchNormTrain,
  cat,
  channelShuffle,
  chunk,
  conv1d,
  conv2d,
  conv3d,
  convNd,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  convTransposeNd,
  div,
  dropout,
  exp,
  flatten,
  fold,
  Generator,
  gelu,
  globalAvgPool,
  globalMaxPool,
  hardsigmoid,
  hardswish,
  leakyRelu,
  linear,
  log,
  logSoftmax,
  lpPool1d,
  lpPool2d,
  lpPoolNd,
  matmul,
  max,
  maximum,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  maxPoolNd,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  mean,
  memory,
  min,
  minimum,
  mul,
  mulScalar,
  narrow,
  neg,
  noGrad,
  pad,
  permute,
  pixelShuffle,
  pixelUnshuffle,
  pow,
  relu,
  relu6,
  reshape,
  sigmoid,
  sign,
  slice,
  softmax,
  split,
  sqrt,
  squeeze,
  stack,
  sub,
  sum,
  tanh,
  tensor,
  tidy,
  transpose,
  unfold,
  unsqueeze,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";

const H = 2 ** -7;
const ATOL = 2e-3;
const RTOL = 1e-2;

interface Spec {
  readonly data: number[];
  readonly shape: number[];
  readonly dtype?: "float32" | "int32";
}

type Op = (...xs: Tensor[]) => Tensor | Tensor[];

const gen = new Generator(20261128);
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);
/** Smooth-op inputs: multiples of 2^-8 in [-lo, lo). */
const smooth = (shape: number[], lo = 2): Spec => ({
  shape,
  data: Array.from({ length: sizeOf(shape) }, () => Math.floor((gen.uniform() * 2 - 1) * lo * 256) / 256),
});
/** Distinct values (k + 1/2) / 16 in [-8, 8): no ties, none within 1/32 of an integer. */
function distinct(shape: number[]): Spec {
  const pool = Array.from({ length: 256 }, (_, k) => (k - 128 + 0.5) / 16);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(gen.uniform() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const n = sizeOf(shape);
  if (n > pool.length) throw new Error("distinct: too many elements");
  return { shape, data: pool.slice(0, n) };
}
/** Positive values in [0.5, 4.5), for log, sqrt, fractional powers and Lp norms. */
const positive = (shape: number[]): Spec => ({ shape, data: distinct(shape).data.map((v) => v / 2 + 4.5) });
const upstreamValues = (n: number): number[] => Array.from({ length: n }, () => Math.floor((gen.uniform() * 2 - 1) * 32) / 16);

const asList = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);

/** f = Σ op(inputs) · u in float64, from the forward kernels alone. */
function objective(fn: Op, specs: readonly Spec[], upstream: readonly (readonly number[])[]): number {
  return noGrad(() =>
    tidy(() => {
      const xs = specs.map((s) => tensor(s.data, s.shape, s.dtype ?? "float32"));
      let f = 0;
      asList(fn(...xs))
        .filter((o) => o.dtype === "float32")
        .forEach((o, k) => {
          const y = o.dataSync();
          for (let i = 0; i < y.length; i++) f += y[i] * upstream[k][i];
        });
      return f;
    }),
  );
}

function gradcheck(fn: Op, specs: readonly Spec[], wrt: readonly number[]): void {
  const before = memory();
  // Analytic gradients from backward().
  const xs = specs.map((s, i) => tensor(s.data, s.shape, s.dtype ?? "float32", { requiresGrad: wrt.includes(i) }));
  const outs = tidy(() => asList(fn(...xs)).filter((o) => o.dtype === "float32"));
  const upstream = outs.map((o) => upstreamValues(o.size));
  const ups = outs.map((o, k) => tensor(upstream[k], o.shape));
  backward(outs, ups);
  const analytic = wrt.map((i) => Array.from((xs[i].grad as Tensor).dataSync()));
  for (const t of [...xs, ...outs, ...ups]) t.dispose();
  expect(memory(), "tensors or bytes leaked by forward + backward").toEqual(before);
  // Central differences.
  const problems: string[] = [];
  wrt.forEach((input, w) => {
    const data = specs[input].data;
    for (let j = 0; j < data.length; j++) {
      const probe = (delta: number) =>
        objective(
          fn,
          specs.map((s, i) => (i === input ? { ...s, data: data.map((v, k) => (k === j ? v + delta : v)) } : s)),
          upstream,
        );
      const numeric = (probe(H) - probe(-H)) / (2 * H);
      const a = analytic[w][j];
      if (!(Math.abs(numeric - a) <= ATOL + RTOL * Math.abs(a))) problems.push(`input ${input} [${j}]: backward ${a}, central difference ${numeric}`);
    }
  });
  expect(problems.slice(0, 5), `${problems.length} gradient entries differ`).toEqual([]);
}

interface Check {
  readonly title: string;
  readonly inputs: () => Spec[];
  readonly fn: Op;
  /** Inputs to differentiate (default: every float32 one). */
  readonly wrt?: number[];
}

const f32 = (specs: Spec[]): number[] => specs.flatMap((s, i) => (s.dtype === "int32" ? [] : [i]));

/** max-pooling indices of a distinct input, as maxUnpool's second operand. */
function poolIndices(pool: (x: Tensor) => [Tensor, Tensor], shape: number[]): { values: Spec; indices: Spec } {
  return noGrad(() =>
    tidy(() => {
      const x = distinct(shape);
      const [v, i] = pool(tensor(x.data, x.shape));
      return { values: distinct([...v.shape]), indices: { data: Array.from(i.dataSync()), shape: [...i.shape], dtype: "int32" as const } };
    }),
  );
}

const checks: Check[] = [
  // Pooling
  {
    title: "maxPool1d(x, 3, { stride: 1, padding: 1 }) (overlapping windows)",
    inputs: () => [distinct([2, 2, 9])],
    fn: (x) => maxPool1d(x, 3, { stride: 1, padding: 1 }),
  },
  {
    title: "maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })",
    inputs: () => [distinct([1, 2, 7, 6])],
    fn: (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  },
  {
    title: "maxPool2d(x, 2, { stride: 1, dilation: 2 }) unbatched",
    inputs: () => [distinct([2, 6, 5])],
    fn: (x) => maxPool2d(x, 2, { stride: 1, dilation: 2 }),
  },
  { title: "maxPool3d(x, 2, { stride: 1, padding: 1 })", inputs: () => [distinct([1, 2, 3, 4, 3])], fn: (x) => maxPool3d(x, 2, { stride: 1, padding: 1 }) },
  {
    title: "maxPoolNd with asymmetric pads and dilation",
    inputs: () => [distinct([1, 2, 6, 7])],
    fn: (x) =>
      maxPoolNd(x, {
        kernelSize: [2, 3],
        stride: [1, 2],
        pads: [
          [1, 0],
          [0, 2],
        ],
        dilation: [2, 1],
      }),
  },
  {
    title: "avgPool1d(x, 4, { stride: 3, padding: 2, ceilMode: true, countIncludePad: false })",
    inputs: () => [smooth([2, 2, 10])],
    fn: (x) => avgPool1d(x, 4, { stride: 3, padding: 2, ceilMode: true, countIncludePad: false }),
  },
  {
    title: "avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })",
    inputs: () => [smooth([1, 2, 7, 6])],
    fn: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  },
  {
    title: "avgPool2d(x, 2, { stride: 1, divisorOverride: 3 })",
    inputs: () => [smooth([2, 1, 4, 5])],
    fn: (x) => avgPool2d(x, 2, { stride: 1, divisorOverride: 3 }),
  },
  {
    title: "avgPool3d(x, 3, { stride: 2, padding: 1, countIncludePad: false }) unbatched",
    inputs: () => [smooth([2, 4, 5, 4])],
    fn: (x) => avgPool3d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  },
  {
    title: "avgPoolNd with dilation and asymmetric pads",
    inputs: () => [smooth([1, 2, 7, 6])],
    fn: (x) =>
      avgPoolNd(x, {
        kernelSize: [3, 2],
        stride: [1, 2],
        pads: [
          [2, 0],
          [1, 1],
        ],
        dilation: [2, 1],
        countIncludePad: false,
      }),
  },
  { title: "adaptiveAvgPool1d(x, 4) (overlapping windows)", inputs: () => [smooth([2, 3, 7])], fn: (x) => adaptiveAvgPool1d(x, 4) },
  { title: "adaptiveAvgPool2d(x, [3, null])", inputs: () => [smooth([1, 2, 5, 4])], fn: (x) => adaptiveAvgPool2d(x, [3, null]) },
  { title: "adaptiveAvgPool3d(x, [2, 3, 2])", inputs: () => [smooth([1, 1, 3, 4, 5])], fn: (x) => adaptiveAvgPool3d(x, [2, 3, 2]) },
  { title: "adaptiveMaxPool1d(x, 5) (windows larger than the stride)", inputs: () => [distinct([2, 2, 7])], fn: (x) => adaptiveMaxPool1d(x, 5) },
  { title: "adaptiveMaxPool2d(x, [4, 3])", inputs: () => [distinct([1, 2, 5, 7])], fn: (x) => adaptiveMaxPool2d(x, [4, 3]) },
  { title: "adaptiveMaxPool3d(x, 2) unbatched", inputs: () => [distinct([2, 3, 3, 4])], fn: (x) => adaptiveMaxPool3d(x, 2) },
  { title: "globalAvgPool(x)", inputs: () => [smooth([2, 2, 3, 4])], fn: (x) => globalAvgPool(x) },
  { title: "globalMaxPool(x)", inputs: () => [distinct([2, 2, 3, 4])], fn: (x) => globalMaxPool(x) },
  { title: "lpPool1d(x, 2, 3, { stride: 2 })", inputs: () => [positive([2, 2, 9])], fn: (x) => lpPool1d(x, 2, 3, { stride: 2 }) },
  { title: "lpPool2d(x, 3, 2, { ceilMode: true })", inputs: () => [positive([1, 2, 5, 5])], fn: (x) => lpPool2d(x, 3, 2, { ceilMode: true }) },
  {
    title: "lpPoolNd(x, 1.5, { kernelSize: [2, 2], pads: 1 })",
    inputs: () => [positive([1, 1, 4, 5])],
    fn: (x) => lpPoolNd(x, 1.5, { kernelSize: [2, 2], stride: [1, 2], pads: 1 }),
  },
  // maxUnpool's gradient is PyTorch's gather from the indices. With overlapping pooling windows two
  // values can share an index and only the later one survives the scatter, so the true derivative of
  // the other is 0 while torch's (and convkit's) gradient gathers it anyway: checked without overlap.
  {
    title: "maxUnpool1d(v, indices, 3)",
    inputs: () => {
      const p = poolIndices((x) => maxPool1d(x, 3, { returnIndices: true }), [2, 2, 9]);
      return [p.values, p.indices];
    },
    fn: (v, i) => maxUnpool1d(v, i, 3),
  },
  {
    title: "maxUnpool2d(v, indices, 2)",
    inputs: () => {
      const p = poolIndices((x) => maxPool2d(x, 2, { returnIndices: true }), [1, 2, 6, 4]);
      return [p.values, p.indices];
    },
    fn: (v, i) => maxUnpool2d(v, i, 2),
  },
  {
    title: "maxUnpool3d(v, indices, 2) unbatched",
    inputs: () => {
      const p = poolIndices((x) => maxPool3d(x, 2, { returnIndices: true }), [2, 4, 4, 2]);
      return [p.values, p.indices];
    },
    fn: (v, i) => maxUnpool3d(v, i, 2),
  },
  // Element-wise and activations
  { title: "abs(x)", inputs: () => [distinct([3, 5])], fn: (x) => abs(x) },
  { title: "neg(x)", inputs: () => [smooth([3, 5])], fn: (x) => neg(x) },
  { title: "sign(x)", inputs: () => [distinct([3, 5])], fn: (x) => sign(x) },
  { title: "relu(x)", inputs: () => [distinct([3, 5])], fn: (x) => relu(x) },
  { title: "sqrt(x)", inputs: () => [positive([3, 5])], fn: (x) => sqrt(x) },
  { title: "exp(x)", inputs: () => [smooth([3, 5])], fn: (x) => exp(x) },
  { title: "log(x)", inputs: () => [positive([3, 5])], fn: (x) => log(x) },
  { title: "pow(x, 3)", inputs: () => [smooth([3, 5])], fn: (x) => pow(x, 3) },
  { title: "pow(x, -0.5)", inputs: () => [positive([3, 5])], fn: (x) => pow(x, -0.5) },
  { title: "pow(x, 1.7)", inputs: () => [positive([3, 5])], fn: (x) => pow(x, 1.7) },
  { title: "mulScalar(x, -1.5)", inputs: () => [smooth([3, 5])], fn: (x) => mulScalar(x, -1.5) },
  { title: "addScalar(x, 2)", inputs: () => [smooth([3, 5])], fn: (x) => addScalar(x, 2) },
  { title: "relu6(x)", inputs: () => [distinct([4, 16])], fn: (x) => relu6(x) },
  { title: "leakyRelu(x, 0.2)", inputs: () => [distinct([3, 5])], fn: (x) => leakyRelu(x, 0.2) },
  { title: "sigmoid(x)", inputs: () => [smooth([3, 5], 4)], fn: (x) => sigmoid(x) },
  { title: "tanh(x)", inputs: () => [smooth([3, 5])], fn: (x) => tanh(x) },
  { title: "hardswish(x)", inputs: () => [distinct([4, 16])], fn: (x) => hardswish(x) },
  { title: "hardsigmoid(x)", inputs: () => [distinct([4, 16])], fn: (x) => hardsigmoid(x) },
  { title: "gelu(x)", inputs: () => [smooth([3, 7], 4)], fn: (x) => gelu(x) },
  { title: 'gelu(x, { approximate: "tanh" })', inputs: () => [smooth([3, 7], 4)], fn: (x) => gelu(x, { approximate: "tanh" }) },
  { title: "softmax(x, 1)", inputs: () => [smooth([3, 5], 3)], fn: (x) => softmax(x, 1) },
  { title: "softmax(x, 0) on a non-last dim", inputs: () => [smooth([4, 3, 2], 3)], fn: (x) => softmax(x, 0) },
  { title: "logSoftmax(x, -1)", inputs: () => [smooth([3, 5], 3)], fn: (x) => logSoftmax(x, -1) },
  // Binary with broadcasting
  { title: "add(a, b) broadcasting [2, 1, 4] with [3, 1]", inputs: () => [smooth([2, 1, 4]), smooth([3, 1])], fn: (a, b) => add(a, b) },
  { title: "sub(a, b) broadcasting [3, 4] with [4]", inputs: () => [smooth([3, 4]), smooth([4])], fn: (a, b) => sub(a, b) },
  { title: "mul(a, b) broadcasting [2, 3, 1] with [1, 4]", inputs: () => [smooth([2, 3, 1]), smooth([1, 4])], fn: (a, b) => mul(a, b) },
  { title: "div(a, b) broadcasting [3, 4] with [3, 1]", inputs: () => [smooth([3, 4]), positive([3, 1])], fn: (a, b) => div(a, b) },
  { title: "div(2.5, x) with a number first", inputs: () => [positive([2, 3])], fn: (x) => div(2.5, x) },
  {
    title: "maximum(a, b) broadcasting [3, 4] with [4]",
    inputs: () => {
      const d = distinct([16]).data;
      return [
        { data: d.slice(0, 12), shape: [3, 4] },
        { data: d.slice(12), shape: [4] },
      ];
    },
    fn: (a, b) => maximum(a, b),
  },
  {
    title: "minimum(a, b) broadcasting [2, 3] with []",
    inputs: () => {
      const d = distinct([7]).data;
      return [
        { data: d.slice(0, 6), shape: [2, 3] },
        { data: d.slice(6), shape: [] },
      ];
    },
    fn: (a, b) => minimum(a, b),
  },
  // Reductions
  { title: "sum(x, [0, 2], { keepdim: true })", inputs: () => [smooth([2, 3, 4])], fn: (x) => sum(x, [0, 2], { keepdim: true }) },
  { title: "mean(x, 1)", inputs: () => [smooth([2, 3, 4])], fn: (x) => mean(x, 1) },
  { title: "mean(x) over everything", inputs: () => [smooth([2, 3, 4])], fn: (x) => mean(x) },
  { title: "amax(x, [1, 2])", inputs: () => [distinct([2, 3, 4])], fn: (x) => amax(x, [1, 2]) },
  { title: "amin(x, 0, { keepdim: true })", inputs: () => [distinct([2, 3, 4])], fn: (x) => amin(x, 0, { keepdim: true }) },
  { title: "max(x) over everything", inputs: () => [distinct([3, 4])], fn: (x) => max(x) },
  { title: "min(x, 1) values", inputs: () => [distinct([3, 4])], fn: (x) => min(x, 1) },
  // Shape ops
  { title: "cat([a, b, a], 1)", inputs: () => [smooth([2, 3]), smooth([2, 2])], fn: (a, b) => cat([a, b, a], 1) },
  { title: "stack([a, b], 1)", inputs: () => [smooth([2, 3]), smooth([2, 3])], fn: (a, b) => stack([a, b], 1) },
  { title: "split(x, [1, 3], 1)", inputs: () => [smooth([2, 4])], fn: (x) => split(x, [1, 3], 1) },
  { title: "chunk(x, 3, 0)", inputs: () => [smooth([5, 2])], fn: (x) => chunk(x, 3, 0) },
  { title: "narrow(x, 1, 1, 2)", inputs: () => [smooth([3, 4])], fn: (x) => narrow(x, 1, 1, 2) },
  { title: "slice(x, 1, -5, null, 2)", inputs: () => [smooth([2, 7])], fn: (x) => slice(x, 1, -5, null, 2) },
  { title: "permute(x, [2, 0, 1])", inputs: () => [smooth([2, 3, 4])], fn: (x) => permute(x, [2, 0, 1]) },
  { title: "transpose(x, 0, 1)", inputs: () => [smooth([2, 3])], fn: (x) => transpose(x, 0, 1) },
  {
    title: "reshape / flatten / squeeze / unsqueeze",
    inputs: () => [smooth([2, 1, 6])],
    fn: (x) => unsqueeze(flatten(squeeze(reshape(x, [2, 1, 3, 2]), 1), 1), 0),
  },
  // Linear algebra
  { title: "matmul(a, b) batched with broadcasting", inputs: () => [smooth([2, 1, 3, 4]), smooth([2, 4, 2])], fn: (a, b) => matmul(a, b) },
  { title: "matmul(v, m) with a 1-D first operand", inputs: () => [smooth([4]), smooth([4, 3])], fn: (a, b) => matmul(a, b) },
  { title: "linear(x, w, b) on a 3-D input", inputs: () => [smooth([2, 3, 4]), smooth([5, 4]), smooth([5])], fn: (x, w, b) => linear(x, w, b) },
  // Padding, shuffles, im2col
  { title: "pad(x, [1, 2, -1, 1]) constant with a crop", inputs: () => [smooth([1, 2, 4, 3])], fn: (x) => pad(x, [1, 2, -1, 1]) },
  { title: 'pad(x, [2, 1, 1, 2], "reflect")', inputs: () => [smooth([1, 2, 4, 3])], fn: (x) => pad(x, [2, 1, 1, 2], "reflect") },
  { title: 'pad(x, [2, 3], "replicate") unbatched', inputs: () => [smooth([2, 4])], fn: (x) => pad(x, [2, 3], "replicate") },
  { title: 'pad(x, [1, 1, 2, 0, 1, 2], "circular")', inputs: () => [smooth([1, 1, 3, 3, 3])], fn: (x) => pad(x, [1, 1, 2, 0, 1, 2], "circular") },
  { title: "pixelShuffle(x, 2)", inputs: () => [smooth([1, 8, 2, 3])], fn: (x) => pixelShuffle(x, 2) },
  { title: "pixelUnshuffle(x, 2)", inputs: () => [smooth([1, 2, 4, 2])], fn: (x) => pixelUnshuffle(x, 2) },
  { title: "channelShuffle(x, 2)", inputs: () => [smooth([2, 6, 3])], fn: (x) => channelShuffle(x, 2) },
  { title: "unfold(x, 3, { padding: 1, stride: 2 })", inputs: () => [smooth([1, 2, 5, 4])], fn: (x) => unfold(x, 3, { padding: 1, stride: 2 }) },
  {
    title: "fold(cols, [4, 5], 2, { dilation: [1, 2] }) (overlapping blocks)",
    inputs: () => [smooth([1, 8, 9])],
    fn: (x) => fold(x, [4, 5], 2, { dilation: [1, 2] }),
  },
  // Composites: gradients come from their parts (a seeded dropout draws the same mask every call).
  { title: "dropout(x, 0.4, { seed: 7 })", inputs: () => [smooth([4, 5])], fn: (x) => dropout(x, 0.4, { seed: 7 }) },
  {
    title: "batchNorm(x, null, null, { training: true, weight, bias }) (composed)",
    inputs: () => [smooth([3, 2, 4]), smooth([2]), smooth([2])],
    fn: (x, w, b) => batchNorm(x, null, null, { training: true, weight: w, bias: b }),
  },
  {
    title: "batchNorm(x, null, null, { training: true, weight, bias }) on a 2-d batch",
    inputs: () => [smooth([2, 3, 3, 3]), smooth([3]), smooth([3])],
    fn: (x, w, b) => batchNorm(x, null, null, { training: true, weight: w, bias: b }),
  },
  {
    title: "batchNorm(x, runningMean, runningVar, { weight, bias }) in eval mode",
    inputs: () => [smooth([3, 2, 4]), smooth([2]), positive([2]), smooth([2]), smooth([2])],
    fn: (x, m, v, w, b) => batchNorm(x, m, v, { weight: w, bias: b }),
    wrt: [0, 3, 4],
  },
  {
    title: "batchNormTrain(x, runningMean, runningVar, { weight, bias }) output",
    inputs: () => [smooth([4, 2, 3]), smooth([2]), positive([2]), smooth([2]), smooth([2])],
    fn: (x, m, v, w, b) => batchNormTrain(x, m, v, { weight: w, bias: b, momentum: 0.3 })[0],
    wrt: [0, 3, 4],
  },
  // Convolutions: input, weight and bias gradients
  {
    title: "conv2d(x, w, { bias, stride: 2, padding: 1, dilation: [1, 2] })",
    inputs: () => [smooth([2, 3, 6, 7]), smooth([4, 3, 3, 2]), smooth([4])],
    fn: (x, w, b) => conv2d(x, w, { bias: b, stride: 2, padding: 1, dilation: [1, 2] }),
  },
  {
    title: "conv2d(x, w, { stride: 3 }) with input rows no window reads",
    inputs: () => [smooth([1, 2, 8, 7]), smooth([2, 2, 2, 2])],
    fn: (x, w) => conv2d(x, w, { stride: 3 }),
  },
  {
    title: 'conv2d(x, w, { padding: "same" }) with an even kernel',
    inputs: () => [smooth([1, 2, 5, 6]), smooth([2, 2, 4, 2])],
    fn: (x, w) => conv2d(x, w, { padding: "same" }),
  },
  {
    title: 'conv1d(x, w, { bias, padding: 2, paddingMode: "reflect" })',
    inputs: () => [smooth([2, 2, 7]), smooth([3, 2, 3]), smooth([3])],
    fn: (x, w, b) => conv1d(x, w, { bias: b, padding: 2, paddingMode: "reflect" }),
  },
  {
    title: 'conv2d(x, w, { padding: 1, paddingMode: "circular", groups: 2 })',
    inputs: () => [smooth([1, 4, 4, 5]), smooth([4, 2, 3, 3])],
    fn: (x, w) => conv2d(x, w, { padding: 1, paddingMode: "circular", groups: 2 }),
  },
  {
    title: 'conv3d(x, w, { bias, padding: 1, paddingMode: "replicate" }) unbatched',
    inputs: () => [smooth([2, 3, 4, 3]), smooth([2, 2, 2, 2, 2]), smooth([2])],
    fn: (x, w, b) => conv3d(x, w, { bias: b, padding: 1, paddingMode: "replicate" }),
  },
  {
    title: "conv2d(x, w, { bias, groups: 3, stride: 2, padding: 1 }) depthwise with channel multiplier 2",
    inputs: () => [smooth([2, 3, 6, 5]), smooth([6, 1, 3, 3]), smooth([6])],
    fn: (x, w, b) => conv2d(x, w, { bias: b, groups: 3, stride: 2, padding: 1 }),
  },
  {
    title: "conv1d(x, w, { groups: 2, dilation: 2 }) depthwise",
    inputs: () => [smooth([1, 2, 9]), smooth([2, 1, 3])],
    fn: (x, w) => conv1d(x, w, { groups: 2, dilation: 2 }),
  },
  {
    title: "convNd(x, w, { bias, pads: [[0, 2], [1, 0]], stride: [2, 1] }) with asymmetric pads",
    inputs: () => [smooth([1, 2, 6, 5]), smooth([3, 2, 2, 3]), smooth([3])],
    fn: (x, w, b) =>
      convNd(x, w, {
        bias: b,
        pads: [
          [0, 2],
          [1, 0],
        ],
        stride: [2, 1],
      }),
  },
  {
    title: "convTranspose2d(x, w, { bias, stride: 2, padding: 1, outputPadding: 1, groups: 2 })",
    inputs: () => [smooth([2, 4, 3, 3]), smooth([4, 1, 3, 3]), smooth([2])],
    fn: (x, w, b) => convTranspose2d(x, w, { bias: b, stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
  },
  {
    title: "convTranspose1d(x, w, { dilation: 3, outputPadding: 2 }) (output padding below the dilation)",
    inputs: () => [smooth([1, 2, 5]), smooth([2, 3, 3])],
    fn: (x, w) => convTranspose1d(x, w, { dilation: 3, outputPadding: 2 }),
  },
  {
    title: "convTranspose3d(x, w, { bias, stride: 2, padding: 1 }) unbatched",
    inputs: () => [smooth([2, 2, 3, 2]), smooth([2, 2, 2, 2, 2]), smooth([2])],
    fn: (x, w, b) => convTranspose3d(x, w, { bias: b, stride: 2, padding: 1 }),
  },
  {
    title: "convTranspose2d(x, w, { stride: 4 }) with output positions no input reaches",
    inputs: () => [smooth([1, 2, 2, 3]), smooth([2, 3, 2, 2])],
    fn: (x, w) => convTranspose2d(x, w, { stride: 4 }),
  },
  {
    title: "convTransposeNd(x, w, { stride: 2, padBegin: [1, 0], padEnd: [-2, -1] }) with a negative padEnd",
    inputs: () => [smooth([1, 2, 3, 3]), smooth([2, 3, 3, 3])],
    fn: (x, w) => convTransposeNd(x, w, { stride: 2, padBegin: [1, 0], padEnd: [-2, -1] }),
  },
];

describe("backward matches central differences", () => {
  for (const c of checks) {
    it(`${c.title}: backward matches central differences`, () => {
      const specs = c.inputs();
      gradcheck(c.fn, specs, c.wrt ?? f32(specs));
    });
  }
});
