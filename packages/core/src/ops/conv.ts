/**
 * Convolutions with torch.nn.functional's semantics (`F.conv1d/2d/3d`) plus nn.ConvNd's padding modes,
 * and `convNd`, the general form with explicit (possibly asymmetric) pads that ONNX Conv maps to.
 */
import { type Size1, type Size2, type Size3, type SizeN, assertTensor, batchInput, optionsOf, releaseBatched, unbatch } from "../args.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { type ConvForward, recordConv } from "./conv-grad.js";
import { type ConvArgs, type ConvResolution, type PaddingMode, checkWeightShape, ndWeightRank, planConv, torchConvArgs } from "./conv-shape.js";
import { backendOf, needsGrad, noGrad, wrap } from "./kernel-call.js";
import { padAll } from "./pad.js";
import type { PadsN } from "./pool-window.js";

export type { PaddingMode } from "./conv-shape.js";

export interface ConvOptions<S extends SizeN = SizeN> {
  /** `[Cout]`, added to every output position of its channel. */
  bias?: Tensor | null;
  stride?: S;
  /**
   * Per-dim padding on both sides, or `'valid'` (none) or `'same'` (output size = input size; stride 1
   * only; with an even dilated kernel the extra padding goes at the end, as in PyTorch).
   */
  padding?: S | "same" | "valid";
  dilation?: S;
  /** Input and output channels are split into `groups` independent convolutions; groups = Cin is depthwise. */
  groups?: number;
  /** nn.ConvNd's padding_mode: non-zero modes pad with `pad` first, then convolve without padding. */
  paddingMode?: PaddingMode;
}

/** `convNd` options: explicit per-dim pads (`[begin, end]` pairs allowed, ONNX style), zero padding. */
export interface ConvNdOptions {
  bias?: Tensor | null;
  stride?: SizeN;
  pads?: PadsN;
  dilation?: SizeN;
  groups?: number;
}

/** A float32 weight of `rank + 2` non-empty dims; `layout` names them for the message. */
export function checkWeight(op: string, weight: unknown, rank: number, layout: string, inputShape: readonly number[]): Tensor {
  assertTensor(op, "weight", weight);
  const w = weight;
  checkWeightShape(op, w.shape, rank, layout, inputShape);
  if (w.dtype !== "float32") throw new ArgumentError(`${op}: weight must be float32, got ${w.dtype} (weight shape ${fmt(w.shape)})`);
  return w;
}

/** null, or a float32 1-D bias of `channels` elements. */
export function checkBias(op: string, bias: unknown, channels: number, weightShape: readonly number[]): Tensor | null {
  if (bias === undefined || bias === null) return null;
  assertTensor(op, "bias", bias);
  if (bias.shape.length !== 1 || bias.shape[0] !== channels) {
    throw new ShapeError(
      `${op}: bias must be 1-D with ${channels} elements (one per output channel of weight ${fmt(weightShape)}), got bias of shape ${fmt(bias.shape)}`,
    );
  }
  if (bias.dtype !== "float32") throw new ArgumentError(`${op}: bias must be float32, got ${bias.dtype} (bias shape ${fmt(bias.shape)})`);
  return bias;
}

/**
 * The op: core's shape resolution (conv-shape.ts), the tensor checks, then the kernel, run without
 * recording; one node for the whole op is recorded afterwards (conv-grad.ts).
 */
function runConv(op: string, rank: number, input: Tensor, weight: unknown, bias: unknown, args: ConvArgs): Tensor {
  const grad = needsGrad(input, weight as Tensor | null, bias as Tensor | null);
  let forward = null as ConvForward<ConvResolution> | null;
  const y = noGrad(() => {
    const b = batchInput(op, input, rank);
    let padded: Tensor | null = null;
    try {
      const w = checkWeight(op, weight, rank, "Cout, Cin / groups", input.shape);
      const plan = planConv(op, rank, input.shape, w.shape, args);
      const bs = checkBias(op, bias, w.shape[0], w.shape);
      let x = b.x;
      if (plan.prePad !== null) {
        const { mode, begin, end } = plan.prePad;
        padded = padAll(op, `paddingMode "${mode}" with padding`, x, begin, end, mode, 0);
        x = padded;
      }
      const impl = bs ? backendOf(op, x, w, bs) : backendOf(op, x, w);
      const out = impl.conv(x, w, bs, plan.geometry);
      if (grad) forward = { x: x.detach(), weight: w, bias: bs, plan };
      return unbatch(wrap(impl, out, plan.batchedOutputShape, "float32"), b);
    } finally {
      padded?.dispose();
      releaseBatched(b);
    }
  });
  if (forward !== null) recordConv(op, input, forward, y);
  return y;
}

function convFn<S extends SizeN>(op: string, rank: number) {
  return (input: Tensor, weight: Tensor, options?: ConvOptions<S>): Tensor => {
    const o = optionsOf(op, options, (input as Tensor | undefined)?.shape);
    return runConv(op, rank, input, weight, o.bias, torchConvArgs(o));
  };
}

/** Like `F.conv1d` (+ nn.Conv1d's paddingMode): input `(N, Cin, L)` or `(Cin, L)`, weight `(Cout, Cin / groups, kL)`. */
export const conv1d: (input: Tensor, weight: Tensor, options?: ConvOptions<Size1>) => Tensor = convFn<Size1>("conv1d", 1);
/** Like `F.conv2d` (+ nn.Conv2d's paddingMode): input `(N, Cin, H, W)` or `(Cin, H, W)`, weight `(Cout, Cin / groups, kH, kW)`. */
export const conv2d: (input: Tensor, weight: Tensor, options?: ConvOptions<Size2>) => Tensor = convFn<Size2>("conv2d", 2);
/** Like `F.conv3d` (+ nn.Conv3d's paddingMode): input `(N, Cin, D, H, W)` or `(Cin, D, H, W)`, weight `(Cout, Cin / groups, kD, kH, kW)`. */
export const conv3d: (input: Tensor, weight: Tensor, options?: ConvOptions<Size3>) => Tensor = convFn<Size3>("conv3d", 3);

/**
 * N-d convolution with explicit per-dim zero pads (a number, or `[begin, end]` for asymmetric padding),
 * the general form behind `conv1d/2d/3d`. The spatial rank is the weight's rank minus 2 (1 to 3).
 */
export function convNd(input: Tensor, weight: Tensor, options?: ConvNdOptions): Tensor {
  const op = "convNd";
  const o = optionsOf(op, options, (input as Tensor | undefined)?.shape);
  assertTensor(op, "weight", weight);
  const rank = ndWeightRank(op, weight.shape, "Cout, Cin / groups");
  const args = { stride: o.stride, dilation: o.dilation, groups: o.groups, padding: { explicit: o.pads ?? 0 }, paddingMode: "zeros" };
  return runConv(op, rank, input, weight, o.bias, args);
}
