import { type Size1, type Size2, type Size3, type SizeN, NON_NEGATIVE, POSITIVE, assertTensor, batchInput, checkElementCount, expandInts, optionsOf, releaseBatched, unbatch } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { maxUnpoolOutputSize } from "../pool-output-size.js";
import { type Tensor, sizeOf } from "../tensor.js";
import { backendOf, gradKernels, needsGrad, noGrad, record, wrap } from "./kernel-call.js";

export interface MaxUnpoolOptions<S extends SizeN = SizeN> {
  /** Defaults to kernelSize. */
  stride?: S | null;
  padding?: S;
  /** Spatial output size (or the full shape with N and C), within one stride of the default. */
  outputSize?: readonly number[] | null;
}

function run(op: string, rank: number, input: Tensor, indices: Tensor, kernelSize: SizeN, opts: MaxUnpoolOptions | undefined): Tensor {
  const grad = needsGrad(input);
  let batchedIndices: Tensor | null = null;
  let batchedOut: number[] = [];
  const y = noGrad(() =>
    forward(op, rank, input, indices, kernelSize, opts, (bi, shape) => {
      // An alias: the forward disposes its batched view of the indices.
      if (grad) batchedIndices = bi.detach();
      batchedOut = shape;
    }),
  );
  if (batchedIndices !== null) {
    // The gradient of a scatter is the gather from the same positions.
    const inShape = input.shape;
    record(
      `${op}Backward`,
      [input, null],
      [y],
      ([gy], [idx]) => {
        const v = gy.reshape(batchedOut);
        const r = wrap(gy.impl, gradKernels(op, gy.impl).gather(v, idx), idx.shape, "float32");
        v.dispose();
        const out = r.reshape(inShape);
        r.dispose();
        return [out, null];
      },
      [batchedIndices],
    );
    (batchedIndices as Tensor).dispose();
  }
  return y;
}

function forward(
  op: string,
  rank: number,
  input: Tensor,
  indices: Tensor,
  kernelSize: SizeN,
  opts: MaxUnpoolOptions | undefined,
  resolved: (batchedIndices: Tensor, batchedOut: number[]) => void,
): Tensor {
  const b = batchInput(op, input, rank);
  try {
    assertTensor(op, "indices", indices);
    const shape = input.shape;
    const options = optionsOf(op, opts, shape);
    if (indices.shape.length !== shape.length || indices.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${op}: indices must have the input's shape ${fmt(shape)}, got ${fmt(indices.shape)}`);
    }
    if (indices.dtype !== "int32") throw new ArgumentError(`${op}: indices must be int32 (as returned by maxPool with returnIndices), got ${indices.dtype} (shape ${fmt(indices.shape)})`);
    const impl = backendOf(op, input, indices);
    const kernel = expandInts(op, "kernelSize", kernelSize, rank, POSITIVE, shape);
    const stride = options.stride === undefined || options.stride === null ? [...kernel] : expandInts(op, "stride", options.stride, rank, POSITIVE, shape);
    const padding = expandInts(op, "padding", options.padding ?? 0, rank, NON_NEGATIVE, shape);
    const spatial = b.x.shape.slice(2);
    const defaults = spatial.map((n, i) => maxUnpoolOutputSize(n, kernel[i], stride[i], padding[i]));
    let out = defaults;
    if (options.outputSize !== undefined && options.outputSize !== null) {
      let req = Array.from(options.outputSize);
      if (req.length === rank + 2) req = req.slice(2);
      if (req.length !== rank || req.some((v) => !Number.isInteger(v))) {
        throw new ArgumentError(`${op}: outputSize must hold ${rank} or ${rank + 2} integers, got ${fmt(options.outputSize)} (input shape ${fmt(shape)})`);
      }
      req.forEach((v, i) => {
        const lo = defaults[i] - stride[i];
        const hi = defaults[i] + stride[i];
        if (!(lo < v && v < hi)) {
          throw new ArgumentError(`${op}: outputSize ${fmt(options.outputSize)} is invalid: dim ${i} must be between ${lo} and ${hi} exclusive (default size ${fmt(defaults)}, input shape ${fmt(shape)})`);
        }
      });
      out = req;
    }
    if (out.some((v) => v < 1)) {
      throw new ShapeError(`${op}: output size ${fmt(out)} is too small (input shape ${fmt(shape)}, kernelSize ${fmt(kernel)}, stride ${fmt(stride)}, padding ${fmt(padding)})`);
    }
    checkElementCount(op, "output", [b.x.shape[0], b.x.shape[1], ...out], ` (kernelSize ${fmt(kernel)}, stride ${fmt(stride)}, padding ${fmt(padding)}, input shape ${fmt(shape)})`);
    const plane = sizeOf(out);
    // Indices are data; checking them needs a read, but an out-of-range index must never write out of bounds.
    const idx = indices.dataSync();
    for (let i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= plane) {
        throw new ArgumentError(`${op}: index ${idx[i]} at flat position ${i} of indices is out of range for output planes of size ${fmt(out)} (${plane} elements); input shape ${fmt(shape)}`);
      }
    }
    const bi = b.unbatched ? indices.reshape([1, ...indices.shape]) : indices;
    try {
      const h = impl.maxUnpool(b.x, bi, { outShape: out });
      const shape = [b.x.shape[0], b.x.shape[1], ...out];
      resolved(bi, shape);
      return unbatch(wrap(impl, h, shape, "float32"), b);
    } finally {
      if (bi !== indices) bi.dispose();
    }
  } finally {
    releaseBatched(b);
  }
}

/** Like `F.max_unpool1d`: scatters `input` to the positions in `indices` (from `maxPool1d(..., { returnIndices: true })`). */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: Size1, options?: MaxUnpoolOptions<Size1>): Tensor {
  return run("maxUnpool1d", 1, input, indices, kernelSize, options);
}

/** Like `F.max_unpool2d`. */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: Size2, options?: MaxUnpoolOptions<Size2>): Tensor {
  return run("maxUnpool2d", 2, input, indices, kernelSize, options);
}

/** Like `F.max_unpool3d`. */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: Size3, options?: MaxUnpoolOptions<Size3>): Tensor {
  return run("maxUnpool3d", 3, input, indices, kernelSize, options);
}
