/**
 * Live-tensor bookkeeping: counts for `memory()` and scopes for `tidy()`. Device-resident backends
 * cannot rely on the garbage collector, so every tensor is disposed explicitly or by a tidy scope.
 */
import { ArgumentError, fmt } from "./errors.js";
import { findBackend, listBackends } from "./registry.js";

/** What the engine needs of a tensor. */
export interface Tracked {
  dispose(): void;
  readonly isDisposed: boolean;
}

let liveTensors = 0;
const scopes: Set<Tracked>[] = [];

export function track(t: Tracked): void {
  liveTensors++;
  scopes[scopes.length - 1]?.add(t);
}

export function untrack(t: Tracked): void {
  liveTensors--;
  for (const s of scopes) s.delete(t);
}

export interface MemoryInfo {
  /** Tensors created and not yet disposed. */
  readonly numTensors: number;
  /** Bytes held by all initialised backends (shared storage counted once). */
  readonly numBytes: number;
}

export function memory(): MemoryInfo {
  let numBytes = 0;
  for (const info of listBackends()) {
    const b = findBackend(info.name);
    if (b) numBytes += b.memory().numBytes;
  }
  return { numTensors: liveTensors, numBytes };
}

function collect(value: unknown, into: Set<Tracked>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== "object") return;
  if (typeof (value as Tracked).dispose === "function" && "isDisposed" in (value as object)) {
    into.add(value as Tracked);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, into, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, into, depth + 1);
}

/**
 * Runs `fn` and disposes every tensor created inside it except those it returns (a tensor, or
 * arrays / plain objects of tensors). Nested tidies hand their results to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new ArgumentError(`tidy: fn must be a function, got ${fmt(fn)}`);
  const scope = new Set<Tracked>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw new ArgumentError("tidy: fn returned a Promise; tidy only works with synchronous functions");
  }
  const kept = new Set<Tracked>();
  collect(result, kept);
  for (const t of scope) if (!kept.has(t) && !t.isDisposed) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
  return result;
}

/** Keeps a tensor alive past the tidy scope it was created in. */
export function keep<T extends Tracked>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}
