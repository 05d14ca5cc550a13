/**
 * Backend registry with lazy, prioritised initialisation: a factory runs on first use; one that throws
 * is marked failed with its reason and the next best backend is tried.
 */
import type { Backend } from "./backend.js";
import { optionsOf } from "./args.js";
import { ArgumentError, BackendError, fmt } from "./errors.js";

export type BackendFactory = () => Backend | Promise<Backend>;

export interface RegisterOptions {
  /** Higher wins when no backend was chosen explicitly. Default 1. */
  priority?: number;
}

export type BackendStatus = "registered" | "ready" | "failed";

export interface BackendInfo {
  readonly name: string;
  readonly priority: number;
  readonly status: BackendStatus;
  readonly active: boolean;
  /** Why initialisation failed, when it did. */
  readonly error?: string;
}

interface Entry {
  factory: BackendFactory;
  priority: number;
  instance?: Backend;
  error?: string;
  pending?: Promise<Backend>;
}

const entries = new Map<string, Entry>();
let active: Backend | null = null;

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Registers a backend factory under a name. Returns false (and changes nothing) if the name is taken. */
export function registerBackend(name: string, factory: BackendFactory, options?: RegisterOptions): boolean {
  if (typeof name !== "string" || name === "") throw new ArgumentError(`registerBackend: name must be a non-empty string, got ${fmt(name)}`);
  if (typeof factory !== "function") throw new ArgumentError(`registerBackend: factory for ${JSON.stringify(name)} must be a function returning a Backend, got ${fmt(factory)}`);
  const priority = optionsOf("registerBackend", options).priority ?? 1;
  if (typeof priority !== "number" || !Number.isFinite(priority)) {
    throw new ArgumentError(`registerBackend: priority for ${JSON.stringify(name)} must be a finite number, got ${fmt(priority)}`);
  }
  if (entries.has(name)) return false;
  entries.set(name, { factory, priority });
  return true;
}

/** Removes a backend; tensors already on it stay usable until disposed. */
export function removeBackend(name: string): void {
  const entry = entries.get(name);
  if (!entry) return;
  if (entry.instance && active === entry.instance) active = null;
  entries.delete(name);
}

async function initialise(name: string): Promise<Backend> {
  const entry = entries.get(name);
  if (!entry) {
    throw new BackendError(`setBackend: no backend named ${JSON.stringify(name)} is registered (registered: ${[...entries.keys()].join(", ") || "none"}). Import a backend package first, e.g. import "@convkit/backend-cpu".`);
  }
  if (entry.instance) return entry.instance;
  if (entry.error !== undefined) throw new BackendError(`backend ${JSON.stringify(name)} failed to initialise: ${entry.error}`);
  if (!entry.pending) {
    entry.pending = (async () => {
      try {
        const b = await entry.factory();
        entry.instance = b;
        return b;
      } catch (e) {
        entry.error = reason(e);
        throw new BackendError(`backend ${JSON.stringify(name)} failed to initialise: ${entry.error}`);
      } finally {
        entry.pending = undefined;
      }
    })();
  }
  return entry.pending;
}

/** Initialises (if needed) and activates a backend; new tensors are created on it. */
export async function setBackend(name: string): Promise<void> {
  active = await initialise(name);
}

/** Initialises the best registered backend that can be initialised, synchronous or not. */
export async function ready(): Promise<string> {
  if (active) return active.name;
  for (const [name] of sortedEntries()) {
    try {
      active = await initialise(name);
      return active.name;
    } catch {
      // marked failed with its reason; try the next one
    }
  }
  throw new BackendError(noBackendMessage());
}

function sortedEntries(): [string, Entry][] {
  return [...entries.entries()].sort((a, b) => b[1].priority - a[1].priority);
}

function noBackendMessage(): string {
  const failed = [...entries.entries()].filter(([, e]) => e.error !== undefined).map(([n, e]) => `${n}: ${e.error}`);
  return `no backend is available${failed.length ? ` (failed: ${failed.join("; ")})` : ""}. Import a backend package, e.g. import "@convkit/backend-cpu", or await setBackend(name).`;
}

/** The active backend, initialising the best synchronously-constructible one on first use. */
export function activeBackend(): Backend {
  if (active) return active;
  for (const [, entry] of sortedEntries()) {
    if (entry.instance) {
      active = entry.instance;
      return active;
    }
    if (entry.error !== undefined || entry.pending) continue;
    try {
      const b = entry.factory();
      if (b instanceof Promise) {
        // An asynchronous backend cannot be started from synchronous code; keep its promise for setBackend.
        entry.pending = b.then(
          (inst) => {
            entry.instance = inst;
            entry.pending = undefined;
            return inst;
          },
          (e) => {
            entry.error = reason(e);
            entry.pending = undefined;
            throw e;
          },
        );
        entry.pending.catch(() => undefined);
        continue;
      }
      entry.instance = b;
      active = b;
      return b;
    } catch (e) {
      entry.error = reason(e);
    }
  }
  throw new BackendError(noBackendMessage());
}

/** The name of the active backend (initialising the default one if none was chosen). */
export function getBackend(): string {
  return activeBackend().name;
}

/** An initialised backend instance by name, or undefined if it is not registered or not initialised yet. */
export function findBackend(name: string): Backend | undefined {
  return entries.get(name)?.instance;
}

/** Every registered backend with its priority and status, best first. */
export function listBackends(): BackendInfo[] {
  return sortedEntries().map(([name, e]) => ({
    name,
    priority: e.priority,
    status: e.instance ? "ready" : e.error !== undefined ? "failed" : "registered",
    active: active !== null && e.instance === active,
    ...(e.error !== undefined ? { error: e.error } : {}),
  }));
}
