/**
 * Helpers every op uses around its kernel calls: wrapping results as tensors, keeping every input of an
 * op on one backend, and (re-exported from the autograd graph) recording the op for backward.
 */
import type { AutogradKernels, Backend, DataHandle } from "../backend.js";
import type { DType } from "../dtype.js";
import { BackendError, fmt } from "../errors.js";
import { Tensor } from "../tensor.js";

export { type BackwardFn, needsGrad, noGrad, record } from "../autograd/graph.js";

export function wrap(impl: Backend, handle: DataHandle, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(impl, handle, shape, dtype);
}

/** The backend all `tensors` live on; mixing backends is an error rather than a silent copy. */
export function backendOf(op: string, ...tensors: Tensor[]): Backend {
  const impl = tensors[0].impl;
  for (const t of tensors) {
    if (t.impl !== impl) {
      throw new BackendError(`${op}: inputs live on different backends (${tensors.map((u) => `${u.backend} ${fmt(u.shape)}`).join(", ")}); move them to one backend first`);
    }
  }
  return impl;
}

const AUTOGRAD_KERNELS: readonly (keyof AutogradKernels)[] = ["compare", "where", "scatterAdd", "gather", "avgPoolBackward", "adaptiveAvgPoolBackward", "padBackward"];

/** `impl` with its autograd kernels, or a BackendError naming the first one it lacks (gradients are unsupported there). */
export function gradKernels(op: string, impl: Backend): Backend & AutogradKernels {
  const missing = AUTOGRAD_KERNELS.find((k) => typeof impl[k] !== "function");
  if (missing !== undefined) {
    throw new BackendError(`${op}: backend ${JSON.stringify(impl.name)} does not implement the autograd kernel ${missing}, so gradients cannot be computed on it`);
  }
  return impl as Backend & AutogradKernels;
}
