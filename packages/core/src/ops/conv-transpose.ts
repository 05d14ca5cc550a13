/**
 * Transposed convolutions with `F.conv_transpose1d/2d/3d`'s semantics, and `convTransposeNd`, the
 * general form with separate begin/end pads that ONNX ConvTranspose (pads, output_shape) maps to.
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
import type { ConvTransposeGeometry } from "../backend.js";
import { ArgumentError, ShapeError, fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkBias, checkGroups, checkWeight } from "./conv.js";
import { backendOf, wrap } from "./kernel-call.js";

export interface ConvTransposeOptions<S extends SizeN = SizeN> {
  /** `[Cout]`. */
  bias?: Tensor | null;
  stride?: S;
  /** Removes `padding` positions from both ends of the full output (PyTorch's `padding`). */
  padding?: S;
  /** Extra positions at the end of each dim; must be smaller than stride or dilation (PyTorch's rule). */
  outputPadding?: S;
  groups?: number;
  dilation?: S;
}

/** `convTransposeNd` options: begin and end pads given separately. */
export interface ConvTransposeNdOptions {
  bias?: Tensor | null;
  stride?: SizeN;
  dilation?: SizeN;
  groups?: number;
  /** Positions removed from the start of each dim (non-negative). */
  padBegin?: SizeN;
  /** Positions removed from the end of each dim; negative adds positions (ONNX output_shape can need that). */
  padEnd?: SizeN;
  /** Extra positions at the end of each dim (non-negative; no stride/dilation rule here). */
  outputPadding?: SizeN;
}

/** Integers of any sign, one per dim (for padEnd). */
function expandSigned(op: string, name: string, value: SizeN, rank: number, shape: readonly number[]): number[] {
  return expandInts(op, name, value, rank, { min: Number.NEGATIVE_INFINITY, describe: "integers" }, shape);
}

interface ConvTransposeCall {
  op: string;
  rank: number;
  input: Tensor;
  weight: unknown;
  bias: unknown;
  stride: SizeN | undefined;
  dilation: SizeN | undefined;
  groups: unknown;
  padBegin: SizeN;
  padEnd: SizeN;
  outputPadding: SizeN;
  /** PyTorch's rule that outputPadding is smaller than stride or dilation (1d/2d/3d only). */
  torchOutputPaddingRule: boolean;
}

function runConvTranspose(c: ConvTransposeCall): Tensor {
  const { op, rank } = c;
  const b = batchInput(op, c.input, rank);
  try {
    const shape = b.x.shape;
    const w = checkWeight(op, c.weight, rank, "Cin, Cout / groups", c.input.shape);
    const groups = checkGroups(op, c.groups);
    const cin = shape[1];
    if (w.shape[0] % groups !== 0) {
      throw new ShapeError(`${op}: groups=${groups} must divide the weight's input channels (dim 0), got weight of shape ${fmt(w.shape)}`);
    }
    if (w.shape[0] !== cin) {
      throw new ShapeError(
        `${op}: weight of shape ${fmt(w.shape)} expects ${w.shape[0]} input channels (weight dim 0), got input of shape ${fmt(c.input.shape)} with ${cin} channels`,
      );
    }
    const cout = w.shape[1] * groups;
    const bias = checkBias(op, c.bias, cout, w.shape);
    const kernel = w.shape.slice(2);
    const stride = expandInts(op, "stride", c.stride ?? 1, rank, POSITIVE, c.input.shape);
    const dilation = expandInts(op, "dilation", c.dilation ?? 1, rank, POSITIVE, c.input.shape);
    const padBegin = expandInts(op, c.torchOutputPaddingRule ? "padding" : "padBegin", c.padBegin, rank, NON_NEGATIVE, c.input.shape);
    const padEnd = c.torchOutputPaddingRule ? padBegin : expandSigned(op, "padEnd", c.padEnd, rank, c.input.shape);
    const outPad = expandInts(op, "outputPadding", c.outputPadding, rank, NON_NEGATIVE, c.input.shape);
    if (c.torchOutputPaddingRule && outPad.some((p, i) => p >= stride[i] && p >= dilation[i])) {
      throw new ArgumentError(
        `${op}: outputPadding ${fmt(outPad)} must be smaller than either stride ${fmt(stride)} or dilation ${fmt(dilation)} in every dim (as in PyTorch); input shape ${fmt(c.input.shape)}`,
      );
    }
    const spatial = shape.slice(2);
    const outShape = spatial.map((n, i) => (n - 1) * stride[i] - padBegin[i] - padEnd[i] + dilation[i] * (kernel[i] - 1) + outPad[i] + 1);
    if (outShape.some((o) => o < 1)) {
      throw new ShapeError(
        `${op}: output size ${fmt(outShape)} is too small (every dim must be at least 1): input size ${fmt(spatial)}, kernel ${fmt(kernel)}, stride ${fmt(stride)}, padding ${fmt(padBegin.map((p, i) => (p === padEnd[i] ? p : [p, padEnd[i]])))}, dilation ${fmt(dilation)}, outputPadding ${fmt(outPad)}; input shape ${fmt(c.input.shape)}`,
      );
    }
    const impl = bias ? backendOf(op, b.x, w, bias) : backendOf(op, b.x, w);
    const g: ConvTransposeGeometry = { stride, dilation, padBegin, padEnd: padEnd.map((p, i) => p - outPad[i]), groups, outShape };
    const out = impl.convTranspose(b.x, w, bias, g);
    return unbatch(wrap(impl, out, [shape[0], cout, ...outShape], "float32"), b);
  } finally {
    releaseBatched(b);
  }
}

