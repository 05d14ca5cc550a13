/**
 * Deterministic workload data (every process regenerates identical inputs from the workload id) and the
 * layout conversions that channels-last engines (TensorFlow.js) need.
 */
import { type Workload, elementCount } from "./workloads.js";

/** mulberry32: tiny, fast, good enough for benchmark data; seeded so child processes agree. */
function seededUniform(seed: number, count: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * scale;
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface WorkloadData {
  /** Channels-first input, uniform in [-1, 1). */
  readonly input: Float32Array;
  /** PyTorch-layout weight, uniform in ±1/sqrt(fan-in) (PyTorch's default init range), when the op has one. */
  readonly weight?: Float32Array;
}

export function workloadData(w: Workload): WorkloadData {
  const input = seededUniform(hash(`${w.id}:input`), elementCount(w.inputShape), 1);
  if (!w.weightShape) return { input };
  const fanIn = elementCount(w.weightShape.slice(1));
  const weight = seededUniform(hash(`${w.id}:weight`), elementCount(w.weightShape), 1 / Math.sqrt(fanIn));
  return { input, weight };
}

/**
 * Generic axis permutation of a dense row-major array: `out` has shape `perm.map(i => shape[i])`.
 * Only used outside timed regions.
 */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  if (perm.length !== rank || data.length !== elementCount(shape)) throw new RangeError(`permute: shape [${shape}] / perm [${perm}] / ${data.length} values disagree`);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d];
  }
  const outShape = perm.map((p) => shape[p]);
  const strideOfOutAxis = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      src += strideOfOutAxis[d];
      if (index[d] < outShape[d]) break;
      src -= strideOfOutAxis[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** `(N, C, ...spatial)` -> `(N, ...spatial, C)`. */
export function toChannelsLast(data: Float32Array, shape: readonly number[]): Float32Array {
  const rank = shape.length;
  return permute(data, shape, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]);
}

/** `(N, ...spatial, C)` -> `(N, C, ...spatial)`; `shape` is the channels-last shape. */
export function toChannelsFirst(data: Float32Array, shape: readonly number[]): Float32Array {
  const rank = shape.length;
  return permute(data, shape, [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)]);
}

/** Moves the two leading axes of a PyTorch weight `(A, B, ...k)` behind the kernel axes: `(...k, B, A)`. */
export function kernelAxesFirst(data: Float32Array, shape: readonly number[]): Float32Array {
  const rank = shape.length;
  return permute(data, shape, [...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1, 0]);
}

export function channelsLastShape(shape: readonly number[]): number[] {
  return [shape[0], ...shape.slice(2), shape[1]];
}
