import { type Size1, type Size2, type SizeN, POSITIVE, assertTensor, batchInput, expandInts, optionsOf, releaseBatched } from "../args.js";
import { tidy } from "../engine.js";
import { ArgumentError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { avgPool1d, avgPool2d, avgPoolNd } from "./avg-pool.js";
import { type WindowArgs, ndRank, resolveWindow } from "./pool-window.js";
import { abs, mulScalar, pow } from "./unary.js";

export interface LpPoolOptions<S extends SizeN = SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  ceilMode?: boolean;
}

/** Validates under the LpPool op's own name before the composition runs (so errors name lpPool, not avgPool). */
function precheck(op: string, input: Tensor, rank: number, window: WindowArgs): void {
  const b = batchInput(op, input, rank);
  try {
    resolveWindow(op, b.x.shape, window, input.shape);
  } finally {
    releaseBatched(b);
  }
}

function checkNorm(op: string, p: unknown, shape: readonly number[]): number {
  if (typeof p !== "number" || !Number.isFinite(p) || p <= 0) {
    throw new ArgumentError(`${op}: normType must be a positive finite number, got ${fmt(p)} (input shape ${fmt(shape)})`);
  }
  return p;
}

/**
 * Like `F.lp_pool1d`, computed the way PyTorch does: `(avgPool(x ** p) * k) ** (1 / p)`. So it is
 * `(sum x^p)^(1/p)` over full windows; for odd p a negative sum gives NaN (no absolute value), and a
 * ceil-mode window that runs past the input is scaled by k / (taps inside), as in PyTorch.
 */
export function lpPool1d(input: Tensor, normType: number, kernelSize: Size1, opts?: LpPoolOptions<Size1>): Tensor {
  assertTensor("lpPool1d", "input", input);
  const options = optionsOf("lpPool1d", opts, input.shape);
  const p = checkNorm("lpPool1d", normType, input.shape);
  precheck("lpPool1d", input, 1, { kernelSize, stride: options.stride, ceilMode: options.ceilMode });
  const [k] = expandInts("lpPool1d", "kernelSize", kernelSize, 1, POSITIVE, input.shape);
  return tidy(() => pow(mulScalar(avgPool1d(pow(input, p), kernelSize, { stride: options.stride, ceilMode: options.ceilMode }), k), 1 / p));
}

/** Like `F.lp_pool2d`; see `lpPool1d` for PyTorch's exact formula. */
export function lpPool2d(input: Tensor, normType: number, kernelSize: Size2, opts?: LpPoolOptions<Size2>): Tensor {
  assertTensor("lpPool2d", "input", input);
  const options = optionsOf("lpPool2d", opts, input.shape);
  const p = checkNorm("lpPool2d", normType, input.shape);
  precheck("lpPool2d", input, 2, { kernelSize, stride: options.stride, ceilMode: options.ceilMode });
  const [kh, kw] = expandInts("lpPool2d", "kernelSize", kernelSize, 2, POSITIVE, input.shape);
  return tidy(() => pow(mulScalar(avgPool2d(pow(input, p), kernelSize, { stride: options.stride, ceilMode: options.ceilMode }), kw * kh), 1 / p));
}

export interface LpPoolNdOptions extends WindowArgs {
  kernelSize: readonly number[];
}

/**
 * ONNX LpPool: `(sum over the window's taps of |x|^p)^(1/p)`, with explicit pads (contributing 0),
 * dilation and ceil mode. The spatial rank is `kernelSize.length`.
 */
export function lpPoolNd(input: Tensor, normType: number, options: LpPoolNdOptions): Tensor {
  assertTensor("lpPoolNd", "input", input);
  const p = checkNorm("lpPoolNd", normType, input.shape);
  const rank = ndRank("lpPoolNd", input, options);
  precheck("lpPoolNd", input, rank, options);
  return tidy(() => pow(avgPoolNd(pow(abs(input), p), { ...options, divisorOverride: 1 }), 1 / p));
}
