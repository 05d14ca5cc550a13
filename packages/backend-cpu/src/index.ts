import { registerBackend } from "@convkit/core";
import { CpuBackend } from "./cpu-backend.js";
import { configuredRuntime } from "./kernel-path.js";
import { SimdCpuBackend } from "./simd/simd-backend.js";

export { CpuBackend, CpuHandle } from "./cpu-backend.js";
export { SimdCpuBackend } from "./simd/simd-backend.js";
export { type CpuKernelPath, cpuKernelPath, setNumThreads, setParallelThreshold } from "./kernel-path.js";

/**
 * Factory for explicit use: `registerBackend("cpu", createCpuBackend)`. WebAssembly SIMD kernels (on
 * worker threads too where memory can be shared) for convolution and pooling, TypeScript kernels for
 * everything else and wherever WebAssembly SIMD is unavailable.
 */
export function createCpuBackend(): CpuBackend {
  const rt = configuredRuntime();
  return rt === null ? new CpuBackend("cpu") : new SimdCpuBackend("cpu", rt);
}

/** The portable backend: TypeScript kernels only, one thread ("cpu-portable"). */
export function createPortableCpuBackend(): CpuBackend {
  return new CpuBackend("cpu-portable");
}

registerBackend("cpu", createCpuBackend, { priority: 1 });
registerBackend("cpu-portable", createPortableCpuBackend, { priority: 0 });
