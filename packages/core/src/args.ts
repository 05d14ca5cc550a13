/**
 * Argument normalisation shared by every op: integer tuples, input-rank checks and the
 * batched/unbatched convention. Error text for these checks lives here and nowhere else.
 */
import { ArgumentError, BackendError, ShapeError, fmt } from "./errors.js";
import type { Tensor } from "./tensor.js";

export type Size1 = number | readonly [number];
export type Size2 = number | readonly [number, number];
export type Size3 = number | readonly [number, number, number];
export type SizeN = number | readonly number[];

export interface IntRule {
  /** Smallest allowed value (inclusive). */
  min: number;
  /** Words for the message, e.g. "positive" or "non-negative". */
  describe: string;
}

export const POSITIVE: IntRule = { min: 1, describe: "positive" };
export const NON_NEGATIVE: IntRule = { min: 0, describe: "non-negative" };

/** Expands an int or per-dim tuple to `rank` integers, checking each against `rule`. */
export function expandInts(op: string, name: string, value: SizeN, rank: number, rule: IntRule, shape?: readonly number[]): number[] {
  const at = shape ? ` (input shape ${fmt(shape)})` : "";
  let out: number[];
  if (typeof value === "number") out = new Array<number>(rank).fill(value);
  else if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const arr = Array.from(value as ArrayLike<number>);
    if (arr.length === 1 && rank > 1) out = new Array<number>(rank).fill(arr[0]);
    else if (arr.length !== rank) throw new ArgumentError(`${op}: ${name} must be an integer or a tuple of ${rank} integers, got ${fmt(value)}${at}`);
    else out = arr;
  } else {
    throw new ArgumentError(`${op}: ${name} must be an integer or a tuple of ${rank} integers, got ${fmt(value)}${at}`);
  }
  for (const v of out) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < rule.min) {
      const form = rank === 1 ? "" : ` (one integer for every dim, or a tuple of ${rank})`;
      throw new ArgumentError(`${op}: ${name} must be ${rule.describe} integers${form}, got ${fmt(value)}${at}`);
    }
  }
  return out;
}

/** Result of bringing an input to the batched `[N, C, ...spatial]` form kernels expect. */
export interface Batched {
  readonly x: Tensor;
  /** True when the caller passed `[C, ...spatial]`; outputs are reshaped back. */
  readonly unbatched: boolean;
}

const SPATIAL_NAMES: Record<number, string> = { 1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)" };
const BATCHED_NAMES: Record<number, string> = { 1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)" };

/**
 * Checks an input has `spatialRank + 1` (unbatched) or `spatialRank + 2` (batched) dims with non-empty
 * channel and spatial dims, as PyTorch's pooling and convolution accept, and returns it batched.
 */
