import type { Backend } from "./backend.js";
import { checkElementCount, optionsOf } from "./args.js";
import { type DType, type TypedArray, allocate } from "./dtype.js";
import { ArgumentError, ShapeError, fmt } from "./errors.js";
import { Generator, defaultGenerator } from "./random.js";
import { activeBackend } from "./registry.js";
import { type NestedArray, Tensor, sizeOf } from "./tensor.js";

export type TensorLike = TypedArray | readonly number[] | NestedArray;

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
    if (v === undefined) break;
  }
  return shape;
}

function flatten(values: NestedArray, shape: number[], out: number[], dim: number): void {
  if (dim === shape.length) {
    if (typeof values !== "number") throw new ArgumentError(`tensor: expected a number at depth ${dim}, got ${fmt(values)}`);
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    throw new ShapeError(`tensor: nested arrays are ragged: expected length ${shape[dim]} at depth ${dim} (inferred shape ${fmt(shape)}), got ${Array.isArray(values) ? values.length : typeof values}`);
  }
  for (const v of values) flatten(v, shape, out, dim + 1);
}

function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ArgumentError(`${what}: shape must be an array of non-negative integers, got ${fmt(shape)}`);
  }
  checkElementCount(what, "tensor", shape);
}

/** @internal Wraps freshly allocated, caller-owned data as a tensor on a backend. */
export function fromData(values: TypedArray, shape: readonly number[], dtype: DType, backend: Backend = activeBackend()): Tensor {
  return new Tensor(backend, backend.upload(values, shape, dtype), shape, dtype);
}

function checkDType(dtype: unknown, what: string): DType {
  if (dtype !== "float32" && dtype !== "int32") throw new ArgumentError(`${what}: dtype must be "float32" or "int32", got ${fmt(dtype)}`);
  return dtype;
}

export interface TensorOptions {
  /** Make the tensor a leaf that gradients flow to (float32 only); default false. */
  requiresGrad?: boolean;
}

/**
 * Creates a tensor. `values` is a Float32Array/Int32Array or flat number[] (with `shape`), or nested arrays
 * (shape inferred). dtype defaults to the typed array's type, else float32.
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType, options?: TensorOptions): Tensor {
  const dt = checkDType(dtype ?? (values instanceof Int32Array ? "int32" : "float32"), "tensor");
  if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) {
    throw new ArgumentError(`tensor: options must be an object such as { requiresGrad: true }, got ${fmt(options)}`);
  }
  const requiresGrad = options?.requiresGrad ?? false;
  if (typeof requiresGrad !== "boolean") throw new ArgumentError(`tensor: requiresGrad must be a boolean, got ${fmt(requiresGrad)}`);
  if (requiresGrad && dt !== "float32") throw new ArgumentError(`tensor: only float32 tensors can require gradients, got dtype ${dt}`);
  if (shape !== undefined && shape !== null) checkShape(shape, "tensor");
  let flat: ArrayLike<number>;
  let resolved: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values as TypedArray;
    resolved = shape ? [...shape] : [flat.length];
  } else if (typeof values === "number") {
    flat = [values];
    resolved = shape ? [...shape] : [];
  } else if (Array.isArray(values)) {
    const inferred = inferShape(values as NestedArray);
    const out: number[] = [];
    flatten(values as NestedArray, inferred, out, 0);
    flat = out;
    resolved = shape ? [...shape] : inferred;
  } else {
    throw new ArgumentError(`tensor: values must be a Float32Array, Int32Array, number or (nested) number array, got ${typeof values}`);
  }
  checkShape(resolved, "tensor");
  if (sizeOf(resolved) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${fmt(resolved)} (size ${sizeOf(resolved)})`);
  }
  const data = allocate(dt, flat.length);
  if (dt === "int32") {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new ArgumentError(`tensor: int32 value ${v} at flat index ${i} is not a 32-bit integer`);
      data[i] = v;
    }
  } else data.set(flat);
  const t = fromData(data, resolved, dt);
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

function filled(what: string, shape: readonly number[], value: number, dtype: DType): Tensor {
  checkShape(shape, what);
  const dt = checkDType(dtype, what);
  if (typeof value !== "number") throw new ArgumentError(`${what}: fill value must be a number, got ${fmt(value)}`);
  const data = allocate(dt, sizeOf(shape));
  data.fill(value);
  return fromData(data, shape, dt);
}

/** A tensor of `shape` filled with `value` (truncated toward zero for int32, as torch.full does). */
export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  return filled("full", shape, value, dtype);
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return filled("zeros", shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return filled("ones", shape, 1, dtype);
}

/** `arange(end)`, `arange(start, end, step?)`: like torch.arange; int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, dtype?: DType): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(step) || step === 0) {
    throw new ArgumentError(`arange: start, end and step must be finite with step != 0, got start=${lo}, end=${hi}, step=${step}`);
  }
  if ((hi - lo) / step < 0) throw new ArgumentError(`arange: step ${step} has the wrong sign for start=${lo}, end=${hi}`);
  const n = Math.ceil((hi - lo) / step);
  checkElementCount("arange", "tensor", [n]);
  const dt = checkDType(dtype ?? (Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(step) ? "int32" : "float32"), "arange");
  const data = allocate(dt, n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return fromData(data, [n], dt);
}

export interface RandomOptions {
  /** Seed for a fresh generator; without it the default generator (see `manualSeed`) continues. */
  seed?: number;
  generator?: Generator;
}

/** @internal The generator random ops draw from: `generator`, else a fresh one from `seed`, else the default. */
export function pickGenerator(what: string, o: RandomOptions): Generator {
  if (o.generator !== undefined && o.generator !== null) {
    if (!(o.generator instanceof Generator)) throw new ArgumentError(`${what}: generator must be a convkit Generator, got ${fmt(o.generator)}`);
    return o.generator;
  }
  if (o.seed !== undefined) {
    // Seeds are used modulo 2^32; a fractional or non-numeric seed would silently alias another one.
    if (typeof o.seed !== "number" || !Number.isSafeInteger(o.seed)) throw new ArgumentError(`${what}: seed must be an integer, got ${fmt(o.seed)}`);
    return new Generator(o.seed);
  }
  return defaultGenerator;
}

/** Uniform in [0, 1). */
export function rand(shape: readonly number[], options?: RandomOptions): Tensor {
  checkShape(shape, "rand");
  const g = pickGenerator("rand", optionsOf("rand", options));
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = g.uniform();
  return fromData(data, shape, "float32");
}

/** Standard normal. */
export function randn(shape: readonly number[], options?: RandomOptions): Tensor {
  checkShape(shape, "randn");
  const g = pickGenerator("randn", optionsOf("randn", options));
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return fromData(data, shape, "float32");
}
