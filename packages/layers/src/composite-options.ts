import { type Generator, POSITIVE, type PaddingMode, type Size2, expandInts } from "@convkit/core";
import { layerPadding } from "./conv.js";

/** Options shared by the composite 2-D convolutions; each applies them to its stages as documented there. */
export interface CompositeConvOptions {
  stride?: Size2;
  /** Per-dim zero padding (or `paddingMode` padding), `"same"` (stride 1 only) or `"valid"`. */
  padding?: Size2 | "same" | "valid";
  dilation?: Size2;
  /** Learn a bias per output channel (default true); see each composite for which stage holds it. */
  bias?: boolean;
  paddingMode?: PaddingMode;
  /** Draws every stage's initial weights (default: core's `defaultGenerator`). */
  generator?: Generator;
}

/** Per-axis options of a k x 1 (vertical, axis 0) or 1 x k (horizontal, axis 1) stage of a 2-D factorisation. */
export interface AxisStage {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number] | "same" | "valid";
  dilation: [number, number];
}

/**
 * Splits a 2-D configuration into its vertical (`kH x 1`) and horizontal (`1 x kW`) stages: each
 * stage keeps the kernel, stride, padding and dilation of its own axis and is 1 / 0 / 0 / 1 along
 * the other, so the two passes cover exactly the windows of the 2-D convolution. `"same"` and
 * `"valid"` apply per stage and resolve to the 2-D layer's padding.
 */
export function axisStages(op: string, kernelSize: Size2, o: CompositeConvOptions): [AxisStage, AxisStage] {
  const [kh, kw] = expandInts(op, "kernelSize", kernelSize, 2, POSITIVE);
  const [sh, sw] = expandInts(op, "stride", o.stride ?? 1, 2, POSITIVE);
  const [dh, dw] = expandInts(op, "dilation", o.dilation ?? 1, 2, POSITIVE);
  const padding = layerPadding(op, o.padding ?? 0, 2, [sh, sw]);
  const [ph, pw] = typeof padding === "string" ? [padding, padding] : padding;
  const stagePad = (p: number | string, vertical: boolean): AxisStage["padding"] =>
    typeof p === "string" ? (p as "same" | "valid") : vertical ? [p, 0] : [0, p];
  return [
    { kernelSize: [kh, 1], stride: [sh, 1], padding: stagePad(ph, true), dilation: [dh, 1] },
    { kernelSize: [1, kw], stride: [1, sw], padding: stagePad(pw, false), dilation: [1, dw] },
  ];
}
