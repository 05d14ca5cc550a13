/**
 * Gradients of the convolution family, recorded as one node per op (as PyTorch's ConvolutionBackward).
 * A convolution and a transposed convolution with the same geometry are each other's adjoint in the
 * input, so each op's input gradient is the other op's forward kernel on the output gradient; both
 * weight gradients come from the backends' `convBackwardWeight` (the transposed one with its operands
 * swapped); the bias gradient sums the output gradient over everything but the channel dim.
 */
import type { ConvGeometry, ConvTransposeGeometry } from "../backend.js";
import type { Tensor } from "../tensor.js";
import type { ConvResolution, ConvTransposeResolution } from "./conv-shape.js";
import { gradKernel, record, wrap } from "./kernel-call.js";
import { padGrad } from "./pad.js";
import { sum } from "./reduce.js";

/** What a convolution's backward needs from its forward. */
export interface ConvForward<P> {
  /**
   * The batched tensor the kernel read (for non-zero padding modes, the padded input): an alias
   * `recordConv*` takes over and disposes.
   */
  readonly x: Tensor;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly plan: P;
}

/** The gradient of the bias: the output gradient `[N, C, ...]` summed over every dim but the channels. */
function biasGrad(dy: Tensor): Tensor {
  return sum(
    dy,
    dy.shape.map((_, i) => i).filter((i) => i !== 1),
  );
}

/**
 * The conv geometry that reads a transposed convolution's output (gradient) as the forward wrote it:
 * its output is the transposed conv's input size. A negative `padEnd` (output padding) added positions
 * that no tap reads, so `crop` says how many to drop from the end first (conv pads are never negative).
 */
function adjointConvGeometry(g: ConvTransposeGeometry, inSpatial: readonly number[]): { geometry: ConvGeometry; crop: number[] } {
  return {
    geometry: { ...g, padEnd: g.padEnd.map((p) => Math.max(p, 0)), outShape: [...inSpatial] },
    crop: g.padEnd.map((p) => Math.min(p, 0)),
  };
}

/** The input and weight gradients of one op from its batched output gradient `dy` (bias is common). */
type InputWeightGrads = (dy: Tensor, x: Tensor | null, w: Tensor | null, needed: readonly boolean[]) => [Tensor | null, Tensor | null];

/**
 * Records one node for a convolution-family op: the forward's input is saved only when the weight
 * needs a gradient, and the weight only when the input does; `grads` computes those two, the bias
 * gradient is the same for every op. Takes over `f.x` (disposing it).
 */
function recordFamily(op: string, input: Tensor, f: ConvForward<{ readonly batchedOutputShape: readonly number[] }>, y: Tensor, grads: InputWeightGrads): void {
  const saveX = f.weight.requiresGrad;
  const saveW = input.requiresGrad;
  const saved = [...(saveX ? [f.x] : []), ...(saveW ? [f.weight] : [])];
  try {
    record(
      `${op}Backward`,
      [input, f.weight, f.bias],
      [y],
      ([gy], s, needed) => {
        const dy = gy.reshape(f.plan.batchedOutputShape);
        const [gx, gw] = grads(dy, saveX ? s[0] : null, saveW ? s[saveX ? 1 : 0] : null, needed);
        return [gx, gw, needed[2] ? biasGrad(dy) : null];
      },
      saved,
    );
  } finally {
    f.x.dispose();
  }
}

/**
 * Records `conv1d/2d/3d` / `convNd` (`y` from `f`): input gradient = the transposed convolution of the
 * output gradient with the same stride, dilation, groups and front padding, its end padding chosen so
 * it lands on the whole (padded) input, then through the padding mode's adjoint when one applied.
 */
export function recordConv(op: string, input: Tensor, f: ConvForward<ConvResolution>, y: Tensor): void {
  const { plan, weight } = f;
  const g = plan.geometry;
  const kernel = weight.shape.slice(2);
  const xShape = f.x.shape;
  const inShape = input.shape;
  const spatial = xShape.slice(2);
  // Output position o of dim i reaches input positions up to o * s - pb + d * (k - 1); past the last
  // window's reach the input gets no gradient (the transposed conv's end pad is negative there).
  const tg: ConvTransposeGeometry = {
    ...g,
    padEnd: spatial.map((n, i) => (g.outShape[i] - 1) * g.stride[i] + g.dilation[i] * (kernel[i] - 1) + 1 - g.padBegin[i] - n),
    outShape: spatial,
  };
  recordFamily(op, input, f, y, (dy, x, w, needed) => {
    const impl = dy.impl;
    let gx: Tensor | null = null;
    if (needed[0] && w) {
      gx = wrap(impl, impl.convTranspose(dy, w, null, tg), xShape, "float32");
      if (plan.prePad !== null) gx = padGrad(op, gx, plan.input.shape, plan.prePad.begin, plan.prePad.end, plan.prePad.mode);
      gx = gx.reshape(inShape);
    }
    const gw = needed[1] && x ? wrap(impl, gradKernel(op, impl, "convBackwardWeight").convBackwardWeight(x, dy, g, kernel), weight.shape, "float32") : null;
    return [gx, gw];
  });
}

/**
 * Records `convTranspose1d/2d/3d` / `convTransposeNd`: input gradient = the convolution of the output
 * gradient with the same geometry (the weight layout `[Cin, Cout / groups, ...k]` is already the conv's
 * `[out, in / groups, ...k]` for that direction); weight gradient = `convBackwardWeight` with the output
 * gradient as the convolution's input and the forward's input as its output gradient.
 */
export function recordConvTranspose(op: string, input: Tensor, f: ConvForward<ConvTransposeResolution>, y: Tensor): void {
  const { weight } = f;
  const kernel = weight.shape.slice(2);
  const xShape = f.x.shape;
  const inShape = input.shape;
  const { geometry: cg, crop } = adjointConvGeometry(f.plan.geometry, xShape.slice(2));
  const cropping = crop.some((c) => c < 0);
  recordFamily(op, input, f, y, (dy, x, w, needed) => {
    const impl = dy.impl;
    let read = dy;
    if (cropping && (needed[0] || needed[1])) {
      const shape = dy.shape.map((n, i) => (i < 2 ? n : n + crop[i - 2]));
      read = wrap(impl, impl.pad(dy, [0, 0, ...crop.map(() => 0)], [0, 0, ...crop], "constant", 0), shape, "float32");
    }
    const gx = needed[0] && w ? wrap(impl, impl.conv(read, w, null, cg), xShape, "float32").reshape(inShape) : null;
    const gw = needed[1] && x ? wrap(impl, gradKernel(op, impl, "convBackwardWeight").convBackwardWeight(read, x, cg, kernel), weight.shape, "float32") : null;
    return [gx, gw];
  });
}
