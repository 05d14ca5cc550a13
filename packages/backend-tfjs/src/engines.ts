/**
 * TensorFlow.js engines: which ones load here, and switching tfjs's single global engine between them.
 * tfjs has one active backend at a time; every convkit backend instance activates its own engine before it
 * runs a kernel, so data never moves between engines behind the caller's back.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { BackendError } from "@convkit/core";

/** convkit's name for each tfjs engine, best first. */
export type EngineName = "tfjs-node-gpu" | "tfjs-node" | "tfjs-wasm" | "tfjs-cpu";

export const ENGINE_ORDER: readonly EngineName[] = ["tfjs-node-gpu", "tfjs-node", "tfjs-wasm", "tfjs-cpu"];

/** The tfjs backend name behind each engine (both native packages register 'tensorflow'). */
export const TF_BACKEND: Readonly<Record<EngineName, string>> = {
  "tfjs-node-gpu": "tensorflow",
  "tfjs-node": "tensorflow",
  "tfjs-wasm": "wasm",
  "tfjs-cpu": "cpu",
};

const NATIVE_PACKAGE: Readonly<Partial<Record<EngineName, string>>> = {
  "tfjs-node-gpu": "@tensorflow/tfjs-node-gpu",
  "tfjs-node": "@tensorflow/tfjs-node",
};

/**
 * `available`: loaded (native, cpu) or loadable on first use (wasm, whose binary is read asynchronously);
 * `ready`: initialised; `unavailable`: cannot be used here, `reason` says why.
 */
export type EngineState = "available" | "ready" | "unavailable";

export interface EngineStatus {
  readonly engine: EngineName;
  readonly tfBackend: string;
  readonly state: EngineState;
  /** Why the engine is unavailable, or what it runs on once ready (e.g. whether tfjs-node-gpu sees a GPU). */
  readonly reason?: string;
}

const status = new Map<EngineName, EngineStatus>();

function set(engine: EngineName, state: EngineState, reason?: string): void {
  status.set(engine, { engine, tfBackend: TF_BACKEND[engine], state, ...(reason !== undefined ? { reason } : {}) });
}

/** The first line of a load error, with the addon's long path cut down to what tells the user something. */
export function shortenLoadError(pkg: string, e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = String(err?.message ?? e);
  if (/tfjs_binding\.node\) can not be found/.test(message)) {
    return `${pkg} is installed but its native addon (tfjs_binding.node) is missing: its install script, which downloads libtensorflow, did not run or failed`;
  }
  if (err?.code === "MODULE_NOT_FOUND" || err?.code === "ERR_MODULE_NOT_FOUND") {
    if (message.includes(pkg)) return `${pkg} is not installed`;
  }
  const first = message.split("\n")[0];
  return `${pkg} failed to load: ${first.length > 200 ? `${first.slice(0, 200)}...` : first}`;
}

/**
 * Loads the native packages synchronously (they register tfjs's 'tensorflow' backend). A failed load leaves
 * tfjs as it was; its kernel registrations are silenced (PROD) so a second failing package does not print
 * one "already registered" line per kernel.
 */
function probeNative(): void {
  const require = createRequire(import.meta.url);
  let loaded: EngineName | null = null;
  for (const engine of ["tfjs-node-gpu", "tfjs-node"] as const) {
    const pkg = NATIVE_PACKAGE[engine] as string;
    if (loaded !== null) {
      set(engine, "unavailable", `not loaded: ${loaded} already provides tfjs's 'tensorflow' backend (the two packages cannot be loaded together)`);
      continue;
    }
    if (process.env.CONVKIT_TFJS_NATIVE === "0") {
      set(engine, "unavailable", "not tried: CONVKIT_TFJS_NATIVE=0");
      continue;
    }
    const prod = tf.env().getBool("PROD");
    tf.env().set("PROD", true);
    try {
      require(pkg);
      if (tf.findBackendFactory("tensorflow") === null) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
      loaded = engine;
      set(engine, "available");
    } catch (e) {
      set(engine, "unavailable", shortenLoadError(pkg, e));
    } finally {
      tf.env().set("PROD", prod);
    }
  }
}

probeNative();
set("tfjs-wasm", tf.findBackendFactory("wasm") ? "available" : "unavailable", tf.findBackendFactory("wasm") ? undefined : "@tensorflow/tfjs-backend-wasm registered no 'wasm' backend");
set("tfjs-cpu", "available");

let wasmInit: Promise<void> | null = null;

/**
 * Initialises the wasm engine once. tfjs's own `setBackend('wasm')` would mark an initialisation as pending
 * on the global engine, and every kernel of any engine throws until it ends; creating the backend from its
 * factory and registering the instance keeps tfjs-cpu usable meanwhile, and makes later switches synchronous.
 */
