/**
 * `pad` with F.pad's semantics, and the checked N-d padding step the convolutions use for their
 * non-zero padding modes (as nn.ConvNd pads with F.pad before a zero-padded convolution).
 */
import { assertTensor, checkElementCount } from "../args.js";
import type { PadMode } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { gradKernels, record, wrap } from "./kernel-call.js";

const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

/**
 * Pads every dim `i` of `x` by `begin[i]` / `end[i]` (negative crops) after checking the mode's limits,
 * naming `op` and, for the convolutions, the option that asked for it (`what`).
 */
export function padAll(op: string, what: string, x: Tensor, begin: readonly number[], end: readonly number[], mode: PadMode, value: number): Tensor {
  const shape = x.shape;
  const outShape = paddedShape(op, what, shape, begin, end, mode);
  const impl = x.impl;
  const y = wrap(impl, impl.pad(x, begin, end, mode, value), outShape, x.dtype);
  if (y.dtype === "float32") {
    const inShape = shape;
    record(`${op}Backward`, [x], [y], ([g]) => [padGrad(op, g, inShape, begin, end, mode)]);
  }
  return y;
}

/**
 * `padAll`'s adjoint: the gradient for the unpadded `inShape` from `g`, the gradient of the padded
 * result. Constant padding's adjoint is the opposite pad (a crop, or zeros where it cropped); the other
 * modes accumulate every copy of a position.
 */
export function padGrad(op: string, g: Tensor, inShape: readonly number[], begin: readonly number[], end: readonly number[], mode: PadMode): Tensor {
  return mode === "constant"
    ? wrap(g.impl, g.impl.pad(g, begin.map((b) => -b), end.map((e) => -e), "constant", 0), inShape, "float32")
    : wrap(g.impl, gradKernels(op, g.impl).padBackward(g, inShape, begin, end, mode), inShape, "float32");
}

/**
 * The shape `padAll` produces, after checking the mode's limits: the tensor-free half of `padAll`, for
 * shape functions (the convolutions' non-zero padding modes).
 */
export function paddedShape(op: string, what: string, shape: readonly number[], begin: readonly number[], end: readonly number[], mode: PadMode): number[] {
  const outShape = shape.map((n, i) => n + begin[i] + end[i]);
  const given = `${what} ${fmt(begin.map((b, i) => [b, end[i]]))} (per dim [begin, end]), input shape ${fmt(shape)}`;
  if (mode === "constant") {
    const bad = outShape.findIndex((n) => n < 0);
    if (bad >= 0) {
      throw new ShapeError(`${op}: negative padding crops dim ${bad} of size ${shape[bad]} below zero (output size ${outShape[bad]}); ${given}`);
    }
  } else {
    for (let i = 0; i < shape.length; i++) {
      if (begin[i] === 0 && end[i] === 0) continue;
      const n = shape[i];
      if (mode === "reflect" && (begin[i] >= n || end[i] >= n)) {
        throw new ArgumentError(
          `${op}: reflect padding must be smaller than the padded dim: dim ${i} has size ${n}, got padding [${begin[i]}, ${end[i]}]; ${given}`,
        );
      }
      if (mode === "circular" && (begin[i] > n || end[i] > n)) {
        throw new ArgumentError(`${op}: circular padding may wrap around at most once: dim ${i} has size ${n}, got padding [${begin[i]}, ${end[i]}]; ${given}`);
      }
      const kept = n - Math.max(0, -begin[i]) - Math.max(0, -end[i]);
      if (outShape[i] < 1 || kept < 1) {
        throw new ShapeError(`${op}: ${mode} padding leaves dim ${i} (size ${n}) with no elements (output size ${outShape[i]}); ${given}`);
      }
    }
  }
  checkElementCount(op, "output", outShape, `; ${given}`);
  return outShape;
}

/**
 * Like `F.pad(input, pad, mode, value)`: `pads` lists (begin, end) pairs starting from the LAST dim,
 * `[left, right, top, bottom, front, back]`. Negative amounts crop. `constant` pads any number of
 * trailing dims with `value`; `reflect`, `replicate` and `circular` pad the last 1, 2 or 3 dims of an
 * input with one or two more dims than that (batched or not; PyTorch 1.13 itself requires the batch dim
 * for circular), take no value, and keep at least one element per dim. float32 or int32.
 */
export function pad(input: Tensor, pads: readonly number[], mode: PadMode = "constant", value = 0): Tensor {
  const op = "pad";
  assertTensor(op, "input", input);
  const shape = input.shape;
  const rank = shape.length;
  if (!Array.isArray(pads) || pads.some((p) => typeof p !== "number" || !Number.isInteger(p))) {
    throw new ArgumentError(`${op}: pads must be an array of integers, got ${fmt(pads)} (input shape ${fmt(shape)})`);
  }
  if (pads.length % 2 !== 0) {
    throw new ArgumentError(
      `${op}: pads must hold (begin, end) pairs, so its length must be even, got ${pads.length} entries ${fmt(pads)} (input shape ${fmt(shape)})`,
    );
  }
  const m = pads.length / 2;
  if (m > rank) {
    throw new ArgumentError(`${op}: pads ${fmt(pads)} pads ${m} dims but the input has only ${rank} (input shape ${fmt(shape)})`);
  }
  if (!MODES.includes(mode)) throw new ArgumentError(`${op}: mode must be one of ${MODES.map((s) => `"${s}"`).join(", ")}, got ${fmt(mode)}`);
  if (typeof value !== "number") throw new ArgumentError(`${op}: value must be a number, got ${fmt(value)}`);
  if (mode !== "constant") {
    if (value !== 0) throw new ArgumentError(`${op}: mode "${mode}" takes no value (it must be 0), got ${fmt(value)}`);
    if (m < 1 || m > 3 || (rank !== m + 1 && rank !== m + 2)) {
      throw new ShapeError(
        `${op}: mode "${mode}" pads the last 1, 2 or 3 dims of a ${m === 0 ? "" : `${m + 1}-D or ${m + 2}-D `}input; got ${pads.length} pads ${fmt(pads)} for a ${rank}-D input of shape ${fmt(shape)}`,
      );
    }
    const first = rank === m + 2 ? 1 : 0;
    if (shape.slice(first).some((d) => d === 0)) {
      throw new ShapeError(`${op}: mode "${mode}" needs non-empty dims (only a batch dim may be 0), got input shape ${fmt(shape)}`);
    }
  }
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  for (let j = 0; j < m; j++) {
    begin[rank - 1 - j] = pads[2 * j];
    end[rank - 1 - j] = pads[2 * j + 1];
  }
  return padAll(op, "pads", input, begin, end, mode, value);
}
