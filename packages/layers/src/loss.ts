/**
 * Loss functions with torch.nn.functional's semantics, composed from core ops so autograd differentiates
 * them: `crossEntropy` (log-softmax then negative log-likelihood, as torch computes it), `nllLoss` and
 * `mseLoss`.
 */
import { ArgumentError, ShapeError, type Tensor, add, div, gather, logSoftmax, mul, neg, noGrad, sub, sum, tensor, unsqueeze } from "@convkit/core";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  /** "mean" (default): the average over the elements (for class targets, over the targets not ignored); "sum"; or "none": per element. */
  reduction?: Reduction;
}

export interface NllLossOptions extends LossOptions {
  /** A target equal to this contributes nothing and is left out of the mean (default -100, as torch). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: `(1 - labelSmoothing) * target + labelSmoothing / C` (default 0). */
  labelSmoothing?: number;
}

const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;

function reductionOf(op: string, options: LossOptions): Reduction {
  if (options === null || typeof options !== "object") throw new ArgumentError(`${op}: options must be an object such as { reduction: "sum" }, got ${String(options)}`);
  const r = options.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new ArgumentError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`);
  return r;
}

function checkFloatTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (t === null || typeof t !== "object" || !("shape" in t) || !("dtype" in t)) throw new ArgumentError(`${op}: ${name} must be a Tensor, got ${String(t)}`);
  if ((t as Tensor).dtype !== "float32") throw new ArgumentError(`${op}: ${name} must be float32, got ${(t as Tensor).dtype} (shape ${shapeText((t as Tensor).shape)})`);
}

/** Disposes every tensor in `ts` except `keep`. */
function disposeAll(ts: readonly (Tensor | null)[], keep: Tensor): void {
  for (const t of ts) if (t !== null && t !== keep) t.dispose();
}

/** The class dim of a `(C)`, `(N, C)` or `(N, C, d1, ...)` input: 0 for the unbatched `(C)`, else 1. */
const classDimOf = (input: Tensor): number => (input.shape.length === 1 ? 0 : 1);

/** The target shape that goes with `input`: input's shape without the class dim. */
function targetShapeFor(input: Tensor): number[] {
  const c = classDimOf(input);
  return input.shape.filter((_, i) => i !== c);
}

interface ClassTargets {
  /** target as int32 indices with the class dim added (ignored entries replaced by class 0). */
  index: Tensor;
  /** 1 where the target counts, 0 where it is ignoreIndex; null when none is ignored. */
  mask: Tensor | null;
  /** How many targets count. */
  count: number;
}

/** Validates class-index targets against `classes` and prepares what gather needs. */
function classTargets(op: string, input: Tensor, target: Tensor, ignoreIndex: number): ClassTargets {
  const expected = targetShapeFor(input);
  if (target.shape.length !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${op}: target (class indices) must have shape ${shapeText(expected)} for input shape ${shapeText(input.shape)} (the input's shape without the class dim), got ${shapeText(target.shape)}`);
  }
  const classes = input.shape[classDimOf(input)];
  const values = target.dataSync();
  let ignored = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) ignored++;
    else if (v < 0 || v >= classes) {
      throw new ArgumentError(`${op}: target ${v} at flat position ${i} is out of bounds for ${classes} classes (valid: 0 to ${classes - 1}, or ignoreIndex ${ignoreIndex}); input shape ${shapeText(input.shape)}`);
    }
  }
  const dim = classDimOf(input);
  if (ignored === 0) return { index: noGrad(() => unsqueeze(target, dim)), mask: null, count: values.length };
  const safe = new Int32Array(values.length);
  const keep = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const counts = values[i] !== ignoreIndex;
    safe[i] = counts ? values[i] : 0;
    keep[i] = counts ? 1 : 0;
  }
  const withDim = [...target.shape.slice(0, dim), 1, ...target.shape.slice(dim)];
  return { index: tensor(safe, withDim, "int32"), mask: tensor(keep, target.shape), count: values.length - ignored };
}

/** `perElement` reduced: as is, summed, or summed and divided by `count`. Disposes `perElement` unless returned. */
function reduce(perElement: Tensor, reduction: Reduction, count: number): Tensor {
  if (reduction === "none") return perElement;
  const total = sum(perElement);
  perElement.dispose();
  if (reduction === "sum") return total;
  const mean = div(total, count);
  total.dispose();
  return mean;
}

/** The negative log-likelihood per target (0 where ignored): `-logProbs[n, target[n], ...]`. */
function pickNegated(logProbs: Tensor, t: ClassTargets): Tensor {
  const dim = classDimOf(logProbs);
  const picked = gather(logProbs, dim, t.index);
  const flat = picked.reshape(targetShapeFor(logProbs));
  const nll = neg(flat);
  const masked = t.mask ? mul(nll, t.mask) : nll;
  disposeAll([picked, flat, nll], masked);
  return masked;
}

function checkInput(op: string, input: Tensor): void {
  checkFloatTensor(op, "input", input);
  if (input.shape.length === 0) throw new ShapeError(`${op}: input must have a class dim: (C), (N, C) or (N, C, d1, ...), got a 0-d tensor`);
}

