/**
 * What `convkit image` does to a picture: the named kernels, how a kernel meets the three colour
 * channels (the tutorial's 5.2.2: a multi-channel kernel sums over the channels; a depthwise
 * convolution keeps them apart), optional pooling, and the mapping of float outputs back to bytes.
 */
import { type PaddingMode, type Tensor, avgPool2d, conv2d, maxPool2d, tensor, tidy } from "@convkit/core";
import { SpatiallySeparableConv2d } from "@convkit/layers";
import type { Pixels } from "./png.js";

export interface NamedKernel {
  readonly kernel: readonly (readonly number[])[];
  readonly summary: string;
}

export const NAMED_KERNELS: Readonly<Record<string, NamedKernel>> = {
  "sobel-x": {
    kernel: [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ],
    summary: "horizontal gradient (vertical edges); the tutorial's [1,2,1]^T x [-1,0,1]",
  },
  "sobel-y": {
    kernel: [
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ],
    summary: "vertical gradient (horizontal edges); [-1,0,1]^T x [1,2,1]",
  },
  blur: {
    kernel: [
      [1 / 16, 2 / 16, 1 / 16],
      [2 / 16, 4 / 16, 2 / 16],
      [1 / 16, 2 / 16, 1 / 16],
    ],
    summary: "3x3 Gaussian blur, [1,2,1]^T x [1,2,1] / 16",
  },
  sharpen: {
    kernel: [
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ],
    summary: "sharpen: 5 x centre minus the four neighbours",
  },
  emboss: {
    kernel: [
      [-2, -1, 0],
      [-1, 1, 1],
      [0, 1, 2],
    ],
    summary: "emboss: lit from the bottom right",
  },
};

/** gray: luminance first, one 2-D kernel; sum: one kernel over all three channels (one output); depthwise: one kernel per channel (groups = 3). */
export type ImageMode = "gray" | "depthwise" | "sum";
export const IMAGE_MODES: readonly ImageMode[] = ["depthwise", "sum", "gray"];

export type Normalize = "auto" | "abs" | "clip" | "minmax";
export const NORMALIZE_RULES: readonly Normalize[] = ["auto", "abs", "clip", "minmax"];

/** A kernel as given: `[kH, kW]` (one 2-D kernel) or `[3, kH, kW]` (one per colour channel). */
export interface ImageKernel {
  readonly label: string;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export interface Pool {
  readonly kind: "max" | "avg";
  readonly size: number;
}

export interface FilterOptions {
  readonly mode: ImageMode;
  readonly paddingMode: PaddingMode;
  readonly pool?: Pool;
  /** Run a 2-D kernel as SpatiallySeparableConv2d.fromKernel (a kH x 1 then a 1 x kW pass). */
  readonly separable?: boolean;
}

/** Float output of the filter, (C, H, W) row-major. */
export interface FloatImage {
  readonly channels: 1 | 3;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** ITU-R BT.601 luma weights, the usual RGB -> gray conversion. */
const LUMA = [0.299, 0.587, 0.114];

function rows2d(k: ImageKernel): number[][] {
  const [kh, kw] = k.shape;
  return Array.from({ length: kh }, (_, i) => k.data.slice(i * kw, (i + 1) * kw));
}

/** The convolution weight for a mode: the 2-D kernel repeated per channel where the mode needs it. */
function weightFor(k: ImageKernel, mode: ImageMode, channels: number): Tensor {
  const perChannel = k.shape.length === 3;
  const [kh, kw] = k.shape.slice(-2);
  const plane = kh * kw;
  const data = perChannel ? Float32Array.from(k.data) : Float32Array.from({ length: channels * plane }, (_, i) => k.data[i % plane]);
  if (mode === "depthwise") return tensor(data, [channels, 1, kh, kw]);
  return tensor(data, [1, channels, kh, kw]);
}

/**
 * Applies the kernel to an RGB image with 'same' padding of `paddingMode` (the output keeps the
 * input's size before pooling), then pools. Runs inside tidy: no tensor outlives the call.
 */
export function filterImage(pixels: Pixels, k: ImageKernel, o: FilterOptions): FloatImage {
  return tidy(() => {
    const { width, height } = pixels;
    const rgb = new Float32Array(3 * width * height);
    for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) rgb[c * width * height + p] = pixels.data[3 * p + c];
    let x = tensor(rgb, [1, 3, height, width]);
    if (o.mode === "gray") x = conv2d(x, tensor(LUMA, [1, 3, 1, 1]));
    const channels = x.shape[1];
    let y: Tensor;
    if (o.separable) {
      const layer = SpatiallySeparableConv2d.fromKernel(rows2d(k), {
        inChannels: channels,
        depthwise: o.mode === "depthwise",
        padding: "same",
        paddingMode: o.paddingMode,
      });
      try {
        y = layer.forward(x);
      } finally {
        layer.dispose();
      }
    } else {
      y = conv2d(x, weightFor(k, o.mode, channels), { padding: "same", paddingMode: o.paddingMode, groups: o.mode === "depthwise" ? channels : 1 });
    }
    if (o.pool) y = o.pool.kind === "max" ? maxPool2d(y, o.pool.size) : avgPool2d(y, o.pool.size);
    const [, c, h, w] = y.shape;
    return { channels: c as 1 | 3, height: h, width: w, data: Float32Array.from(y.dataSync()) };
  });
}

/**
 * `auto` picks by the sum of the weights feeding each output channel: 0 (an edge detector: signed
 * output around 0) -> abs, 1 (keeps brightness: blur, sharpen, emboss) -> clip, anything else -> minmax.
 */
export function resolveNormalize(rule: Normalize, k: ImageKernel, mode: ImageMode): Exclude<Normalize, "auto"> {
  if (rule !== "auto") return rule;
  const [kh, kw] = k.shape.slice(-2);
  const plane = kh * kw;
  const planes = k.shape.length === 3 ? k.shape[0] : 1;
  const sums = Array.from({ length: planes }, (_, c) => k.data.slice(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0));
  // sum mode adds the channels up: a 2-D kernel counts three times.
  const perOutput = mode === "sum" ? [planes === 1 ? 3 * sums[0] : sums.reduce((a, b) => a + b, 0)] : sums;
  if (perOutput.every((s) => Math.abs(s) < 1e-9)) return "abs";
  if (perOutput.every((s) => Math.abs(s - 1) < 1e-9)) return "clip";
  return "minmax";
}

export const NORMALIZE_TEXT: Record<Exclude<Normalize, "auto">, string> = {
  abs: "|v| rounded, clipped to 255",
  clip: "v rounded, clipped to 0..255",
  minmax: "(v - min) / (max - min) * 255 rounded",
};

/** Rounds half up, as the README documents (Math.round). */
function byte(v: number): number {
  return Math.min(255, Math.max(0, Math.round(v)));
}

/** Bytes for the PNG, interleaved per pixel; `min`/`max` are the float output's range. */
export function toPixels(img: FloatImage, rule: Exclude<Normalize, "auto">): { pixels: Pixels; min: number; max: number } {
  const { channels, height, width, data } = img;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  const plane = width * height;
  const out = new Uint8Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const v = data[c * plane + p];
      out[channels * p + c] = rule === "abs" ? byte(Math.abs(v)) : rule === "clip" ? byte(v) : span > 0 ? byte(((v - min) / span) * 255) : 0;
    }
  }
  return { pixels: { width, height, channels, data: out }, min, max };
}