function initWasm(): Promise<void> {
  if (tf.engine().registry.wasm) return Promise.resolve();
  wasmInit ??= (async () => {
    const factory = tf.findBackendFactory("wasm");
    if (!factory) throw new BackendError("@tensorflow/tfjs-backend-wasm registered no 'wasm' backend");
    try {
      tf.engine().registry.wasm = await factory();
    } catch (e) {
      const reason = `the wasm binary failed to load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
      set("tfjs-wasm", "unavailable", reason);
      throw new BackendError(`tfjs-wasm: ${reason}`);
    }
  })();
  return wasmInit;
}

/** Makes tfjs's active backend `engine`'s, synchronously; the engine must be initialised. */
export function activate(engine: EngineName): void {
  const name = TF_BACKEND[engine];
  if (tf.getBackend() === name) return;
  // For an initialised backend, setBackend switches before its first await; the promise only reports it.
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new BackendError(`${engine}: tfjs did not switch to its '${name}' backend (active: ${tf.getBackend()})`);
}

function describeNative(engine: EngineName): string | undefined {
  const b = tf.engine().registry.tensorflow as unknown as { isUsingGpuDevice?: boolean } | undefined;
  if (engine === "tfjs-node-gpu" && b && typeof b.isUsingGpuDevice === "boolean") {
    return b.isUsingGpuDevice ? "TensorFlow sees a CUDA GPU" : "TensorFlow found no usable CUDA GPU and runs on the CPU";
  }
  return undefined;
}

/**
 * Initialises an engine (cpu and native synchronously, wasm asynchronously). Throws a BackendError with
 * the reason when the engine is unavailable.
 */
export function initEngine(engine: EngineName): void | Promise<void> {
  const s = status.get(engine);
  if (!s || s.state === "unavailable") throw new BackendError(`${engine} is unavailable: ${s?.reason ?? "unknown engine"}`);
  if (engine === "tfjs-wasm") {
    return initWasm().then(() => {
      activate(engine);
      set(engine, "ready");
    });
  }
  const name = TF_BACKEND[engine];
  if (!tf.engine().registry[name] && tf.engine().findBackend(name) === null) {
    throw new BackendError(`${engine}: tfjs's '${name}' backend failed to initialise`);
  }
  if (engine === "tfjs-cpu") silenceCpuBanner();
  activate(engine);
  set(engine, "ready", describeNative(engine));
}

/**
 * tfjs's cpu backend prints an advertisement for tfjs-node on its first upload in Node; convkit's engine
 * report already says which engines load and why, so that banner is switched off.
 */
function silenceCpuBanner(): void {
  const cpu = tf.engine().registry.cpu as unknown as { firstUse?: boolean } | undefined;
  if (cpu && cpu.firstUse === true) cpu.firstUse = false;
}

/** Engines that loaded or can load on first use, best first. */
export function candidateEngines(): EngineName[] {
  return ENGINE_ORDER.filter((e) => status.get(e)?.state !== "unavailable");
}

export interface TfjsEngineReport {
  /** The engine behind convkit's 'tfjs' backend: the best one that initialised, or null before 'tfjs' is first used. */
  readonly chosen: EngineName | null;
  /** Every engine, best first, with its state and, where unavailable, why. */
  readonly engines: readonly EngineStatus[];
  /** One line: the chosen engine and why each better one was not used. */
  readonly summary: string;
}

let chosen: EngineName | null = null;
let logged = false;

export function setChosen(engine: EngineName): void {
  chosen = engine;
  if (!logged && process.env.CONVKIT_TFJS_QUIET !== "1") {
    logged = true;
    console.warn(`convkit: ${tfjsEngineReport().summary}`);
  }
}

/** Which TensorFlow.js engines load here, which one 'tfjs' uses, and why the better ones are not used. */
export function tfjsEngineReport(): TfjsEngineReport {
  const engines = ENGINE_ORDER.map((e) => status.get(e) as EngineStatus);
  const target = chosen ?? candidateEngines()[0] ?? null;
  const better = target === null ? engines : engines.slice(0, ENGINE_ORDER.indexOf(target));
  const why = better.map((s) => `${s.engine}: ${s.reason ?? s.state}`).join("; ");
  const head = target === null ? "tfjs: no engine is available" : `tfjs ${chosen === null ? "will use" : "uses"} engine ${target}${status.get(target)?.reason ? ` (${status.get(target)?.reason})` : ""}`;
  return { chosen, engines, summary: why ? `${head}; not used: ${why}` : head };
}
