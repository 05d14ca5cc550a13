/**
 * torch.gather: values picked along one dim by an index tensor. It runs on the autograd kernels `gather`
 * (forward) and `scatterAdd` (its adjoint), which work within planes: the picked dim is brought last and
 * every other dim folded into the planes, so a gather along the last dim (cross entropy's class scores)
 * is a pair of reshapes around one kernel call.
 */
import { assertTensor } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { type Tensor, sizeOf } from "../tensor.js";
import { normDim } from "./dims.js";
import { backendOf, gradKernels, noGrad, record, wrap } from "./kernel-call.js";
import { permute } from "./permute.js";
import { narrow } from "./split.js";

/** Disposes `t` unless it is `keep` (the caller's own tensor). */
function release(t: Tensor, keep: Tensor): void {
  if (t !== keep) t.dispose();
}

/** Checks index's shape and values against input's as torch.gather does; throws before anything is computed. */
function checkIndex(input: Tensor, axis: number, index: Tensor): void {
  assertTensor("gather", "index", index);
  if (index.dtype !== "int32") throw new ArgumentError(`gather: index must be int32, got ${index.dtype} (index shape ${fmt(index.shape)})`);
  const rank = Math.max(input.shape.length, 1);
  const indexRank = Math.max(index.shape.length, 1);
  if (indexRank !== rank) {
    throw new ShapeError(`gather: index must have as many dims as input (${input.shape.length}), got index shape ${fmt(index.shape)} for input shape ${fmt(input.shape)}`);
  }
  const inDims = input.shape.length === 0 ? [1] : input.shape;
  const idxDims = index.shape.length === 0 ? [1] : index.shape;
  for (let d = 0; d < rank; d++) {
    if (d !== axis && idxDims[d] > inDims[d]) {
      throw new ShapeError(`gather: index shape ${fmt(index.shape)} must be no larger than input shape ${fmt(input.shape)} in every dim but dim ${axis}; dim ${d} has ${idxDims[d]} > ${inDims[d]}`);
    }
  }
  // Indices are data: checking them needs a read, but an out-of-range index must never read out of bounds.
  const size = inDims[axis];
  const values = index.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= size) {
      throw new ArgumentError(`gather: index ${values[i]} at flat position ${i} is out of bounds for dim ${axis} of size ${size} (input shape ${fmt(input.shape)}, index shape ${fmt(index.shape)})`);
    }
  }
}

/** The gather itself on `x` and `idx` of equal rank whose dims agree except the last: `[...lead, L]` and `[...lead, K]` to `[...lead, K]`. */
function gatherLast(x: Tensor, idx: Tensor): Tensor {
  const impl = backendOf("gather", x, idx);
  const lead = idx.shape.slice(0, -1);
  const planes = sizeOf(lead);
  const inLast = x.shape[x.shape.length - 1];
  const outLast = idx.shape[idx.shape.length - 1];
  const kernels = gradKernels("gather", impl);
  const y = noGrad(() => {
    const xv = x.reshape([planes, 1, inLast]);
    const iv = idx.reshape([planes, 1, outLast]);
    try {
      const flat = wrap(impl, kernels.gather(xv, iv), [planes, 1, outLast], "float32");
      const out = flat.reshape(idx.shape);
      flat.dispose();
      return out;
    } finally {
      xv.dispose();
      iv.dispose();
    }
  });
  // gather's adjoint is a scatter-add to the same positions (several picks of one element add up, as in torch).
  record(
    "gatherBackward",
    [x, null],
    [y],
    ([g], [savedIdx]) => {
      const gv = g.reshape([planes, 1, outLast]);
      const iv = savedIdx.reshape([planes, 1, outLast]);
      try {
        const r = wrap(g.impl, gradKernels("gather", g.impl).scatterAdd(gv, iv, [inLast]), [planes, 1, inLast], "float32");
        const out = r.reshape(x.shape);
        r.dispose();
        return [out, null];
      } finally {
        gv.dispose();
        iv.dispose();
      }
    },
    [idx],
  );
  return y;
}

/**
 * Like torch.gather(input, dim, index): `out[i][j][k] = input[i][index[i][j][k]][k]` for `dim = 1`, and
 * likewise for any dim. `index` is int32 with the input's number of dims, each dim but `dim` no larger
 * than the input's (the output has index's shape); every index must be in `[0, input.shape[dim])`.
 * float32 input only; differentiable with respect to `input` (torch's scatter-add of the gradient).
 */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  assertTensor("gather", "input", input);
  if (input.dtype !== "float32") throw new ArgumentError(`gather: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  const axis = normDim("gather", "dim", dim, input.shape);
  checkIndex(input, axis, index);
  backendOf("gather", input, index);
  // A 0-d input (and index) is one element along its only dim, as in torch.
  if (input.shape.length === 0) {
    const x1 = input.reshape([1]);
    const i1 = noGrad(() => index.reshape([1]));
    try {
      const y1 = gatherLast(x1, i1);
      const y = y1.reshape([]);
      y1.dispose();
      return y;
    } finally {
      x1.dispose();
      i1.dispose();
    }
  }
  const rank = input.shape.length;
  // Crop the other dims to index's extent, then bring `dim` last in both (recorded ops: gradients flow back through them).
  let x = input;
  for (let d = 0; d < rank; d++) {
    if (d !== axis && index.shape[d] < x.shape[d]) {
      const cropped = narrow(x, d, 0, index.shape[d]);
      release(x, input);
      x = cropped;
    }
  }
  if (axis === rank - 1) {
    try {
      return gatherLast(x, index);
    } finally {
      release(x, input);
    }
  }
  const perm = [...Array.from({ length: rank }, (_, d) => d).filter((d) => d !== axis), axis];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const xLast = permute(x, perm);
  release(x, input);
  const iLast = noGrad(() => permute(index, perm));
  try {
    const yLast = gatherLast(xLast, iLast);
    const y = permute(yLast, inverse);
    yLast.dispose();
    return y;
  } finally {
    xLast.dispose();
    iLast.dispose();
  }
}
