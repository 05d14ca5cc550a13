/**
 * A procedurally generated image dataset, so training needs no download: grayscale images of four
 * shapes (circle, square, triangle, cross) at a random position, size, rotation and brightness, on a
 * black background with Gaussian pixel noise. Shapes are drawn from signed distance functions with one
 * pixel of analytic anti-aliasing. The same options give the same images (core's seedable Generator).
 */
import { ArgumentError, Generator } from "@convkit/core";
import type { InMemoryDataset } from "./dataset.js";

/** The class names, by class index. */
export const SHAPE_CLASSES = ["circle", "square", "triangle", "cross"] as const;

export interface ShapesDatasetOptions {
  /** Number of images (default 1000); the classes take turns, so they are balanced. */
  size?: number;
  /** Seed of the generator that draws every image (default 0). */
  seed?: number;
  /** Images are imageSize x imageSize (default 28; at least 12). */
  imageSize?: number;
  /** Standard deviation of the Gaussian noise added to every pixel before clamping to [0, 1] (default 0.1). */
  noise?: number;
}

export interface ShapesDataset extends InMemoryDataset {
  readonly classes: readonly string[];
}

const SQRT3 = Math.sqrt(3);

/** Signed distance from (px, py) to the shape of class `cls` centred at the origin with extent `r`; negative inside. */
function shapeDistance(cls: number, px: number, py: number, r: number): number {
  switch (cls) {
    case 0:
      return Math.hypot(px, py) - r;
    case 1:
      return boxDistance(px, py, 0.8 * r, 0.8 * r);
    case 2:
      return triangleDistance(px, py, (r * SQRT3) / 2);
    default:
      return Math.min(boxDistance(px, py, r, 0.28 * r), boxDistance(px, py, 0.28 * r, r));
  }
}

/** An axis-aligned box of half extents (bx, by). */
function boxDistance(px: number, py: number, bx: number, by: number): number {
  const dx = Math.abs(px) - bx;
  const dy = Math.abs(py) - by;
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
}

/** An equilateral triangle of half side `h`, centroid at the origin, apex towards -y (up in the image). */
function triangleDistance(px: number, py: number, h: number): number {
  let x = Math.abs(px) - h;
  let y = -py + h / SQRT3;
  if (x + SQRT3 * y > 0) {
    const nx = (x - SQRT3 * y) / 2;
    const ny = (-SQRT3 * x - y) / 2;
    x = nx;
    y = ny;
  }
  x -= Math.min(Math.max(x, -2 * h), 0);
  return -Math.hypot(x, y) * Math.sign(y);
}

/** Draws one image of class `cls` into `out` (imageSize^2 values). */
function drawShape(cls: number, s: number, noise: number, g: Generator, out: Float32Array): void {
  const r = s * (0.2 + 0.18 * g.uniform());
  // The farthest any shape reaches from its centre is a rotated square's corner, 0.8 * sqrt(2) * r; plus the anti-aliasing pixel.
  const margin = 1.14 * r + 1;
  const cx = margin + (s - 2 * margin) * g.uniform();
  const cy = margin + (s - 2 * margin) * g.uniform();
  const angle = cls === 0 ? 0 : ((g.uniform() - 0.5) * Math.PI) / 4.5;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const brightness = 0.6 + 0.4 * g.uniform();
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const d = shapeDistance(cls, cos * dx + sin * dy, -sin * dx + cos * dy, r);
      const coverage = Math.min(Math.max(0.5 - d, 0), 1);
      const v = brightness * coverage + noise * g.normal();
      out[y * s + x] = Math.min(Math.max(v, 0), 1);
    }
  }
}

function intOption(name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) throw new ArgumentError(`shapesDataset: ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * `size` images `[1, imageSize, imageSize]` in [0, 1] with int32 labels (0 circle, 1 square, 2 triangle,
 * 3 cross; image `i` has label `i % 4`). Different seeds give independent sets: use one seed for training
 * and another for testing.
 */
export function shapesDataset(options: ShapesDatasetOptions = {}): ShapesDataset {
  if (options === null || typeof options !== "object") throw new ArgumentError(`shapesDataset: options must be an object such as { size: 1000, seed: 0 }, got ${String(options)}`);
  const size = intOption("size", options.size ?? 1000, 0);
  const seed = intOption("seed", options.seed ?? 0, Number.MIN_SAFE_INTEGER);
  const s = intOption("imageSize", options.imageSize ?? 28, 12);
  const noise = options.noise ?? 0.1;
  if (typeof noise !== "number" || !(noise >= 0)) throw new ArgumentError(`shapesDataset: noise must be a number >= 0, got ${JSON.stringify(noise)}`);
  const g = new Generator(seed);
  const plane = s * s;
  const inputs = new Float32Array(size * plane);
  const targets = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const cls = i % SHAPE_CLASSES.length;
    targets[i] = cls;
    drawShape(cls, s, noise, g, inputs.subarray(i * plane, (i + 1) * plane));
  }
  return { length: size, inputShape: [1, s, s], inputs, targetShape: [], targets, classes: SHAPE_CLASSES };
}