function ignoreIndexOf(op: string, options: NllLossOptions): number {
  const v = options.ignoreIndex ?? -100;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new ArgumentError(`${op}: ignoreIndex must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Like `F.nll_loss(input, target)`: `input` holds log-probabilities `(C)`, `(N, C)` or `(N, C, d1, ...)`,
 * `target` int32 class indices of the input's shape without the class dim. The loss per target is
 * `-input[n, target[n]]`; "mean" divides the sum by the number of targets not equal to `ignoreIndex`.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  checkInput("nllLoss", input);
  const reduction = reductionOf("nllLoss", options);
  if (target === null || typeof target !== "object" || (target as Tensor).dtype !== "int32") {
    throw new ArgumentError(`nllLoss: target must be an int32 tensor of class indices, got ${target === null || typeof target !== "object" ? String(target) : `${target.dtype} of shape ${shapeText(target.shape)}`}`);
  }
  const t = classTargets("nllLoss", input, target, ignoreIndexOf("nllLoss", options));
  try {
    return reduce(pickNegated(input, t), reduction, t.count);
  } finally {
    t.index.dispose();
    t.mask?.dispose();
  }
}

/**
 * Like `F.cross_entropy(input, target)`: log-softmax over the class dim (dim 1, or 0 for an unbatched
 * `(C)` input), then the negative log-likelihood. `target` is either int32 class indices (the input's
 * shape without the class dim; `ignoreIndex` entries are skipped) or float32 class probabilities of the
 * input's shape. With `labelSmoothing` ε the loss is torch's `(1 - ε) * nll + ε / C * smooth`, where
 * `smooth` is the negated sum of the log-probabilities over the classes (reduced the same way).
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkInput("crossEntropy", input);
  const reduction = reductionOf("crossEntropy", options);
  const eps = options.labelSmoothing ?? 0;
  if (typeof eps !== "number" || !(eps >= 0 && eps <= 1)) throw new ArgumentError(`crossEntropy: labelSmoothing must be a number in [0, 1], got ${JSON.stringify(eps)}`);
  if (target === null || typeof target !== "object" || !("dtype" in target)) throw new ArgumentError(`crossEntropy: target must be a Tensor, got ${String(target)}`);
  const dim = classDimOf(input);
  const classes = input.shape[dim];
  if (target.dtype === "float32") return probabilityCrossEntropy(input, target, reduction, eps, dim, classes);
  const t = classTargets("crossEntropy", input, target, ignoreIndexOf("crossEntropy", options));
  const logProbs = logSoftmax(input, dim);
  try {
    const nll = reduce(pickNegated(logProbs, t), reduction, t.count);
    if (eps === 0) return nll;
    const summed = sum(logProbs, dim);
    const negated = neg(summed);
    const smoothPer = t.mask ? mul(negated, t.mask) : negated;
    disposeAll([summed, negated], smoothPer);
    const smooth = reduce(smoothPer, reduction, t.count);
    const a = mul(nll, 1 - eps);
    const b = mul(smooth, eps / classes);
    const out = add(a, b);
    disposeAll([nll, smooth, a, b], out);
    return out;
  } finally {
    logProbs.dispose();
    t.index.dispose();
    t.mask?.dispose();
  }
}

/** torch's cross entropy with class-probability targets: `-(logSoftmax(input) * target).sum(classDim)`, mean over the other elements. */
function probabilityCrossEntropy(input: Tensor, target: Tensor, reduction: Reduction, eps: number, dim: number, classes: number): Tensor {
  if (target.shape.length !== input.shape.length || target.shape.some((d, i) => d !== input.shape[i])) {
    throw new ShapeError(
      `crossEntropy: float32 target (class probabilities) must have the input's shape ${shapeText(input.shape)}, got ${shapeText(target.shape)}; pass int32 class indices of shape ${shapeText(targetShapeFor(input))} instead`,
    );
  }
  const logProbs = logSoftmax(input, dim);
  const scaled = eps > 0 ? mul(target, 1 - eps) : target;
  const smoothed = eps > 0 ? add(scaled, eps / classes) : target;
  const product = mul(logProbs, smoothed);
  try {
    if (reduction === "none") {
      const s = sum(product, dim);
      const out = neg(s);
      s.dispose();
      return out;
    }
    const total = sum(product);
    const negated = neg(total);
    total.dispose();
    if (reduction === "sum") return negated;
    const out = div(negated, input.size / classes);
    negated.dispose();
    return out;
  } finally {
    disposeAll([logProbs, scaled, smoothed, product], target);
  }
}

/**
 * Like `F.mse_loss(input, target)`: `(input - target)^2` per element, averaged ("mean", the default),
 * summed or kept ("none"). Both are float32 of the same shape (torch would broadcast with a warning;
 * convkit rejects the mismatch, which is nearly always a bug).
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkFloatTensor("mseLoss", "input", input);
  checkFloatTensor("mseLoss", "target", target);
  const reduction = reductionOf("mseLoss", options);
  if (target.shape.length !== input.shape.length || target.shape.some((d, i) => d !== input.shape[i])) {
    throw new ShapeError(`mseLoss: target shape ${shapeText(target.shape)} must equal input shape ${shapeText(input.shape)}`);
  }
  const diff = sub(input, target);
  const squared = mul(diff, diff);
  diff.dispose();
  return reduce(squared, reduction, input.size);
}
