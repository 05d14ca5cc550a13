/**
 * convkit's TensorFlow.js backend. Importing it registers 'tfjs' (the best engine that initialises:
 * tfjs-node-gpu, then tfjs-node, then tfjs-wasm, then tfjs-cpu) and one backend per engine that loads
 * here, named after the engine. Native engines and tfjs-cpu start synchronously; tfjs-wasm (and 'tfjs' when
 * wasm is its best engine) needs `await setBackend(name)` once.
 */
import { BackendError, registerBackend } from "@convkit/core";
import { type EngineCaps, probeCaps } from "./caps.js";
import { type EngineName, activate, candidateEngines, initEngine, setChosen, tfjsEngineReport } from "./engines.js";
import { TfjsBackend } from "./tfjs-backend.js";

export { TfjsBackend } from "./tfjs-backend.js";
export { TfHandle } from "./handle.js";
export type { EngineCaps, NaNBehaviour } from "./caps.js";
export { ENGINE_ORDER, tfjsEngineReport, type EngineName, type EngineState, type EngineStatus, type TfjsEngineReport } from "./engines.js";

const capsByEngine = new Map<EngineName, EngineCaps>();

function instantiate(engine: EngineName, name: string): TfjsBackend {
  activate(engine);
  let caps = capsByEngine.get(engine);
  if (!caps) {
    caps = probeCaps();
    capsByEngine.set(engine, caps);
  }
  return new TfjsBackend(name, engine, caps);
}

/**
 * A convkit backend on one tfjs engine, for explicit registration: `registerBackend("mine", () =>
 * createTfjsBackend("tfjs-wasm", "mine"))`. Returns a promise when the engine initialises asynchronously
 * (wasm); throws a BackendError naming the reason when the engine is unavailable here.
 */
export function createTfjsBackend(engine: EngineName, name: string = engine): TfjsBackend | Promise<TfjsBackend> {
  const init = initEngine(engine);
  return init instanceof Promise ? init.then(() => instantiate(engine, name)) : instantiate(engine, name);
}

/** The 'tfjs' backend: the best engine that initialises, falling back in ENGINE_ORDER. */
export function createBestTfjsBackend(name = "tfjs"): TfjsBackend | Promise<TfjsBackend> {
  const order = candidateEngines();
  const attempt = (i: number): TfjsBackend | Promise<TfjsBackend> => {
    if (i >= order.length) throw new BackendError(`tfjs: no TensorFlow.js engine initialised. ${tfjsEngineReport().summary}`);
    let made: TfjsBackend | Promise<TfjsBackend>;
    try {
      made = createTfjsBackend(order[i], name);
    } catch {
      return attempt(i + 1);
    }
    if (made instanceof Promise) {
      return made.then(
        (b) => {
          setChosen(order[i]);
          return b;
        },
        () => attempt(i + 1),
      );
    }
    setChosen(order[i]);
    return made;
  };
  return attempt(0);
}

// Below convkit's own 'cpu' (priority 1): importing this package adds engines without changing the default.
registerBackend("tfjs", () => createBestTfjsBackend("tfjs"), { priority: 0 });
for (const engine of candidateEngines()) registerBackend(engine, () => createTfjsBackend(engine), { priority: -1 });
