import { registerBackend } from "@convkit/core";
import { CpuBackend } from "./cpu-backend.js";

export { CpuBackend, CpuHandle } from "./cpu-backend.js";

/** Factory for explicit use: `registerBackend("cpu", createCpuBackend)`. */
export function createCpuBackend(): CpuBackend {
  return new CpuBackend("cpu");
}

registerBackend("cpu", createCpuBackend, { priority: 1 });
