/** State-dict values and errors: what `Module.loadStateDict` accepts and how it reports what it cannot load. */
import { ArgumentError, Tensor, type TypedArray } from "@convkit/core";

/** Tensors by dotted name (`layer1.0.conv1.weight`): a plain record, as `stateDict()` returns, or a Map. */
export type StateDict = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

function quoted(keys: readonly string[]): string {
  return keys.map((k) => JSON.stringify(k)).join(", ");
}

/**
 * A state dict that does not fit the module, with every problem listed at once (torch's "Error(s) in
 * loading state_dict"): missing and unexpected keys (strict loads only) and values that cannot be
 * copied. The module is left unchanged.
 */
export class StateDictError extends ArgumentError {
  readonly missingKeys: readonly string[];
  readonly unexpectedKeys: readonly string[];
  /** One description per key whose value cannot be copied (size mismatch, not a tensor, ...). */
  readonly mismatches: readonly string[];

  constructor(where: string, missingKeys: readonly string[], unexpectedKeys: readonly string[], mismatches: readonly string[]) {
    const lines: string[] = [];
    if (missingKeys.length > 0) lines.push(`missing key(s) (${missingKeys.length}): ${quoted(missingKeys)}`);
    if (unexpectedKeys.length > 0) lines.push(`unexpected key(s) (${unexpectedKeys.length}): ${quoted(unexpectedKeys)}`);
    lines.push(...mismatches);
    super(`${where}: ${lines.length} error(s) in loading the state dict:\n  ${lines.join("\n  ")}`);
    this.missingKeys = [...missingKeys];
    this.unexpectedKeys = [...unexpectedKeys];
    this.mismatches = [...mismatches];
  }
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** `state` as a Map, after checking it is a record or a Map. */
export function stateEntries(where: string, state: unknown): ReadonlyMap<string, unknown> {
  if (state instanceof Map) return state as ReadonlyMap<string, unknown>;
  if (state === null || typeof state !== "object" || Array.isArray(state) || state instanceof Tensor) {
    throw new ArgumentError(`${where}: state must be a record or Map of tensors by name, got ${describeValue(state)}`);
  }
  return new Map(Object.keys(state).map((k) => [k, (state as Record<string, unknown>)[k]]));
}

const shapeOf = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * What to copy into `target` for `key`: `src` itself, or its values converted to `target`'s dtype. Adds a
 * description to `problems` and returns null when it cannot be copied.
 */
export function checkStateValue(key: string, src: unknown, target: Tensor, problems: string[]): Tensor | TypedArray | null {
  const name = JSON.stringify(key);
  if (!(src instanceof Tensor)) {
    problems.push(`${name} must be a Tensor, got ${describeValue(src)}`);
    return null;
  }
  if (src.isDisposed) {
    problems.push(`${name} was given a disposed tensor`);
    return null;
  }
  if (target.isDisposed) {
    problems.push(`${name}: the module's tensor was disposed`);
    return null;
  }
  if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i])) {
    problems.push(`size mismatch for ${name}: copying a tensor of shape ${shapeOf(src.shape)} from the state dict, the shape in the module is ${shapeOf(target.shape)}`);
    return null;
  }
  if (src.dtype === target.dtype) return src;
  const values = src.dataSync();
  if (target.dtype === "float32") return Float32Array.from(values);
  const ints = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      problems.push(`dtype mismatch for ${name}: the module's tensor is int32 and the state dict's ${src.dtype} tensor holds ${v} at flat index ${i}, which is not a 32-bit integer`);
      return null;
    }
    ints[i] = v;
  }
  return ints;
}
