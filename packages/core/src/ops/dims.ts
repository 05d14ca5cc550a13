/**
 * Dimension arguments shared by the tensor-plumbing ops: torch's negative-dim wrapping, dim lists and
 * broadcasting. Error text for these checks lives here and nowhere else.
 */
import { checkElementCount } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";

/**
 * Wraps a possibly negative `dim` into `[0, rank)`. Like torch, a 0-d tensor accepts dims -1 and 0
 * (`scalarOk`), and `extra` widens the range for ops that insert a dim (unsqueeze, stack).
 */
export function normDim(op: string, name: string, dim: unknown, shape: readonly number[], extra = 0): number {
  const rank = shape.length + extra;
  const span = Math.max(rank, 1);
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < -span || dim >= span) {
    throw new ArgumentError(`${op}: ${name} must be an integer in [${-span}, ${span - 1}] for ${extra ? `inserting into a ${shape.length}-D` : `a ${shape.length}-D`} input of shape ${fmt(shape)}, got ${fmt(dim)}`);
  }
  return dim < 0 ? dim + span : dim;
}

/** A dim or a list of distinct dims, wrapped and sorted ascending; `null`/`undefined` means every dim. */
export function normDims(op: string, name: string, dims: number | readonly number[] | null | undefined, shape: readonly number[]): number[] {
  if (dims === null || dims === undefined) return shape.map((_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  if (!Array.isArray(list)) throw new ArgumentError(`${op}: ${name} must be an integer or an array of integers, got ${fmt(dims)} (input shape ${fmt(shape)})`);
  const out = list.map((d) => normDim(op, name, d, shape));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new ArgumentError(`${op}: ${name} lists dim ${d} more than once, got ${fmt(dims)} (input shape ${fmt(shape)})`);
    seen.add(d);
  }
  return out.sort((a, b) => a - b);
}

/** The broadcast shape of two shapes (numpy/torch rules: align right, sizes equal or 1). */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together: dim ${i - rank} has sizes ${da} and ${db} (each must match or be 1)`);
    }
    out[i] = da === 1 ? db : da;
  }
  checkElementCount(op, "broadcast result", out, ` (shapes ${fmt(a)} and ${fmt(b)})`);
  return out;
}

/** `t` viewed with leading unit dims up to `rank` (a new handle; dispose it). */
export function withRank(t: Tensor, rank: number): Tensor {
  return t.reshape([...new Array<number>(rank - t.shape.length).fill(1), ...t.shape]);
}

export function checkInt(op: string, name: string, v: unknown, min: number, shape?: readonly number[]): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    const allowed = min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer >= ${min}`;
    throw new ArgumentError(`${op}: ${name} must be ${allowed}, got ${fmt(v)}${shape ? ` (input shape ${fmt(shape)})` : ""}`);
  }
  return v;
}
