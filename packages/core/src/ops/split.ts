import { assertTensor } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkInt, normDim } from "./dims.js";
import { cat } from "./concat.js";
import { noGrad, record, wrap } from "./kernel-call.js";
import { padAll } from "./pad.js";

/**
 * The adjoint of taking every `step`-th entry of `axis` from `start`: `g` spread back into zeros of
 * `inShape`, composed from pads (data movement only): a step is a unit dim padded to `step` entries.
 */
function sliceGrad(op: string, g: Tensor, inShape: readonly number[], axis: number, start: number, step: number): Tensor {
  const rank = inShape.length;
  let spread = g;
  if (step > 1) {
    const gaps = g.reshape([...g.shape.slice(0, axis + 1), 1, ...g.shape.slice(axis + 1)]);
    const end = new Array<number>(rank + 1).fill(0);
    end[axis + 1] = step - 1;
    const padded = padAll(op, "gradient", gaps, new Array<number>(rank + 1).fill(0), end, "constant", 0);
    gaps.dispose();
    spread = padded.reshape(g.shape.map((d, i) => (i === axis ? d * step : d)));
    padded.dispose();
  }
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  begin[axis] = start;
  end[axis] = inShape[axis] - start - spread.shape[axis];
  const out = padAll(op, "gradient", spread, begin, end, "constant", 0);
  if (spread !== g) spread.dispose();
  return out;
}

/** Copies `length` entries of `axis` starting at `start`, every `step`-th (all in range). */
function take(op: string, input: Tensor, axis: number, start: number, length: number, step = 1): Tensor {
  const begin = input.shape.map(() => 0);
  const size = [...input.shape];
  const steps = input.shape.map(() => 1);
  begin[axis] = start;
  size[axis] = length;
  steps[axis] = step;
  const y = wrap(input.impl, input.impl.slice(input, begin, size, steps), size, input.dtype);
  if (y.dtype === "float32") {
    const inShape = input.shape;
    record(`${op}Backward`, [input], [y], ([g]) => [sliceGrad(op, g, inShape, axis, start, step)]);
  }
  return y;
}

/** Consecutive pieces of `axis`: one recorded op with an output per piece, whose gradient is the pieces' gradients joined. */
function piecewise(op: string, input: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  try {
    noGrad(() => {
      for (const n of sizes) {
        out.push(take(op, input, axis, start, n));
        start += n;
      }
    });
  } catch (e) {
    for (const t of out) t.dispose();
    throw e;
  }
  if (input.dtype === "float32") record(`${op}Backward`, [input], out, (gs) => [cat(gs, axis)]);
  return out;
}

function axisOf(op: string, input: Tensor, dim: number): number {
  assertTensor(op, "input", input);
  if (input.shape.length === 0) throw new ShapeError(`${op}: input must have at least one dimension, got a 0-d tensor`);
  return normDim(op, "dim", dim, input.shape);
}

/**
 * Splits along `dim` like torch.split: a number gives pieces of that size (the last one smaller when it
 * does not divide), an array gives pieces of exactly those sizes (they must sum to the dim's size).
 */
export function split(input: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const axis = axisOf("split", input, dim);
  const n = input.shape[axis];
  if (Array.isArray(splitSizeOrSections)) {
    const sizes = splitSizeOrSections as readonly number[];
    const total = sizes.reduce((s, v) => s + v, 0);
    if (sizes.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 0) || total !== n) {
      throw new ShapeError(`split: sections must be non-negative integers summing to ${n} (the size of dim ${axis} of input shape ${fmt(input.shape)}), got ${fmt(sizes)}`);
    }
    return piecewise("split", input, axis, sizes);
  }
  const size = checkInt("split", "splitSizeOrSections", splitSizeOrSections, 0, input.shape);
  if (size === 0 && n !== 0) throw new ArgumentError(`split: a split size of 0 is only allowed when dim ${axis} has size 0, got size ${n} (input shape ${fmt(input.shape)})`);
  const count = size === 0 ? 1 : Math.max(Math.ceil(n / size), 1);
  const sizes = new Array<number>(count).fill(size);
  sizes[count - 1] = n - size * (count - 1);
  return piecewise("split", input, axis, sizes);
}

/**
 * Splits along `dim` into pieces of `ceil(size / chunks)`, like torch.chunk: fewer than `chunks` pieces
 * when the size does not allow that many non-empty ones (a dim of size 0 gives `chunks` empty pieces).
 */
export function chunk(input: Tensor, chunks: number, dim = 0): Tensor[] {
  const axis = axisOf("chunk", input, dim);
  checkInt("chunk", "chunks", chunks, 1, input.shape);
  const n = input.shape[axis];
  if (n === 0) return piecewise("chunk", input, axis, new Array<number>(chunks).fill(0));
  return split(input, Math.ceil(n / chunks), axis);
}

/** `length` entries of `dim` starting at `start` (negative counts from the end), like torch.narrow. */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  const axis = axisOf("narrow", input, dim);
  const n = input.shape[axis];
  if (typeof start !== "number" || !Number.isInteger(start) || start < -n || start > n) {
    throw new ArgumentError(`narrow: start must be an integer in [${-n}, ${n}] for dim ${axis} of input shape ${fmt(input.shape)}, got ${fmt(start)}`);
  }
  checkInt("narrow", "length", length, 0, input.shape);
  const s = start < 0 ? start + n : start;
  if (s + length > n) throw new ArgumentError(`narrow: start (${s}) + length (${length}) exceeds the size ${n} of dim ${axis} (input shape ${fmt(input.shape)})`);
  return take("narrow", input, axis, s, length);
}

function clampIndex(v: number | null | undefined, n: number, fallback: number): number {
  if (v === null || v === undefined) return fallback;
  const w = v < 0 ? v + n : v;
  return Math.min(Math.max(w, 0), n);
}

/**
 * `input[..., start:end:step]` along `dim` with Python's slicing rules (negative indices count from the
 * end, out-of-range bounds clamp, `null` means the whole side), as torch indexing does. step >= 1.
 */
export function slice(input: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
  const axis = axisOf("slice", input, dim);
  for (const [name, v] of [["start", start], ["end", end]] as const) {
    if (v !== null && v !== undefined && (typeof v !== "number" || !Number.isInteger(v))) throw new ArgumentError(`slice: ${name} must be an integer or null, got ${fmt(v)} (input shape ${fmt(input.shape)})`);
  }
  checkInt("slice", "step", step, 1, input.shape);
  const n = input.shape[axis];
  const s = clampIndex(start, n, 0);
  const e = Math.max(clampIndex(end, n, n), s);
  return take("slice", input, axis, s, Math.ceil((e - s) / step), step);
}
