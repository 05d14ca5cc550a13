import { assertTensor, checkElementCount } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { type Tensor, sizeOf as prod } from "../tensor.js";
import { add } from "./binary.js";
import { broadcastShapes } from "./dims.js";
import { backendOf, noGrad, record, wrap } from "./kernel-call.js";
import { sumTo } from "./select.js";
import { sum } from "./reduce.js";

function checkFloat(op: string, name: string, t: Tensor): void {
  assertTensor(op, name, t);
  if (t.dtype !== "float32") throw new ArgumentError(`${op}: ${name} must be float32, got ${t.dtype} (shape ${fmt(t.shape)})`);
}

/**
 * Matrix product with torch.matmul's rules: 1-D·1-D is a dot product (0-d), a 1-D operand is treated as
 * a row (left) or column (right) vector whose dim is dropped again, and leading batch dims broadcast.
 */
export function matmul(input: Tensor, other: Tensor): Tensor {
  checkFloat("matmul", "input", input);
  checkFloat("matmul", "other", other);
  const ra = input.shape.length;
  const rb = other.shape.length;
  if (ra === 0 || rb === 0) throw new ShapeError(`matmul: both arguments must be at least 1-D, got shapes ${fmt(input.shape)} and ${fmt(other.shape)}`);
  const impl = backendOf("matmul", input, other);
  const a2 = ra === 1 ? [1, input.shape[0]] : [...input.shape];
  const b2 = rb === 1 ? [other.shape[0], 1] : [...other.shape];
  const [m, k] = a2.slice(-2);
  const [k2, n] = b2.slice(-2);
  if (k !== k2) {
    throw new ShapeError(`matmul: shapes ${fmt(input.shape)} and ${fmt(other.shape)} cannot be multiplied: input's last dim (${k}) must equal other's ${rb === 1 ? "only" : "second-to-last"} dim (${k2})`);
  }
  const batchA = a2.slice(0, -2);
  const batchB = b2.slice(0, -2);
  const batch = broadcastShapes("matmul", batchA, batchB);
  const shape = [...batch, ...(ra === 1 ? [] : [m]), ...(rb === 1 ? [] : [n])];
  checkElementCount("matmul", "output", shape, ` (shapes ${fmt(input.shape)} and ${fmt(other.shape)})`);
  // When other has no batch of its own, input's batch folds into its rows: one large GEMM.
  const fold = prod(batchB) === 1;
  const rank = fold ? 2 : batch.length + 2;
  const pad = (s: number[], r: number): number[] => [...new Array<number>(r - s.length).fill(1), ...s];
  const aView = fold ? [prod(batchA) * m, k] : pad(a2, rank);
  const bView = fold ? [k, n] : pad(b2, rank);
  const kernelShape = fold ? [prod(batchA) * m, n] : [...batch, m, n];
  const y = noGrad(() => {
    const va = input.reshape(aView);
    const vb = other.reshape(bView);
    try {
      const out = wrap(impl, impl.matmul(va, vb, false, false, kernelShape), kernelShape, "float32");
      const r = out.reshape(shape);
      out.dispose();
      return r;
    } finally {
      va.dispose();
      vb.dispose();
    }
  });
  // d(a @ b) = g @ bᵀ for a and aᵀ @ g for b, in the forward's kernel views; broadcast batch dims summed back.
  const [aShape, bShape] = [input.shape, other.shape];
  record(
    "matmulBackward",
    [input, other],
    [y],
    ([g], [a, b], needed) => {
      const gv = g.reshape(kernelShape);
      const va = a.reshape(aView);
      const vb = b.reshape(bView);
      const outA = [...kernelShape.slice(0, -1), k];
      const outB = [...kernelShape.slice(0, -2), k, n];
      const ga = needed[0] ? sumTo(wrap(impl, impl.matmul(gv, vb, false, true, outA), outA, "float32"), aView).reshape(aShape) : null;
      const gb = needed[1] ? sumTo(wrap(impl, impl.matmul(va, gv, true, false, outB), outB, "float32"), bView).reshape(bShape) : null;
      return [ga, gb];
    },
    [input, other],
  );
  return y;
}

/** `input @ weight^T + bias`, like F.linear: input `(*, in)`, weight `(out, in)`, bias `(out)`; output `(*, out)`. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkFloat("linear", "input", input);
  checkFloat("linear", "weight", weight);
  if (bias !== null && bias !== undefined) checkFloat("linear", "bias", bias);
  if (weight.shape.length !== 2) throw new ShapeError(`linear: weight must be 2-D (out_features, in_features), got shape ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (input.shape.length === 0 || input.shape[input.shape.length - 1] !== inF) {
    throw new ShapeError(`linear: input's last dim must equal in_features ${inF} of weight ${fmt(weight.shape)}, got input shape ${fmt(input.shape)}`);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias must have shape [${outF}] (out_features of weight ${fmt(weight.shape)}), got ${fmt(bias.shape)}`);
  }
  const impl = bias ? backendOf("linear", input, weight, bias) : backendOf("linear", input, weight);
  const lead = input.shape.slice(0, -1);
  const rows = prod(lead);
  checkElementCount("linear", "output", [...lead, outF], ` (input shape ${fmt(input.shape)}, weight shape ${fmt(weight.shape)})`);
  const result = noGrad(() => {
    const x2 = input.reshape([rows, inF]);
    let y: Tensor;
    try {
      y = wrap(impl, impl.matmul(x2, weight, false, true, [rows, outF]), [rows, outF], "float32");
    } finally {
      x2.dispose();
    }
    if (bias) {
      const withBias = add(y, bias);
      y.dispose();
      y = withBias;
    }
    const r = y.reshape([...lead, outF]);
    y.dispose();
    return r;
  });
  // torch's linear backward: g @ W for the input, gᵀ @ x for the weight, g summed over rows for the bias.
  const inShape = input.shape;
  record(
    "linearBackward",
    [input, weight, bias],
    [result],
    ([g], [x, w], needed) => {
      const g2 = g.reshape([rows, outF]);
      const gx = needed[0] ? wrap(impl, impl.matmul(g2, w, false, false, [rows, inF]), [rows, inF], "float32").reshape(inShape) : null;
      const gw = needed[1] ? wrap(impl, impl.matmul(g2, x.reshape([rows, inF]), true, false, [outF, inF]), [outF, inF], "float32") : null;
      const gb = needed[2] ? sum(g2, 0) : null;
      return [gx, gw, gb];
    },
    [input, weight],
  );
  return result;
}
