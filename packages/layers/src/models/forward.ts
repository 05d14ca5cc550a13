/**
 * Forward-pass plumbing the model definitions share. A network's forward creates many intermediate
 * tensors; these helpers dispose each one as soon as the next layer has consumed it, so a forward pass
 * leaves only its output behind (and the caller's input untouched). `tidy` is not used: in training mode
 * batch norm keeps tensors it creates during forward as its running statistics.
 */
import { ArgumentError, type Tensor } from "@convkit/core";
import { type TensorModule, runChain } from "../containers.js";

/** Runs `modules` in order on `input`, disposing every intermediate result (never `input` itself). */
export function pipe(input: Tensor, ...modules: TensorModule[]): Tensor {
  return runChain(modules, input);
}

/** `f(x)`, then disposes `x` (an intermediate the caller owns) unless `f` returned it; also when `f` throws. */
export function consume(x: Tensor, f: (x: Tensor) => Tensor): Tensor {
  let y: Tensor;
  try {
    y = f(x);
  } catch (e) {
    x.dispose();
    throw e;
  }
  if (y !== x) x.dispose();
  return y;
}

/** Disposes each tensor of `tensors` that is not `keep`. */
export function disposeAll(tensors: readonly Tensor[], keep?: Tensor): void {
  for (const t of tensors) if (t !== keep) t.dispose();
}

/** A model option that must be a positive integer (channel and class counts, depths). */
export function positiveInt(model: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new ArgumentError(`${model}: ${name} must be a positive integer, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

/** A model option that must be a list of `length` positive integers (or any non-empty length when null). */
export function positiveInts(model: string, name: string, v: unknown, length: number | null): number[] {
  const ok = Array.isArray(v) && (length === null ? v.length > 0 : v.length === length) && v.every((n) => typeof n === "number" && Number.isInteger(n) && n >= 1);
  if (!ok) {
    const what = length === null ? "a non-empty array of" : `an array of ${length}`;
    throw new ArgumentError(`${model}: ${name} must be ${what} positive integers, got ${JSON.stringify(v)}`);
  }
  return [...(v as number[])];
}

/** A dropout probability option. */
export function probability(model: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new ArgumentError(`${model}: ${name} must be a probability between 0 and 1, got ${String(v)}`);
  return v;
}
