/**
 * Transposed convolutions with `F.conv_transpose1d/2d/3d`'s semantics, and `convTransposeNd`, the
 * general form with separate begin/end pads that ONNX ConvTranspose (pads, output_shape) maps to.
 */
import { type Size1, type Size2, type Size3, type SizeN, assertTensor, batchInput, optionsOf, releaseBatched, unbatch } from "../args.js";
import type { Tensor } from "../tensor.js";
import { type ConvForward, recordConvTranspose } from "./conv-grad.js";
import { type ConvTransposeArgs, type ConvTransposeResolution, ndWeightRank, planConvTranspose, torchConvTransposeArgs } from "./conv-shape.js";
import { checkBias, checkWeight } from "./conv.js";
import { backendOf, needsGrad, noGrad, wrap } from "./kernel-call.js";

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

/**
 * The op: core's shape resolution (conv-shape.ts), the tensor checks, then the kernel, run without
 * recording; one node for the whole op is recorded afterwards (conv-grad.ts).
 */
function runConvTranspose(op: string, rank: number, input: Tensor, weight: unknown, bias: unknown, args: ConvTransposeArgs): Tensor {
  const grad = needsGrad(input, weight as Tensor | null, bias as Tensor | null);
  let forward = null as ConvForward<ConvTransposeResolution> | null;
  const y = noGrad(() => {
    const b = batchInput(op, input, rank);
    try {
      const w = checkWeight(op, weight, rank, "Cin, Cout / groups", input.shape);
      const plan = planConvTranspose(op, rank, input.shape, w.shape, args);
      const bs = checkBias(op, bias, plan.batchedOutputShape[1], w.shape);
      const impl = bs ? backendOf(op, b.x, w, bs) : backendOf(op, b.x, w);
      const out = impl.convTranspose(b.x, w, bs, plan.geometry);
      if (grad) forward = { x: b.x.detach(), weight: w, bias: bs, plan };
      return unbatch(wrap(impl, out, plan.batchedOutputShape, "float32"), b);
    } finally {
      releaseBatched(b);
    }
  });
  if (forward !== null) recordConvTranspose(op, input, forward, y);
  return y;
}

function convTransposeFn<S extends SizeN>(op: string, rank: number) {
  return (input: Tensor, weight: Tensor, options?: ConvTransposeOptions<S>): Tensor => {
    const o = optionsOf(op, options, (input as Tensor | undefined)?.shape);
    return runConvTranspose(op, rank, input, weight, o.bias, torchConvTransposeArgs(o));
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
export function convTransposeNd(input: Tensor, weight: Tensor, options?: ConvTransposeNdOptions): Tensor {
  const op = "convTransposeNd";
  const o = optionsOf(op, options, (input as Tensor | undefined)?.shape);
  assertTensor(op, "weight", weight);
  const rank = ndWeightRank(op, weight.shape, "Cin, Cout / groups");
  const args = {
    stride: o.stride,
    dilation: o.dilation,
    groups: o.groups,
    padBegin: o.padBegin ?? 0,
    padEnd: o.padEnd ?? o.padBegin ?? 0,
    outputPadding: o.outputPadding ?? 0,
    torchStyle: false,
  };
  return runConvTranspose(op, rank, input, weight, o.bias, args);
}
