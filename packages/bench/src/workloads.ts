import { convMacs, convOutputSize, convTransposeOutputSize, convWeightShape, poolOutputSize } from "@convkit/core";
import { MODEL_WORKLOADS } from "./model-workloads.js";

/**
 * The benchmark workloads W1-W9: batch 1, float32, channels-first (NCHW / NCDHW), no bias; and whole
 * models M1-M3 (src/model-workloads.ts).
 * Each one is described once, in PyTorch terms; every engine adapter derives its own call from this.
 */

export type WorkloadKind = "conv" | "convTranspose" | "maxPool" | "avgPool" | "model";

export interface Workload {
  readonly id: string;
  /** Short human label for tables. */
  readonly label: string;
  readonly kind: WorkloadKind;
  /** Input shape, channels first, batch included. */
  readonly inputShape: readonly number[];
  /**
   * Conv: `(Cout, Cin / groups, ...k)`; convTranspose: `(Cin, Cout / groups, ...k)` (PyTorch layouts).
   * Absent for pooling.
   */
  readonly weightShape?: readonly number[];
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  /** Symmetric padding per spatial dim. */
  readonly padding: readonly number[];
  readonly groups: number;
  readonly outputShape: readonly number[];
  /** Whole-model workloads: the model's registry name in @convkit/layers (kernel, stride, padding are empty). */
  readonly model?: string;
  /** Whole-model workloads: the network's multiply-accumulates. */
  readonly modelMacs?: number;
}

/** Output size of one spatial dim, by core's formulas. */
function outSize(kind: WorkloadKind, input: number, kernel: number, stride: number, pad: number): number {
  if (kind === "convTranspose") return convTransposeOutputSize(input, kernel, stride, pad, pad);
  if (kind === "conv") return convOutputSize(input, kernel, stride, pad, pad);
  return poolOutputSize(input, kernel, stride, pad, pad);
}

interface Geometry {
  id: string;
  label: string;
  kind: WorkloadKind;
  channels: number;
  outChannels?: number;
  spatial: number[];
  kernel: number;
  stride?: number;
  padding?: number;
  groups?: number;
}

function define(g: Geometry): Workload {
  const rank = g.spatial.length;
  const kernel = Array<number>(rank).fill(g.kernel);
  const stride = Array<number>(rank).fill(g.stride ?? 1);
  const padding = Array<number>(rank).fill(g.padding ?? 0);
  const groups = g.groups ?? 1;
  const outC = g.outChannels ?? g.channels;
  const outSpatial = g.spatial.map((s, i) => outSize(g.kind, s, kernel[i], stride[i], padding[i]));
  const transposed = g.kind === "convTranspose";
  const weightShape =
    g.kind === "conv" || transposed
      ? convWeightShape(g.id, rank, { inChannels: g.channels, outChannels: outC, kernelSize: kernel, groups, transposed })
      : undefined;
  return {
    id: g.id,
    label: g.label,
    kind: g.kind,
    inputShape: [1, g.channels, ...g.spatial],
    weightShape,
    kernel,
    stride,
    padding,
    groups,
    outputShape: [1, outC, ...outSpatial],
  };
}

export const WORKLOADS: readonly Workload[] = [
  define({ id: "W1", label: "conv2d 3x3 64→64 56²", kind: "conv", channels: 64, outChannels: 64, spatial: [56, 56], kernel: 3, padding: 1 }),
  define({ id: "W2", label: "conv2d 3x3 256→256 14²", kind: "conv", channels: 256, outChannels: 256, spatial: [14, 14], kernel: 3, padding: 1 }),
  define({ id: "W3", label: "conv2d 7x7 s2 3→64 224²", kind: "conv", channels: 3, outChannels: 64, spatial: [224, 224], kernel: 7, stride: 2, padding: 3 }),
  define({ id: "W4", label: "depthwise 3x3 C256 56²", kind: "conv", channels: 256, outChannels: 256, spatial: [56, 56], kernel: 3, padding: 1, groups: 256 }),
  define({ id: "W5", label: "conv2d 1x1 64→256 56²", kind: "conv", channels: 64, outChannels: 256, spatial: [56, 56], kernel: 1 }),
  define({ id: "W6", label: "maxPool2d 3x3 s2 p1 C64 112²", kind: "maxPool", channels: 64, spatial: [112, 112], kernel: 3, stride: 2, padding: 1 }),
  define({ id: "W7", label: "avgPool2d 2x2 s2 C64 112²", kind: "avgPool", channels: 64, spatial: [112, 112], kernel: 2, stride: 2 }),
  define({ id: "W8", label: "convTranspose2d 4x4 s2 p1 64→32 32²", kind: "convTranspose", channels: 64, outChannels: 32, spatial: [32, 32], kernel: 4, stride: 2, padding: 1 }),
  define({ id: "W9", label: "conv3d 3³ 16→16 16x32²", kind: "conv", channels: 16, outChannels: 16, spatial: [16, 32, 32], kernel: 3, padding: 1 }),
  ...MODEL_WORKLOADS,
];

export function spatialRank(w: Workload): number {
  return w.inputShape.length - 2;
}

export function isConvLike(w: Workload): boolean {
  return w.kind === "conv" || w.kind === "convTranspose" || w.kind === "model";
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Multiply-accumulates of a conv / transposed conv (each weight meets each input or output position once). */
export function macs(w: Workload): number {
  if (w.kind === "model") return w.modelMacs ?? 0;
  if (!w.weightShape) return 0;
  return convMacs({
    inChannels: w.inputShape[1],
    outChannels: w.outputShape[1],
    kernelSize: w.kernel,
    groups: w.groups,
    transposed: w.kind === "convTranspose",
    inputSize: w.inputShape.slice(2),
    outputSize: w.outputShape.slice(2),
    batch: w.inputShape[0],
  });
}

/** Floating-point operations counted as 2 x MACs (convs), for GFLOP/s. */
export function flops(w: Workload): number {
  return 2 * macs(w);
}

/** Bytes of float32 input plus output, for the GB/s of pooling. */
export function ioBytes(w: Workload): number {
  return 4 * (elementCount(w.inputShape) + elementCount(w.outputShape));
}

export function selectWorkloads(ids: readonly string[] | null): Workload[] {
  if (!ids) return [...WORKLOADS];
  const wanted = new Set(ids.map((s) => s.trim().toUpperCase()));
  const unknown = [...wanted].filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length) throw new Error(`--only: unknown workload(s) ${unknown.join(", ")} (known: ${WORKLOADS.map((w) => w.id).join(", ")})`);
  return WORKLOADS.filter((w) => wanted.has(w.id));
}
