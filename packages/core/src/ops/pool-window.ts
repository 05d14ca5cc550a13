/**
 * Resolves sliding-window pooling arguments (kernel, stride, pads, dilation, ceil mode) to the explicit
 * geometry kernels receive, with the checks every pooling op shares.
 */
import { type SizeN, NON_NEGATIVE, POSITIVE, checkElementCount, expandInts } from "../args.js";
import type { PoolGeometry } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { effectiveKernel, poolOutputSize } from "../pool-output-size.js";

/** Explicit pads per spatial dim: a number (same on both sides) or `[begin, end]`. */
export type PadsN = number | readonly (number | readonly [number, number])[];

export interface WindowArgs {
  kernelSize: SizeN;
  stride?: SizeN | null;
  /** Per-dim pads; asymmetric `[begin, end]` pairs are allowed (ONNX style). */
  pads?: PadsN;
  dilation?: SizeN;
  ceilMode?: boolean;
}

export function resolvePads(op: string, name: string, pads: PadsN, rank: number, shape: readonly number[]): { begin: number[]; end: number[] } {
  const at = ` (input shape ${fmt(shape)})`;
  if (typeof pads === "number") {
    const p = expandInts(op, name, pads, rank, NON_NEGATIVE, shape);
    return { begin: p, end: [...p] };
  }
  if (!Array.isArray(pads) || pads.length !== rank) {
    throw new ArgumentError(`${op}: ${name} must be an integer or ${rank} entries (integers or [begin, end] pairs), got ${fmt(pads)}${at}`);
  }
  const begin: number[] = [];
  const end: number[] = [];
  for (const p of pads) {
    const pair = typeof p === "number" ? [p, p] : p;
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new ArgumentError(`${op}: ${name} must hold non-negative integers or [begin, end] pairs of them, got ${fmt(pads)}${at}`);
    }
    begin.push(pair[0]);
    end.push(pair[1]);
  }
  return { begin, end };
}

/**
 * Geometry for a batched input of shape `[N, C, ...spatial]`. Pads must be smaller than the effective
 * kernel (otherwise whole windows would lie in padding); the output must be at least 1 in every dim.
 * `shape` is the input shape as the caller gave it (unbatched or not), for error messages.
 */
export function resolveWindow(op: string, batchedShape: readonly number[], args: WindowArgs, shape: readonly number[] = batchedShape): PoolGeometry {
  const spatial = batchedShape.slice(2);
  const rank = spatial.length;
  const kernel = expandInts(op, "kernelSize", args.kernelSize, rank, POSITIVE, shape);
  const stride = args.stride === undefined || args.stride === null ? [...kernel] : expandInts(op, "stride", args.stride, rank, POSITIVE, shape);
  const dilation = expandInts(op, "dilation", args.dilation ?? 1, rank, POSITIVE, shape);
  // Only the N-d ops reach these pad checks with a bad value (the torch-style ones check `padding` first).
  const { begin, end } = resolvePads(op, "pads", args.pads ?? 0, rank, shape);
  const ceilMode = args.ceilMode ?? false;
  if (typeof ceilMode !== "boolean") throw new ArgumentError(`${op}: ceilMode must be a boolean, got ${fmt(ceilMode)} (input shape ${fmt(shape)})`);
  for (let i = 0; i < rank; i++) {
    const dk = effectiveKernel(kernel[i], dilation[i]);
    if (begin[i] >= dk || end[i] >= dk) {
      throw new ArgumentError(
        `${op}: pads ${fmt(begin.map((b, j) => (b === end[j] ? b : [b, end[j]])))} must be smaller than the effective kernel size ${fmt(kernel.map((k, j) => effectiveKernel(k, dilation[j])))} (kernelSize ${fmt(kernel)}, dilation ${fmt(dilation)}); input shape ${fmt(shape)}`,
      );
    }
  }
  const outShape = spatial.map((n, i) => poolOutputSize(n, kernel[i], stride[i], begin[i], end[i], dilation[i], ceilMode));
  if (outShape.some((o) => o < 1)) {
    throw new ShapeError(
      `${op}: output size ${fmt(outShape)} is too small: kernelSize ${fmt(kernel)} (dilation ${fmt(dilation)}) is larger than the padded input ${fmt(spatial.map((n, i) => n + begin[i] + end[i]))}; input shape ${fmt(shape)}, stride ${fmt(stride)}, padding ${fmt(begin.map((b, j) => (b === end[j] ? b : [b, end[j]])))}`,
    );
  }
  checkElementCount(op, "output", [...batchedShape.slice(0, 2), ...outShape], `; input shape ${fmt(shape)}`);
  return { kernel, stride, dilation, padBegin: begin, padEnd: end, outShape };
}

/** Spatial rank of an N-d pooling op (`maxPoolNd` etc.): the length of its kernelSize array, 1 to 3. */
export function ndRank(op: string, input: unknown, options: { kernelSize?: unknown } | null | undefined): number {
  const kernelSize = options?.kernelSize;
  const rank = Array.isArray(kernelSize) ? kernelSize.length : 0;
  if (rank < 1 || rank > 3) {
    const shape = (input as { shape?: unknown } | null | undefined)?.shape;
    const at = Array.isArray(shape) ? ` (input shape ${fmt(shape)})` : "";
    throw new ArgumentError(`${op}: kernelSize must be an array of 1 to 3 positive integers, one per spatial dim, got ${fmt(kernelSize)}${at}`);
  }
  return rank;
}

/**
 * PyTorch's pooling rule: symmetric padding is at most half the kernel size. PyTorch checks the plain
 * kernel size even when the window is dilated (`pad should be at most half of kernel size`), so
 * dilation does not enter the rule. Returns the expanded padding.
 */
export function checkHalfKernelPadding(op: string, shape: readonly number[], kernel: SizeN, padding: SizeN, rank: number): number[] {
  const k = expandInts(op, "kernelSize", kernel, rank, POSITIVE, shape);
  const p = expandInts(op, "padding", padding, rank, NON_NEGATIVE, shape);
  for (let i = 0; i < rank; i++) {
    if (p[i] > Math.floor(k[i] / 2)) {
      throw new ArgumentError(`${op}: padding ${fmt(padding)} must be at most half of kernelSize ${fmt(k)}; input shape ${fmt(shape)}`);
    }
  }
  return p;
}
