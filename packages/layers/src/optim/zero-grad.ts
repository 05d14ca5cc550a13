/** Clearing gradients, shared by `Module.zeroGrad` and `Optimizer.zeroGrad`. */
import { ArgumentError, type Tensor, zeros } from "@convkit/core";

export interface ZeroGradOptions {
  /**
   * true (default, torch 2.x's `set_to_none=True`): dispose each gradient and set `.grad` to null.
   * false (torch 1.x's default): overwrite each existing gradient with zeros, keeping the tensor object.
   */
  setToNone?: boolean;
}

export function zeroGrads(where: string, params: Iterable<Tensor>, options: ZeroGradOptions): void {
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options must be an object such as { setToNone: false }, got ${String(options)}`);
  const setToNone = options.setToNone ?? true;
  if (typeof setToNone !== "boolean") throw new ArgumentError(`${where}: setToNone must be a boolean, got ${String(setToNone)}`);
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    if (setToNone) {
      p.grad = null;
      continue;
    }
    // zeros() lands on the active backend; assign copies across if the gradient lives elsewhere.
    const z = zeros(g.shape);
    g.assign(z);
    z.dispose();
  }
}
