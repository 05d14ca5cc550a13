import type { UnaryOp } from "@convkit/core";
import { activation } from "./activation.js";

/** Element-wise functions with PyTorch's float32 results (pow 2 and 3 by float multiplication, 0.5 by sqrt). */
export function unary(x: Float32Array, op: UnaryOp, alpha: number, out: Float32Array): void {
  const n = x.length;
  switch (op) {
    case "abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case "sign":
      // PyTorch computes (0 < v) - (v < 0), so NaN gives 0 (unlike NumPy), and -0 gives +0.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
      }
      return;
    case "relu":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 || Number.isNaN(v) ? v : 0;
      }
      return;
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case "mulScalar":
      for (let i = 0; i < n; i++) out[i] = x[i] * alpha;
      return;
    case "addScalar":
      for (let i = 0; i < n; i++) out[i] = x[i] + alpha;
      return;
    case "pow":
      pow(x, alpha, out);
      return;
    default:
      activation(x, op, alpha, out);
  }
}

function pow(x: Float32Array, e: number, out: Float32Array): void {
  const n = x.length;
  if (e === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
  else if (e === 3) for (let i = 0; i < n; i++) out[i] = Math.fround(x[i] * x[i]) * x[i];
  else if (e === 0.5) for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
  else if (e === -0.5) for (let i = 0; i < n; i++) out[i] = 1 / Math.fround(Math.sqrt(x[i]));
  else if (e === -1) for (let i = 0; i < n; i++) out[i] = 1 / x[i];
  else if (e === -2) for (let i = 0; i < n; i++) out[i] = 1 / Math.fround(x[i] * x[i]);
  else if (e === 1) out.set(x);
  else for (let i = 0; i < n; i++) out[i] = x[i] ** e;
}
