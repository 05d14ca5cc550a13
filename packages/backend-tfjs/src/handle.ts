/**
 * The tfjs backend's data handle. convkit's logical layout is channels-first (`[N, C, ...spatial]`); tfjs's
 * convolution and pooling kernels are channels-last (`[N, ...spatial, C]`). A handle holds either layout or
 * both, each materialised on first need and kept: spatial ops produce channels-last results and the next
 * spatial op reads them as they are, so a chain of convs and pools converts only at its ends (uploads and
 * reads). Weights keep their tfjs-ordered forms (HWIO filters, ...) under `derived`, computed once.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DType } from "@convkit/core";

export class TfHandle {
  /** Row-major in the logical shape. */
  nchw: tf.Tensor | null;
  /** Channels-last: the logical dims permuted by `toChannelsLast(rank)`; only for rank >= 3. */
  cl: tf.Tensor | null;
  /** Layouts derived for a particular use (e.g. a conv weight as an HWIO filter), keyed by that use. */
  derived: Map<string, tf.Tensor[]> | null = null;

  constructor(
    /** The convkit backend instance that created this handle: tensors never cross engines. */
    readonly owner: object,
    readonly shape: readonly number[],
    readonly dtype: DType,
    nchw: tf.Tensor | null,
    cl: tf.Tensor | null,
  ) {
    this.nchw = nchw;
    this.cl = cl;
  }

  dispose(): void {
    this.nchw?.dispose();
    this.cl?.dispose();
    if (this.derived) for (const ts of this.derived.values()) for (const t of ts) t.dispose();
    this.nchw = null;
    this.cl = null;
    this.derived = null;
  }
}

/** `[0, 2, 3, ..., r - 1, 1]`: channels-first to channels-last. */
export function toChannelsLast(rank: number): number[] {
  const p = [0];
  for (let i = 2; i < rank; i++) p.push(i);
  p.push(1);
  return p;
}

/** `[0, r - 1, 1, 2, ..., r - 2]`: channels-last to channels-first. */
export function toChannelsFirst(rank: number): number[] {
  const p = [0, rank - 1];
  for (let i = 1; i < rank - 1; i++) p.push(i);
  return p;
}

/** Channels-last shape of a logical `[N, C, ...spatial]` shape. */
export function clShape(shape: readonly number[]): number[] {
  return [shape[0], ...shape.slice(2), shape[1]];
}

/** The logical row-major tensor, materialised (and kept) from the channels-last one if needed. */
export function nchwOf(h: TfHandle): tf.Tensor {
  if (h.nchw) return h.nchw;
  const cl = h.cl as tf.Tensor;
  // tfjs-wasm's transpose divides by zero on empty tensors.
  h.nchw = tf.keep(cl.size === 0 ? tf.zeros(h.shape as number[], cl.dtype) : tf.transpose(cl, toChannelsFirst(cl.rank)));
  return h.nchw;
}

/** The channels-last tensor (rank >= 3), materialised (and kept) from the logical one if needed. */
export function clOf(h: TfHandle): tf.Tensor {
  if (h.cl) return h.cl;
  const x = h.nchw as tf.Tensor;
  h.cl = tf.keep(x.size === 0 ? tf.zeros(clShape(h.shape), x.dtype) : tf.transpose(x, toChannelsLast(x.rank)));
  return h.cl;
}

/** A tensor derived from a handle for one use, computed once and released with the handle. */
export function derivedOf(h: TfHandle, key: string, make: () => tf.Tensor[]): tf.Tensor[] {
  h.derived ??= new Map();
  let d = h.derived.get(key);
  if (!d) {
    d = tf.tidy(make).map((t) => tf.keep(t));
    h.derived.set(key, d);
  }
  return d;
}