export function batchInput(op: string, input: Tensor, spatialRank: number, opts: { allowUnbatched?: boolean } = {}): Batched {
  assertTensor(op, "input", input);
  const { unbatched } = batchShape(op, input.shape, spatialRank, opts);
  if (input.dtype !== "float32") {
    throw new ArgumentError(`${op}: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  }
  return { x: unbatched ? input.reshape([1, ...input.shape]) : input, unbatched };
}

/** An input shape in the batched `[N, C, ...spatial]` form, and whether it was given without the batch dim. */
export interface BatchedShape {
  readonly shape: number[];
  readonly unbatched: boolean;
}

/** The shape checks of `batchInput`, on a shape alone (for tensor-free shape functions). */
export function batchShape(op: string, shape: readonly number[], spatialRank: number, opts: { allowUnbatched?: boolean } = {}): BatchedShape {
  const allowUnbatched = opts.allowUnbatched ?? true;
  const r = shape.length;
  const okRanks = allowUnbatched ? [spatialRank + 1, spatialRank + 2] : [spatialRank + 2];
  if (!okRanks.includes(r)) {
    const forms = allowUnbatched ? `${spatialRank + 1}-D ${SPATIAL_NAMES[spatialRank]} or ${spatialRank + 2}-D ${BATCHED_NAMES[spatialRank]}` : `${spatialRank + 2}-D ${BATCHED_NAMES[spatialRank]}`;
    throw new ShapeError(`${op}: input must be ${forms}, got ${r}-D input of shape ${fmt(shape)}`);
  }
  const unbatched = r === spatialRank + 1;
  const nonBatch = unbatched ? shape : shape.slice(1);
  if (nonBatch.some((d) => d === 0)) {
    throw new ShapeError(`${op}: input has an empty channel or spatial dimension; only the batch dimension may be 0, got shape ${fmt(shape)}`);
  }
  return { shape: unbatched ? [1, ...shape] : [...shape], unbatched };
}

/** Undoes `batchInput` on an output: drops the leading 1 again (and disposes the batched view). */
export function unbatch(out: Tensor, b: Batched): Tensor {
  if (!b.unbatched) return out;
  const r = out.reshape(out.shape.slice(1));
  out.dispose();
  return r;
}

/** Disposes the temporary batched view of an unbatched input. */
export function releaseBatched(b: Batched): void {
  if (b.unbatched) b.x.dispose();
}

export function assertTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (t === null || typeof t !== "object" || !("shape" in (t as object)) || !("impl" in (t as object))) {
    throw new ArgumentError(`${op}: ${name} must be a Tensor, got ${t === null ? "null" : Array.isArray(t) ? "an array" : typeof t}`);
  }
  const u = t as Tensor;
  if (u.isDisposed) throw new BackendError(`${op}: ${name} (shape ${fmt(u.shape)}) was disposed and can no longer be used`);
}

/**
 * The options object of an op: `undefined`/`null` mean all defaults. Anything else that is not a plain
 * object is refused, so a Python-style positional call like `maxPool2d(x, 2, 2)` (stride as third
 * argument) fails loudly instead of silently using the default stride.
 */
export function optionsOf<T extends object>(op: string, options: T | null | undefined, shape?: readonly number[]): T {
  if (options === undefined || options === null) return {} as T;
  const at = shape ? ` (input shape ${fmt(shape)})` : "";
  if (typeof options !== "object" || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new ArgumentError(`${op}: options must be an object such as { stride: 2 }, got ${fmt(options)}${at}`);
  }
  // torch takes some tensors positionally (`F.conv2d(x, w, b)`); here they are options, and a tensor
  // read as the options object would silently be ignored.
  if ("impl" in options && "shape" in options) {
    throw new ArgumentError(
      `${op}: options must be an object such as { stride: 2 }, got a Tensor of shape ${fmt((options as { shape: unknown }).shape)}${at}; optional tensors such as bias go in the options: { bias }`,
    );
  }
  return options;
}

/** A positive integer count such as channels or groups. */
export function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: ${name} must be a positive integer, got ${fmt(v)}`);
  return v;
}

export function assertBool(op: string, name: string, v: unknown, shape?: readonly number[]): boolean {
  if (typeof v !== "boolean") throw new ArgumentError(`${op}: ${name} must be a boolean, got ${fmt(v)}${shape ? ` (input shape ${fmt(shape)})` : ""}`);
  return v;
}

/**
 * The most elements a tensor may hold: indices are int32 (max pooling's) and the CPU kernels compute
 * offsets in int32 arithmetic. A larger shape is a ShapeError before anything is allocated, where a
 * typed array that size would throw a RangeError or exhaust memory.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Checks that a tensor of `shape` (the `what` of `op`, e.g. "output") fits in `MAX_ELEMENTS`. */
export function checkElementCount(op: string, what: string, shape: readonly number[], context = ""): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ELEMENTS) {
    throw new ShapeError(`${op}: the ${what} of shape ${fmt(shape)} would hold ${n} elements, more than the ${MAX_ELEMENTS} a tensor can hold${context}`);
  }
}
