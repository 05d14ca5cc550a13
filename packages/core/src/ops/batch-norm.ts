/**
 * Batch normalisation, like F.batch_norm, composed from element-wise and reduction kernels: per channel it
 * is the affine map `x * alpha + beta` with `alpha = weight / sqrt(var + eps)` and
 * `beta = bias - mean * alpha`, which is how PyTorch's CPU kernel computes it too.
 */
import { assertBool, assertTensor, optionsOf } from "../args.js";
import { tidy } from "../engine.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { add, div, mul, sub } from "./binary.js";
import { backendOf, noGrad } from "./kernel-call.js";
import { mean, sum } from "./reduce.js";
import { addScalar, mulScalar, neg, sqrt } from "./unary.js";

export interface BatchNormOptions {
  /** Per-channel scale `[C]` (gamma); none means 1. */
  weight?: Tensor | null;
  /** Per-channel shift `[C]` (beta); none means 0. */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics instead of the running ones (default false, as F.batch_norm). */
  training?: boolean;
  /** Weight of the batch statistics in the running-statistics update (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

export type BatchNormTrainOptions = Omit<BatchNormOptions, "training">;

interface Resolved {
  weight: Tensor | null;
  bias: Tensor | null;
  momentum: number;
  eps: number;
}

function checkChannelVector(op: string, name: string, t: unknown, channels: number, input: Tensor): Tensor {
  assertTensor(op, name, t);
  if (t.dtype !== "float32") throw new ArgumentError(`${op}: ${name} must be float32, got ${t.dtype} (shape ${fmt(t.shape)})`);
  if (t.shape.length !== 1 || t.shape[0] !== channels) {
    throw new ShapeError(`${op}: ${name} must have shape [${channels}] (the channel dim of input ${fmt(input.shape)}), got ${fmt(t.shape)}`);
  }
  return t;
}

function checkInput(op: string, input: Tensor): number {
  assertTensor(op, "input", input);
  if (input.dtype !== "float32") throw new ArgumentError(`${op}: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  if (input.shape.length < 2) throw new ShapeError(`${op}: input must have at least 2 dims (N, C, *), got shape ${fmt(input.shape)}`);
  return input.shape[1];
}

function resolveOptions(op: string, input: Tensor, o: BatchNormOptions): Resolved {
  const channels = input.shape[1];
  const weight = o.weight ?? null;
  const bias = o.bias ?? null;
  if (weight !== null) checkChannelVector(op, "weight", weight, channels, input);
  if (bias !== null) checkChannelVector(op, "bias", bias, channels, input);
  const momentum = o.momentum ?? 0.1;
  if (typeof momentum !== "number" || !Number.isFinite(momentum)) throw new ArgumentError(`${op}: momentum must be a finite number, got ${fmt(momentum)} (input shape ${fmt(input.shape)})`);
  const eps = o.eps ?? 1e-5;
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0) throw new ArgumentError(`${op}: eps must be a non-negative finite number, got ${fmt(eps)} (input shape ${fmt(input.shape)})`);
  return { weight, bias, momentum, eps };
}

/** Values per channel that batch statistics average over: N * prod(spatial). */
function valuesPerChannel(input: Tensor): number {
  return input.shape.reduce((n, d, i) => (i === 1 ? n : n * d), 1);
}

function checkBatchStatistics(op: string, input: Tensor): void {
  if (valuesPerChannel(input) === 1) {
    throw new ShapeError(`${op}: expected more than 1 value per channel when training, got input shape ${fmt(input.shape)}`);
  }
}

/** `v` `[C]` viewed as `[C, 1, ...]` so it broadcasts against `[N, C, ...spatial]`. */
function perChannel(v: Tensor, rank: number): Tensor {
  return v.reshape([v.shape[0], ...new Array<number>(rank - 2).fill(1)]);
}

/** `input * alpha + beta` per channel, with torch's alpha and beta for the given mean and variance. */
function normalize(input: Tensor, mu: Tensor, variance: Tensor, r: Resolved): Tensor {
  // eps is a float32 in torch's kernel (`var + static_cast<float>(eps)`).
  const invstd = div(1, sqrt(addScalar(variance, Math.fround(r.eps))));
  const alpha = r.weight ? mul(invstd, r.weight) : invstd;
  const shift = mul(mu, alpha);
  const beta = r.bias ? sub(r.bias, shift) : neg(shift);
  const rank = input.shape.length;
  return add(mul(input, perChannel(alpha, rank)), perChannel(beta, rank));
}

function batchAxes(input: Tensor): number[] {
  return input.shape.map((_, i) => i).filter((i) => i !== 1);
}

/** The batch's mean `[C]` and sum of squared deviations `[C]` (non-empty input). */
function batchMoments(input: Tensor): [Tensor, Tensor] {
  const axes = batchAxes(input);
  const mu = mean(input, axes);
  const centered = sub(input, perChannel(mu, input.shape.length));
  return [mu, sum(mul(centered, centered), axes)];
}

/**
 * Batch normalisation over the channel dim 1 of an `(N, C, *)` input, like F.batch_norm: `(N, C)` and
 * `(N, C, L)` for BatchNorm1d, `(N, C, H, W)` for 2d, `(N, C, D, H, W)` for 3d. In eval mode (the
 * default) it normalises with `runningMean` / `runningVar`; with `training: true` it uses the batch's
 * mean and biased variance, and `runningMean` / `runningVar` must be null.
 *
 * convkit tensors are immutable, so this function never updates running statistics. Where
 * F.batch_norm would update them in place (training with running statistics), call `batchNormTrain`,
 * which returns the updated statistics as new tensors; passing running statistics together with
 * `training: true` here is an error rather than a silently skipped update.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = "batchNorm";
  const channels = checkInput(op, input);
  const o = optionsOf(op, options, input.shape);
  const training = assertBool(op, "training", o.training ?? false, input.shape);
  const r = resolveOptions(op, input, o);
  if (training) {
    if (runningMean || runningVar) {
      throw new ArgumentError(
        `${op}: training with running statistics would update them in place, which convkit tensors never are; call batchNormTrain(input, runningMean, runningVar, options), which returns [output, newRunningMean, newRunningVar], or pass null for both (input shape ${fmt(input.shape)})`,
      );
    }
    checkBatchStatistics(op, input);
  } else {
    if (!runningMean || !runningVar) {
      throw new ArgumentError(`${op}: runningMean and runningVar are required in evaluation mode (training: false), got ${runningMean ? "a tensor" : fmt(runningMean)} and ${runningVar ? "a tensor" : fmt(runningVar)} (input shape ${fmt(input.shape)})`);
    }
    checkChannelVector(op, "runningMean", runningMean, channels, input);
    checkChannelVector(op, "runningVar", runningVar, channels, input);
  }
  const operands = [input, runningMean, runningVar, r.weight, r.bias].filter((t): t is Tensor => t !== null);
  backendOf(op, ...operands);
  if (input.size === 0) return input.reshape(input.shape);
  return tidy(() => {
    if (!training) return normalize(input, runningMean as Tensor, runningVar as Tensor, r);
    const [mu, squares] = batchMoments(input);
    return normalize(input, mu, div(squares, valuesPerChannel(input)), r);
  });
}

/**
 * One training step of batch normalisation with running statistics, like F.batch_norm with
 * `training=True`: the output is normalised with the batch's mean and biased variance, and the running
 * statistics are updated as PyTorch does, `new = (1 - momentum) * running + momentum * batch` with the
 * batch's unbiased variance for `runningVar`. Returns `[output, newRunningMean, newRunningVar]`, all new
 * tensors the caller owns; the inputs are unchanged (a layer swaps the new statistics in). For BatchNorm's
 * `momentum=None` (a cumulative average) pass `momentum: 1 / numBatchesTracked`, the factor torch uses.
 * An empty batch leaves the statistics as they were, as torch does.
 */
export function batchNormTrain(input: Tensor, runningMean: Tensor, runningVar: Tensor, options: BatchNormTrainOptions = {}): [Tensor, Tensor, Tensor] {
  const op = "batchNormTrain";
  const channels = checkInput(op, input);
  const o = optionsOf(op, options, input.shape);
  if ((o as BatchNormOptions).training !== undefined) throw new ArgumentError(`${op}: always trains; remove the training option (use batchNorm for evaluation), got training: ${fmt((o as BatchNormOptions).training)}`);
  const r = resolveOptions(op, input, o);
  checkChannelVector(op, "runningMean", runningMean, channels, input);
  checkChannelVector(op, "runningVar", runningVar, channels, input);
  checkBatchStatistics(op, input);
  backendOf(op, ...[input, runningMean, runningVar, r.weight, r.bias].filter((t): t is Tensor => t !== null));
  if (input.size === 0) return [input.reshape(input.shape), runningMean.reshape([channels]), runningVar.reshape([channels])];
  return tidy(() => {
    const n = valuesPerChannel(input);
    const [mu, squares] = batchMoments(input);
    const output = normalize(input, mu, div(squares, n), r);
    const m = r.momentum;
    // Running statistics are buffers, outside the autograd graph (torch updates them under no_grad).
    const [newMean, newVar] = noGrad(() => [add(mulScalar(mu, m), mulScalar(runningMean, 1 - m)), add(mulScalar(div(squares, n - 1), m), mulScalar(runningVar, 1 - m))]);
    return [output, newMean, newVar] as [Tensor, Tensor, Tensor];
  });
}
