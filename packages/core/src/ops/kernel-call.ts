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

/** The kernels every gradient may need; `gradKernels` checks them together. */
const AUTOGRAD_KERNELS = ["compare", "where", "scatterAdd", "gather", "avgPoolBackward", "adaptiveAvgPoolBackward", "padBackward"] as const satisfies readonly (keyof AutogradKernels)[];

function missingKernel(op: string, impl: Backend, kernel: string): BackendError {
  return new BackendError(`${op}: backend ${JSON.stringify(impl.name)} does not implement the autograd kernel ${kernel}, so gradients cannot be computed on it`);
}

/** `impl` with its autograd kernels, or a BackendError naming the first one it lacks (gradients are unsupported there). */
export function gradKernels(op: string, impl: Backend): Backend & Pick<AutogradKernels, (typeof AUTOGRAD_KERNELS)[number]> {
  const missing = AUTOGRAD_KERNELS.find((k) => typeof impl[k] !== "function");
  if (missing !== undefined) throw missingKernel(op, impl, missing);
  return impl as Backend & AutogradKernels;
}

/** `impl` with the one autograd kernel an op-specific gradient needs (e.g. the convolutions' weight gradient), or a BackendError naming it. */
export function gradKernel<K extends keyof AutogradKernels>(op: string, impl: Backend, kernel: K): Backend & Pick<AutogradKernels, K> {
  if (typeof impl[kernel] !== "function") throw missingKernel(op, impl, kernel);
  return impl as Backend & Pick<AutogradKernels, K>;
}
