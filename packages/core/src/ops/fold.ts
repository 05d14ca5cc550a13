/** Sliding-block extraction and its adjoint: F.unfold (im2col) and F.fold (col2im), 2 spatial dims as in torch. */
import { NON_NEGATIVE, POSITIVE, type Size2, assertTensor, batchInput, checkElementCount, expandInts, optionsOf, releaseBatched, unbatch } from "../args.js";
import type { DataHandle, Im2ColGeometry } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { convOutputSize } from "../pool-output-size.js";
import type { Tensor } from "../tensor.js";
import { noGrad, record, wrap } from "./kernel-call.js";

export interface FoldOptions {
  dilation?: Size2;
  /** Implicit zero padding on both sides of each spatial dim. */
  padding?: Size2;
  stride?: Size2;
}

function geometry(op: string, image: readonly number[], kernelSize: Size2, o: FoldOptions, shape: readonly number[]): Im2ColGeometry {
  const kernel = expandInts(op, "kernelSize", kernelSize, 2, POSITIVE, shape);
  const dilation = expandInts(op, "dilation", o.dilation ?? 1, 2, POSITIVE, shape);
  const padding = expandInts(op, "padding", o.padding ?? 0, 2, NON_NEGATIVE, shape);
  const stride = expandInts(op, "stride", o.stride ?? 1, 2, POSITIVE, shape);
  const blocks = image.map((n, i) => convOutputSize(n, kernel[i], stride[i], padding[i], padding[i], dilation[i]));
  if (blocks.some((b) => b < 1)) {
    throw new ShapeError(
      `${op}: no sliding block fits: spatial size ${fmt(image)} with kernelSize ${fmt(kernel)}, dilation ${fmt(dilation)}, padding ${fmt(padding)}, stride ${fmt(stride)} gives ${fmt(blocks)} blocks (each must be at least 1; input shape ${fmt(shape)})`,
    );
  }
  return { kernel, stride, dilation, padBegin: padding, image, blocks };
}

/**
 * Extracts sliding blocks, like F.unfold: input `(N, C, H, W)` or `(C, H, W)` to
 * `(N, C * kH * kW, L)` (or `(C * kH * kW, L)`), L the number of block positions, rows ordered (c, kh, kw).
 */
export function unfold(input: Tensor, kernelSize: Size2, options?: FoldOptions): Tensor {
  let geom: Im2ColGeometry | undefined;
  let batchedIn: readonly number[] = [];
  let batchedOut: readonly number[] = [];
  const y = noGrad(() => {
    const b = batchInput("unfold", input, 2);
    try {
      const g = geometry("unfold", b.x.shape.slice(2), kernelSize, optionsOf("unfold", options, input.shape), input.shape);
      const [n, c] = b.x.shape;
      geom = g;
      batchedIn = b.x.shape;
      batchedOut = [n, c * g.kernel[0] * g.kernel[1], g.blocks[0] * g.blocks[1]];
      checkElementCount("unfold", "output", batchedOut, ` (blocks ${fmt(g.blocks)}, input shape ${fmt(input.shape)})`);
      return unbatch(wrap(b.x.impl, b.x.impl.unfold(b.x, g), batchedOut, "float32"), b);
    } finally {
      releaseBatched(b);
    }
  });
  // fold is unfold's adjoint (overlapping blocks summed).
  const inShape = input.shape;
  record("unfoldBackward", [input], [y], ([gy]) => [adjoint(gy, batchedOut, batchedIn, inShape, (v) => v.impl.fold(v, geom as Im2ColGeometry))]);
  return y;
}

/** Runs an adjoint kernel on `g` viewed batched, returning the result in the forward input's own shape. */
function adjoint(g: Tensor, batchedG: readonly number[], batchedOut: readonly number[], outShape: readonly number[], kernel: (v: Tensor) => DataHandle): Tensor {
  const v = g.reshape(batchedG);
  const r = wrap(v.impl, kernel(v), batchedOut, "float32");
  v.dispose();
  const out = r.reshape(outShape);
  r.dispose();
  return out;
}

/**
 * Sums sliding blocks back into an image, like F.fold: input `(N, C * kH * kW, L)` or `(C * kH * kW, L)`
 * to `(N, C, outputSize[0], outputSize[1])` (or unbatched), where L must be the number of block positions.
 */
export function fold(input: Tensor, outputSize: Size2, kernelSize: Size2, options?: FoldOptions): Tensor {
  assertTensor("fold", "input", input);
  const r = input.shape.length;
  if (r !== 2 && r !== 3) throw new ShapeError(`fold: input must be 2-D (C * kH * kW, L) or 3-D (N, C * kH * kW, L), got ${r}-D input of shape ${fmt(input.shape)}`);
  if (input.dtype !== "float32") throw new ArgumentError(`fold: input must be float32, got ${input.dtype} (shape ${fmt(input.shape)})`);
  if (input.shape.slice(r - 2).some((d) => d === 0)) throw new ShapeError(`fold: input may be empty only in the batch dim, got shape ${fmt(input.shape)}`);
  const image = expandInts("fold", "outputSize", outputSize, 2, POSITIVE, input.shape);
  const g = geometry("fold", image, kernelSize, optionsOf("fold", options, input.shape), input.shape);
  const [rows, cols] = input.shape.slice(r - 2);
  const k = g.kernel[0] * g.kernel[1];
  if (rows % k !== 0) {
    throw new ShapeError(`fold: input dim ${r - 2} (${rows}) must be divisible by the product of kernelSize ${fmt(g.kernel)} (${k}), got input shape ${fmt(input.shape)}`);
  }
  if (cols !== g.blocks[0] * g.blocks[1]) {
    throw new ShapeError(
      `fold: input dim ${r - 1} (${cols}) must equal the number of sliding blocks ${g.blocks[0]} * ${g.blocks[1]} = ${g.blocks[0] * g.blocks[1]} for outputSize ${fmt(image)}, kernelSize ${fmt(g.kernel)}, dilation ${fmt(g.dilation)}, padding ${fmt(g.padBegin)}, stride ${fmt(g.stride)} (input shape ${fmt(input.shape)})`,
    );
  }
  const batchedIn = r === 2 ? [1, rows, cols] : input.shape;
  const shape = [batchedIn[0], rows / k, ...image];
  checkElementCount("fold", "output", shape, ` (outputSize ${fmt(image)}, input shape ${fmt(input.shape)})`);
  const y = noGrad(() => {
    const x = r === 2 ? input.reshape(batchedIn) : input;
    try {
      const out = wrap(x.impl, x.impl.fold(x, g), shape, "float32");
      if (r === 3) return out;
      const u = out.reshape(shape.slice(1));
      out.dispose();
      return u;
    } finally {
      if (x !== input) x.dispose();
    }
  });
  // unfold is fold's adjoint.
  const inShape = input.shape;
  record("foldBackward", [input], [y], ([gy]) => [adjoint(gy, shape, batchedIn, inShape, (v) => v.impl.unfold(v, g))]);
  return y;
}
