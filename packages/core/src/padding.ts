/** Padding resolution: 'same' and 'valid' to explicit begin/end pads. */
import { effectiveKernel } from "./pool-output-size.js";

export interface Pads {
  readonly begin: number[];
  readonly end: number[];
}

/**
 * 'same' padding for one dim so that `out = ceil(in / stride)`. The total `max(0, (out - 1) * s + dk - in)`
 * is split evenly; an odd remainder goes at the end (`'upper'`, PyTorch's and ONNX SAME_UPPER's choice)
 * or at the beginning (`'lower'`, ONNX SAME_LOWER).
 */
export function samePadding(inSize: number, kernel: number, stride = 1, dilation = 1, oddAt: "upper" | "lower" = "upper"): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + effectiveKernel(kernel, dilation) - inSize);
  const small = Math.floor(total / 2);
  return oddAt === "upper" ? [small, total - small] : [total - small, small];
}

/** Splits pads given as `[[b0, e0], [b1, e1], ...]` or symmetric `[p0, p1, ...]` into begin/end arrays. */
export function splitPads(pads: readonly (number | readonly [number, number])[]): Pads {
  const begin: number[] = [];
  const end: number[] = [];
  for (const p of pads) {
    if (typeof p === "number") {
      begin.push(p);
      end.push(p);
    } else {
      begin.push(p[0]);
      end.push(p[1]);
    }
  }
  return { begin, end };
}
