/** Helpers that wrap kernel results as tensors and keep every input of an op on one backend. */
import type { Backend, DataHandle } from "../backend.js";
import type { DType } from "../dtype.js";
import { BackendError, fmt } from "../errors.js";
import { Tensor } from "../tensor.js";

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
