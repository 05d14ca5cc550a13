import { ArgumentError, ShapeError, type Tensor, batchNorm, batchNormTrain, ones, optionsOf, tensor, zeros } from "@convkit/core";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

export interface BatchNormLayerOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` and shift `bias` (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); false normalises with batch statistics always. */
  trackRunningStats?: boolean;
}

function optionNumber(op: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ArgumentError(`${op}: ${name} must be a non-negative finite number, got ${String(v)}`);
  return v;
}

function optionBool(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return true;
  if (typeof v !== "boolean") throw new ArgumentError(`${op}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}

/**
 * Shared state and behaviour of `BatchNorm1d/2d/3d` (PyTorch's `_BatchNorm`): buffers `running_mean`
 * (zeros), `running_var` (ones) and `num_batches_tracked` (a 0-d int32 where torch has int64), and, when
 * affine, parameters `weight` (ones) and `bias` (zeros). In training mode forward normalises with the
 * batch's statistics and, when tracking, updates the running ones in place (`Tensor.assign`) as torch
 * does: `running = (1 - momentum) * running + momentum * batch` with the unbiased batch variance, or a
 * cumulative average when momentum is null. In eval mode it normalises with the running statistics
 * (with the batch's when not tracking). Core's `batchNorm` / `batchNormTrain` do the arithmetic.
 */
export abstract class BatchNormNd extends Module<[Tensor], Tensor> {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** `[numFeatures]` scale, or null when not affine. */
  readonly weight: Tensor | null;
  /** `[numFeatures]` shift, or null when not affine. */
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** Training steps taken (0-d int32), or null when not tracking running statistics. */
  readonly numBatchesTracked: Tensor | null;

  /** The input ranks this layer accepts and how they read, for messages: `[[4], "(N, C, H, W)"]`. */
  protected abstract readonly inputRanks: readonly number[];
  protected abstract readonly inputLayout: string;

  constructor(numFeatures: number, options?: BatchNormLayerOptions) {
    super();
    const op = this.getName();
    if (typeof numFeatures !== "number" || !Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new ArgumentError(`${op}: numFeatures must be a positive integer (the channel count), got ${String(numFeatures)}`);
    }
    const o = optionsOf(op, options);
    this.numFeatures = numFeatures;
    this.eps = optionNumber(op, "eps", o.eps, 1e-5);
    this.momentum = o.momentum === null ? null : optionNumber(op, "momentum", o.momentum, 0.1);
    this.affine = optionBool(op, "affine", o.affine);
    this.trackRunningStats = optionBool(op, "trackRunningStats", o.trackRunningStats);
    this.weight = this.registerParameter("weight", this.affine ? ones([numFeatures]) : null);
    this.bias = this.registerParameter("bias", this.affine ? zeros([numFeatures]) : null);
    const track = this.trackRunningStats;
    this.runningMean = this.registerBuffer("running_mean", track ? zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer("running_var", track ? ones([numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer("num_batches_tracked", track ? tensor(0, [], "int32") : null);
  }

  #checkInput(input: Tensor): void {
    const op = this.getName();
    const shape = input?.shape;
    if (!Array.isArray(shape)) throw new ArgumentError(`${op}: input must be a Tensor, got ${String(input)}`);
    if (!this.inputRanks.includes(shape.length)) {
      throw new ShapeError(`${op}: expected a ${this.inputRanks.map((r) => `${r}-D`).join(" or ")} input ${this.inputLayout}, got shape [${shape.join(", ")}]`);
    }
    if (shape[1] !== this.numFeatures) {
      throw new ShapeError(`${op}: expected ${this.numFeatures} channels (dim 1) as configured, got input shape [${shape.join(", ")}]`);
    }
  }

  forward(input: Tensor): Tensor {
    this.#checkInput(input);
    const options = { weight: this.weight, bias: this.bias, eps: this.eps };
    const { runningMean, runningVar, numBatchesTracked } = this;
    if (!this.training || runningMean === null || runningVar === null || numBatchesTracked === null) {
      const useBatch = this.training || runningMean === null || runningVar === null;
      return useBatch ? batchNorm(input, null, null, { ...options, training: true }) : batchNorm(input, runningMean, runningVar, options);
    }
    const steps = numBatchesTracked.dataSync()[0] + 1;
    const momentum = this.momentum ?? 1 / steps;
    const [output, mean, variance] = batchNormTrain(input, runningMean, runningVar, { ...options, momentum });
    const count = tensor(steps, [], "int32");
    for (const [target, value] of [
      [runningMean, mean],
      [runningVar, variance],
      [numBatchesTracked, count],
    ] as const) {
      target.assign(value);
      value.dispose();
    }
    return output;
  }

  /** A checkpoint without `num_batches_tracked` loads with the counter at 0, as torch loads one. */
  protected stateDefault(name: string): Tensor | null {
    return name === "num_batches_tracked" && this.trackRunningStats ? tensor(0, [], "int32") : null;
  }

  extraRepr(): string {
    return `${this.numFeatures}, ${pyKwargs([
      ["eps", this.eps],
      ["momentum", this.momentum],
      ["affine", this.affine],
      ["track_running_stats", this.trackRunningStats],
    ])}`;
  }
}

/** Like `torch.nn.BatchNorm1d`: input `(N, C)` or `(N, C, L)`. */
export class BatchNorm1d extends BatchNormNd {
  protected readonly inputRanks = [2, 3];
  protected readonly inputLayout = "(N, C) or (N, C, L)";
}

/** Like `torch.nn.BatchNorm2d`: input `(N, C, H, W)`. */
export class BatchNorm2d extends BatchNormNd {
  protected readonly inputRanks = [4];
  protected readonly inputLayout = "(N, C, H, W)";
}

/** Like `torch.nn.BatchNorm3d`: input `(N, C, D, H, W)`. */
export class BatchNorm3d extends BatchNormNd {
  protected readonly inputRanks = [5];
  protected readonly inputLayout = "(N, C, D, H, W)";
}
