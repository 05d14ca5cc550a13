/**
 * Convolutions with torch.nn.functional's semantics (`F.conv1d/2d/3d`) plus nn.ConvNd's padding modes,
 * and `convNd`, the general form with explicit (possibly asymmetric) pads that ONNX Conv maps to.
 */
import {
  NON_NEGATIVE,
  POSITIVE,
  type Size1,
  type Size2,
  type Size3,
  type SizeN,
  assertTensor,
  batchInput,
  expandInts,
  releaseBatched,
  unbatch,
} from "../args.js";
import type { ConvGeometry, PadMode } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import { samePadding } from "../padding.js";
import { convOutputSize, effectiveKernel } from "../pool-output-size.js";
import type { Tensor } from "../tensor.js";
import { backendOf, wrap } from "./kernel-call.js";
import { padAll } from "./pad.js";
import { type PadsN, resolvePads } from "./pool-window.js";

/** How nn.ConvNd fills its padding: zeros (the functional default) or F.pad's reflect/replicate/circular. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

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

const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];
const KERNEL_NAMES: Record<number, string> = { 1: "kL", 2: "kH, kW", 3: "kD, kH, kW" };

/** Positive integer `groups`, with the op's message. */
export function checkGroups(op: string, groups: unknown): number {
  const g = groups ?? 1;
  if (typeof g !== "number" || !Number.isInteger(g) || g < 1) throw new ArgumentError(`${op}: groups must be a positive integer, got ${fmt(groups)}`);
  return g;
}

