/**
 * What `convkit run` feeds a model: a PNG (as torchvision's ToTensor + Normalize would give it), a JSON
 * tensor, or a tensor from a safetensors file; and how its output is reported (top-k classes).
 */
import { readFileSync } from "node:fs";
import { type Tensor, tensor } from "@convkit/core";
import { loadSafetensors } from "@convkit/layers";
import { UsageError, fileError, readJsonInput } from "./args.js";
import { formatShape } from "./format.js";
import { readPng } from "./png.js";

/** torchvision's ImageNet normalisation (`transforms.Normalize(mean, std)` after `ToTensor()`). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * A PNG as a `(1, channels, H, W)` float32 tensor. Three channels: RGB scaled to [0, 1], then normalised
 * with ImageNet's mean and std when `normalize` is set (what torchvision's pretrained classifiers expect).
 * One channel: luminance `0.299 R + 0.587 G + 0.114 B` scaled to [0, 1], not normalised. The image is used
 * at its own size (no resize or crop).
 */
export function pngTensor(command: string, path: string, channels: number, normalize: boolean): Tensor {
  const px = readPng(command, path);
  const plane = px.width * px.height;
  if (channels === 1) {
    const data = new Float32Array(plane);
    for (let p = 0; p < plane; p++) data[p] = (0.299 * px.data[3 * p] + 0.587 * px.data[3 * p + 1] + 0.114 * px.data[3 * p + 2]) / 255;
    return tensor(data, [1, 1, px.height, px.width]);
  }
  if (channels !== 3) throw new UsageError(`${command}: a PNG gives 1 (gray) or 3 (RGB) channels, but the model takes ${channels}; give a tensor (.json or .safetensors)`);
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const mean = normalize ? IMAGENET_MEAN[c] : 0;
    const std = normalize ? IMAGENET_STD[c] : 1;
    for (let p = 0; p < plane; p++) data[c * plane + p] = (px.data[3 * p + c] / 255 - mean) / std;
  }
  return tensor(data, [1, 3, px.height, px.width]);
}

/** The tensor named "input" in a safetensors file, or its only tensor. */
export function safetensorsInput(command: string, path: string): Tensor {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError(command, "read", path, e);
  }
  const { tensors } = loadSafetensors(bytes);
  const names = Object.keys(tensors);
  const pick = "input" in tensors ? "input" : names.length === 1 ? names[0] : null;
  for (const name of names) if (name !== pick) tensors[name].dispose();
  if (pick === null) {
    throw new UsageError(`${command}: ${path} holds ${names.length} tensors (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}) and none is named "input"`);
  }
  return tensors[pick];
}

/** `--input`: a .png, a .safetensors file, or a JSON tensor (a file path, `@path`, or inline JSON). */
export function readModelInput(command: string, spec: string, channels: number, normalize: boolean): Tensor {
  const lower = spec.toLowerCase();
  if (lower.endsWith(".png")) return pngTensor(command, spec, channels, normalize);
  if (lower.endsWith(".safetensors")) return safetensorsInput(command, spec);
  const trimmed = spec.trimStart();
  const json = readJsonInput(command, trimmed.startsWith("[") || trimmed.startsWith("{") || trimmed.startsWith("@") ? spec : `@${spec}`);
  return tensor(json.values, json.shape);
}

/** One entry of a top-k listing. */
export interface ClassScore {
  index: number;
  /** The model's output (logit) for the class. */
  score: number;
  /** softmax over the row. */
  probability: number;
}

/** The `k` highest scores of each row of a `(N, classes)` output, best first (ties: lower index first), with softmax probabilities. */
export function topK(values: ArrayLike<number>, shape: readonly number[], k: number): ClassScore[][] {
  if (shape.length !== 2) throw new UsageError(`top-k needs a (N, classes) output, got ${formatShape(shape)}`);
  const [n, classes] = shape;
  const rows: ClassScore[][] = [];
  for (let r = 0; r < n; r++) {
    const row = Array.from({ length: classes }, (_, i) => values[r * classes + i]);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const order = row.map((_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
    rows.push(order.slice(0, k).map((i) => ({ index: i, score: row[i], probability: Math.exp(row[i] - max) / sum })));
  }
  return rows;
}
