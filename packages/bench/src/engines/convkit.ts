/**
 * convkit engines: one per convkit backend, all driven through @convkit/core's public functional API.
 * Add a backend to CONVKIT_BACKENDS (and its package to this package's dependencies) to benchmark it.
 */
import type * as Core from "@convkit/core";
import type { Tensor } from "@convkit/core";
import type { WorkloadData } from "../data.js";
import { formatMB } from "../memory.js";
import type { Workload } from "../workloads.js";
import { prepareConvkitModel } from "./convkit-model.js";
import { type EngineInstance, type EngineSpec, type PrepareResult, unavailable } from "./types.js";

export interface ConvkitBackendEntry {
  /** Engine id suffix: the engine is called `convkit-${id}`. */
  readonly id: string;
  /** Name the backend registers under in @convkit/core. */
  readonly backend: string;
  readonly description: string;
  /** Imports the backend package (which registers itself). */
  readonly importBackend: () => Promise<unknown>;
  /**
   * Backends that compute asynchronously must be awaited inside the timed region; for them `run` awaits
   * `data()` of the result (which includes the download). Synchronous backends leave this unset.
   */
  readonly awaitResult?: boolean;
  /** The backend's own account of its memory, from its imported package (for `--memory`). */
  readonly memoryDetail?: (backendPackage: unknown) => string | null;
}

function cpuMemoryDetail(pkg: unknown): string | null {
  const path = (pkg as typeof import("@convkit/backend-cpu")).cpuKernelPath();
  return path.simd ? `WebAssembly memory ${formatMB(path.memoryBytes)}` : null;
}

export const CONVKIT_BACKENDS: readonly ConvkitBackendEntry[] = [
  {
    id: "cpu",
    backend: "cpu",
    description: "@convkit/backend-cpu (WebAssembly SIMD kernels on every core; TypeScript where SIMD is unavailable)",
    importBackend: () => import("@convkit/backend-cpu"),
    memoryDetail: cpuMemoryDetail,
  },
  {
    id: "cpu-portable",
    backend: "cpu-portable",
    description: "@convkit/backend-cpu portable path (TypeScript kernels, 1 thread)",
    importBackend: () => import("@convkit/backend-cpu"),
  },
  {
    id: "tfjs-wasm",
    backend: "tfjs-wasm",
    description: "@convkit/backend-tfjs on TensorFlow.js's wasm engine (XNNPACK, SIMD, 1 thread in Node)",
    importBackend: () => import("@convkit/backend-tfjs"),
  },
];

type Op = (x: Tensor, w: Tensor | null) => Tensor;

/** The conv options convkit's conv functions take (PyTorch's F.conv*d arguments after input and weight). */
interface ConvOptions {
  stride: readonly number[];
  padding: readonly number[];
  groups: number;
}
type ConvFn = (input: Tensor, weight: Tensor, options: ConvOptions) => Tensor;

const CONV_FUNCTION: Record<number, string> = { 1: "conv1d", 2: "conv2d", 3: "conv3d" };
const CONV_TRANSPOSE_FUNCTION: Record<number, string> = { 1: "convTranspose1d", 2: "convTranspose2d", 3: "convTranspose3d" };

/** The core function a workload calls, or the reason it cannot (ops still being written show as n/a). */
function resolveOp(core: typeof Core, w: Workload): Op | string {
  const rank = w.inputShape.length - 2;
  if (w.kind === "maxPool" || w.kind === "avgPool") {
    if (rank !== 2) return `bench has no ${w.kind} ${rank}d mapping`;
    const kernel = w.kernel as [number, number];
    const stride = w.stride as [number, number];
    const padding = w.padding as [number, number];
    if (w.kind === "maxPool") return (x) => core.maxPool2d(x, kernel, { stride, padding });
    return (x) => core.avgPool2d(x, kernel, { stride, padding });
  }
  const name = (w.kind === "conv" ? CONV_FUNCTION : CONV_TRANSPOSE_FUNCTION)[rank];
  const fn = (core as unknown as Record<string, unknown>)[name];
  if (typeof fn !== "function") return `op not implemented: ${name}`;
  const conv = fn as ConvFn;
  const options: ConvOptions = { stride: w.stride, padding: w.padding, groups: w.groups };
  return (x, weight) => conv(x, weight as Tensor, options);
}

class ConvkitInstance implements EngineInstance {
  constructor(
    private readonly core: typeof Core,
    private readonly entry: ConvkitBackendEntry,
    readonly versions: Record<string, string>,
    private readonly backendPackage: unknown,
  ) {}

  memoryDetail(): string | null {
    return this.entry.memoryDetail?.(this.backendPackage) ?? null;
  }

  async prepare(w: Workload, data: WorkloadData): Promise<PrepareResult> {
    const { core, entry } = this;
    if (w.kind === "model") return prepareConvkitModel(core, entry, w, data);
    const op = resolveOp(core, w);
    if (typeof op === "string") return unavailable(op);
    await core.setBackend(entry.backend);
    const x = core.tensor(data.input, w.inputShape);
    const weight = data.weight && w.weightShape ? core.tensor(data.weight, w.weightShape) : null;
    const disposeInputs = (): void => {
      x.dispose();
      weight?.dispose();
    };
    const run = entry.awaitResult
      ? async (): Promise<void> => {
          const y = op(x, weight);
          await y.data();
          y.dispose();
        }
      : (): void => {
          op(x, weight).dispose();
        };
    return {
      ok: true,
      run: {
        run,
        read: async () => {
          const y = op(x, weight);
          try {
            if (y.shape.join() !== w.outputShape.join()) throw new Error(`convkit output shape [${y.shape}], expected [${w.outputShape}]`);
            return Float32Array.from(await y.data());
          } finally {
            y.dispose();
          }
        },
        dispose: disposeInputs,
      },
    };
  }
}

export function convkitEngine(entry: ConvkitBackendEntry): EngineSpec {
  return {
    id: `convkit-${entry.id}`,
    family: "convkit",
    description: `convkit "${entry.backend}": ${entry.description}`,
    async load() {
      const core = await import("@convkit/core");
      const backendPackage = await entry.importBackend();
      await core.setBackend(entry.backend);
      return new ConvkitInstance(core, entry, {}, backendPackage);
    },
  };
}