function convTransposeFn<S extends SizeN>(op: string, rank: number) {
  return (input: Tensor, weight: Tensor, options: ConvTransposeOptions<S> = {}): Tensor => {
    const o = options;
    const padding = o.padding ?? 0;
    return runConvTranspose({
      op,
      rank,
      input,
      weight,
      bias: o.bias,
      stride: o.stride,
      dilation: o.dilation,
      groups: o.groups,
      padBegin: padding,
      padEnd: padding,
      outputPadding: o.outputPadding ?? 0,
      torchOutputPaddingRule: true,
    });
  };
}

type ConvTransposeFn<S extends SizeN> = (input: Tensor, weight: Tensor, options?: ConvTransposeOptions<S>) => Tensor;

/** Like `F.conv_transpose1d`: input `(N, Cin, L)` or `(Cin, L)`, weight `(Cin, Cout / groups, kL)`. */
export const convTranspose1d: ConvTransposeFn<Size1> = convTransposeFn<Size1>("convTranspose1d", 1);
/** Like `F.conv_transpose2d`: input `(N, Cin, H, W)` or `(Cin, H, W)`, weight `(Cin, Cout / groups, kH, kW)`. */
export const convTranspose2d: ConvTransposeFn<Size2> = convTransposeFn<Size2>("convTranspose2d", 2);
/** Like `F.conv_transpose3d`: input `(N, Cin, D, H, W)` or `(Cin, D, H, W)`, weight `(Cin, Cout / groups, kD, kH, kW)`. */
export const convTranspose3d: ConvTransposeFn<Size3> = convTransposeFn<Size3>("convTranspose3d", 3);

/**
 * N-d transposed convolution with separate begin/end pads: output size per dim is
 * `(in - 1) * stride - padBegin - padEnd + dilation * (k - 1) + outputPadding + 1`. The spatial rank is
 * the weight's rank minus 2 (1 to 3).
 */
export function convTransposeNd(input: Tensor, weight: Tensor, options: ConvTransposeNdOptions = {}): Tensor {
  const op = "convTransposeNd";
  assertTensor(op, "weight", weight);
  const rank = weight.shape.length - 2;
  if (rank < 1 || rank > 3) {
    throw new ShapeError(
      `convTransposeNd: weight must be 3-D to 5-D [Cin, Cout / groups, ...kernel], got ${weight.shape.length}-D weight of shape ${fmt(weight.shape)}`,
    );
  }
  const o = options;
  return runConvTranspose({
    op,
    rank,
    input,
    weight,
    bias: o.bias,
    stride: o.stride,
    dilation: o.dilation,
    groups: o.groups,
    padBegin: o.padBegin ?? 0,
    padEnd: o.padEnd ?? o.padBegin ?? 0,
    outputPadding: o.outputPadding ?? 0,
    torchOutputPaddingRule: false,
  });
}
