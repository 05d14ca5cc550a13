import { assertTensor } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { normDim } from "./dims.js";
import { backendOf, noGrad, record, wrap } from "./kernel-call.js";
import { zerosOn } from "./select.js";
import { narrow } from "./split.js";

function checkList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ArgumentError(`${op}: tensors must be a non-empty array of Tensors, got ${Array.isArray(tensors) ? "an empty array" : typeof tensors}`);
  for (let i = 0; i < tensors.length; i++) assertTensor(op, `tensors[${i}]`, tensors[i]);
  const list = tensors as Tensor[];
  const dtype = list[0].dtype;
  const odd = list.findIndex((t) => t.dtype !== dtype);
  if (odd >= 0) throw new ArgumentError(`${op}: all tensors must have one dtype, got ${dtype} at entry 0 and ${list[odd].dtype} at entry ${odd}; convkit does not promote dtypes`);
  return list;
}

/**
 * Joins tensors along an existing `dim`, like torch.cat: every other dim must match. As in torch, 1-D
 * tensors of shape `[0]` are skipped whatever the other shapes are.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const all = checkList("cat", tensors);
  const parts = all.filter((t) => !(t.shape.length === 1 && t.shape[0] === 0));
  if (parts.length === 0) {
    const y = wrap(all[0].impl, all[0].impl.concat([all[0]], 0), [0], all[0].dtype);
    if (y.dtype === "float32") record("catBackward", all, [y], ([g]) => all.map(() => zerosOn(g, [0])));
    return y;
  }
  const first = parts[0];
  const zeroD = parts.findIndex((t) => t.shape.length === 0);
  if (zeroD >= 0) throw new ShapeError(`cat: zero-dimensional tensors cannot be concatenated, got one at entry ${all.indexOf(parts[zeroD])}`);
  const axis = normDim("cat", "dim", dim, first.shape);
  const shape = [...first.shape];
  shape[axis] = 0;
  for (const t of parts) {
    const i = all.indexOf(t);
    if (t.shape.length !== first.shape.length) {
      throw new ShapeError(`cat: tensors must have the same number of dimensions, got ${fmt(first.shape)} at entry ${all.indexOf(first)} and ${fmt(t.shape)} at entry ${i}`);
    }
    for (let d = 0; d < shape.length; d++) {
      if (d !== axis && t.shape[d] !== first.shape[d]) {
        throw new ShapeError(`cat: sizes must match except in dim ${axis}, got ${fmt(first.shape)} at entry ${all.indexOf(first)} and ${fmt(t.shape)} at entry ${i} (dim ${d} differs)`);
      }
    }
    shape[axis] += t.shape[axis];
  }
  const impl = backendOf("cat", ...parts);
  const y = wrap(impl, impl.concat(parts, axis), shape, first.dtype);
  if (y.dtype === "float32") {
    // Each input's gradient is its slice of the output's; skipped [0]-shaped inputs get an empty one.
    const spans = all.map((t) => (parts.includes(t) ? t.shape[axis] : -1));
    record("catBackward", all, [y], ([g]) => {
      let start = 0;
      return spans.map((n) => {
        if (n < 0) return zerosOn(g, [0]);
        start += n;
        return narrow(g, axis, start - n, n);
      });
    });
  }
  return y;
}

/** Joins equally shaped tensors along a new `dim`, like torch.stack. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = checkList("stack", tensors);
  const shape = list[0].shape;
  const odd = list.findIndex((t) => t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]));
  if (odd >= 0) throw new ShapeError(`stack: all tensors must have the same shape, got ${fmt(shape)} at entry 0 and ${fmt(list[odd].shape)} at entry ${odd}`);
  const axis = normDim("stack", "dim", dim, shape, 1);
  const expanded = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
  const views = noGrad(() => list.map((t) => t.reshape(expanded)));
  let y: Tensor;
  try {
    const impl = backendOf("stack", ...views);
    const out = [...expanded];
    out[axis] = list.length;
    y = wrap(impl, impl.concat(views, axis), out, list[0].dtype);
  } finally {
    for (const v of views) v.dispose();
  }
  if (y.dtype === "float32") {
    record("stackBackward", list, [y], ([g]) =>
      list.map((_, i) => {
        const piece = narrow(g, axis, i, 1);
        const r = piece.reshape(shape);
        piece.dispose();
        return r;
      }),
    );
  }
  return y;
}