/** A float32 weight of `rank + 2` non-empty dims; `layout` names them for the message. */
export function checkWeight(op: string, weight: unknown, rank: number, layout: string, inputShape: readonly number[]): Tensor {
  assertTensor(op, "weight", weight);
  const w = weight;
  if (w.shape.length !== rank + 2) {
    throw new ShapeError(
      `${op}: weight must be ${rank + 2}-D [${layout}, ${KERNEL_NAMES[rank]}], got ${w.shape.length}-D weight of shape ${fmt(w.shape)} (input shape ${fmt(inputShape)})`,
    );
  }
  if (w.shape.some((d) => d === 0))
    throw new ShapeError(`${op}: weight must have no empty dims, got weight of shape ${fmt(w.shape)} (input shape ${fmt(inputShape)})`);
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

interface ResolvedPadding {
  begin: number[];
  end: number[];
}

function resolvePadding(
  op: string,
  padding: unknown,
  rank: number,
  kernel: number[],
  stride: number[],
  dilation: number[],
  shape: readonly number[],
): ResolvedPadding {
  if (padding === "valid") return { begin: new Array(rank).fill(0), end: new Array(rank).fill(0) };
  if (padding === "same") {
    if (stride.some((s) => s !== 1)) {
      throw new ArgumentError(`${op}: padding "same" needs stride 1 in every dim (as in PyTorch), got stride ${fmt(stride)} (input shape ${fmt(shape)})`);
    }
    const pairs = kernel.map((k, i) => samePadding(shape[shape.length - rank + i], k, 1, dilation[i]));
    return { begin: pairs.map((p) => p[0]), end: pairs.map((p) => p[1]) };
  }
  if (typeof padding === "string")
    throw new ArgumentError(`${op}: padding must be an integer, a tuple of ${rank} integers, "same" or "valid", got ${fmt(padding)}`);
  const p = expandInts(op, "padding", (padding ?? 0) as SizeN, rank, NON_NEGATIVE, shape);
  return { begin: p, end: [...p] };
}

interface ConvCall {
  op: string;
  rank: number;
  input: Tensor;
  weight: unknown;
  bias: unknown;
  stride: SizeN | undefined;
  dilation: SizeN | undefined;
  groups: unknown;
  /** Resolves pads once kernel, stride and dilation are known. */
  pads: (kernel: number[], stride: number[], dilation: number[], shape: readonly number[]) => ResolvedPadding;
  paddingMode: PaddingMode;
}

function runConv(c: ConvCall): Tensor {
  const { op, rank } = c;
  const b = batchInput(op, c.input, rank);
  let padded: Tensor | null = null;
  try {
    const shape = b.x.shape;
    const w = checkWeight(op, c.weight, rank, "Cout, Cin / groups", c.input.shape);
    const groups = checkGroups(op, c.groups);
    const [cout, cinPerGroup] = w.shape;
    const cin = shape[1];
    if (cout % groups !== 0) {
      throw new ShapeError(`${op}: groups=${groups} must divide the weight's output channels (dim 0), got weight of shape ${fmt(w.shape)}`);
    }
    if (cinPerGroup * groups !== cin) {
      throw new ShapeError(
        `${op}: weight of shape ${fmt(w.shape)} with groups=${groups} expects ${cinPerGroup * groups} input channels (weight dim 1 x groups), got input of shape ${fmt(c.input.shape)} with ${cin} channels`,
      );
    }
    const bias = checkBias(op, c.bias, cout, w.shape);
    const kernel = w.shape.slice(2);
    const stride = expandInts(op, "stride", c.stride ?? 1, rank, POSITIVE, c.input.shape);
    const dilation = expandInts(op, "dilation", c.dilation ?? 1, rank, POSITIVE, c.input.shape);
    let { begin, end } = c.pads(kernel, stride, dilation, shape);
    let x = b.x;
    if (c.paddingMode !== "zeros" && [...begin, ...end].some((p) => p > 0)) {
      padded = padAll(op, `paddingMode "${c.paddingMode}" with padding`, x, [0, 0, ...begin], [0, 0, ...end], c.paddingMode as PadMode, 0);
      x = padded;
      begin = begin.map(() => 0);
      end = end.map(() => 0);
    }
    const spatial = x.shape.slice(2);
    const outShape = spatial.map((n, i) => convOutputSize(n, kernel[i], stride[i], begin[i], end[i], dilation[i]));
    if (outShape.some((o) => o < 1)) {
      const paddedSize = spatial.map((n, i) => n + begin[i] + end[i]);
      throw new ShapeError(
        `${op}: kernel size ${fmt(kernel)} (dilation ${fmt(dilation)}, effective ${fmt(kernel.map((k, i) => effectiveKernel(k, dilation[i])))}) is larger than the padded input ${fmt(paddedSize)}; input shape ${fmt(c.input.shape)}, weight shape ${fmt(w.shape)}, padding ${fmt(begin.map((p, i) => (p === end[i] ? p : [p, end[i]])))}`,
      );
    }
    const impl = bias ? backendOf(op, x, w, bias) : backendOf(op, x, w);
    const g: ConvGeometry = { stride, dilation, padBegin: begin, padEnd: end, groups, outShape };
    const out = impl.conv(x, w, bias, g);
    return unbatch(wrap(impl, out, [shape[0], cout, ...outShape], "float32"), b);
  } finally {
    padded?.dispose();
    releaseBatched(b);
  }
}

function checkPaddingMode(op: string, mode: unknown): PaddingMode {
  const m = mode ?? "zeros";
  if (!PADDING_MODES.includes(m as PaddingMode)) {
    throw new ArgumentError(`${op}: paddingMode must be one of ${PADDING_MODES.map((s) => `"${s}"`).join(", ")}, got ${fmt(mode)}`);
  }
  return m as PaddingMode;
}

function convFn<S extends SizeN>(op: string, rank: number) {
  return (input: Tensor, weight: Tensor, options: ConvOptions<S> = {}): Tensor => {
    const o = options;
    return runConv({
      op,
      rank,
      input,
      weight,
      bias: o.bias,
      stride: o.stride,
      dilation: o.dilation,
      groups: o.groups,
      pads: (kernel, stride, dilation, shape) => resolvePadding(op, o.padding, rank, kernel, stride, dilation, shape),
      paddingMode: checkPaddingMode(op, o.paddingMode),
    });
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
export function convNd(input: Tensor, weight: Tensor, options: ConvNdOptions = {}): Tensor {
  const op = "convNd";
  assertTensor(op, "weight", weight);
  const rank = weight.shape.length - 2;
  if (rank < 1 || rank > 3) {
    throw new ShapeError(
      `convNd: weight must be 3-D to 5-D [Cout, Cin / groups, ...kernel], got ${weight.shape.length}-D weight of shape ${fmt(weight.shape)}`,
    );
  }
  const o = options;
  return runConv({
    op,
    rank,
    input,
    weight,
    bias: o.bias,
    stride: o.stride,
    dilation: o.dilation,
    groups: o.groups,
    pads: (_k, _s, _d, shape) => resolvePads(op, "pads", o.pads ?? 0, rank, shape),
    paddingMode: "zeros",
  });
}
