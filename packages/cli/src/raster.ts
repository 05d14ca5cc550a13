/**
 * A tiny RGB rasteriser for the training plot: filled rectangles, thick lines, dots and text in a 3x5
 * pixel font, on a canvas that pngjs encodes. Enough to draw axes, curves and labels without a graphics
 * dependency.
 */
import { PNG } from "pngjs";

export type Rgb = readonly [number, number, number];

/** 3x5 glyphs, rows top to bottom, 3 bits per row (4 = left pixel). Letters are drawn in capitals. */
const GLYPHS: Readonly<Record<string, readonly number[]>> = {
  "0": [7, 5, 5, 5, 7],
  "1": [2, 6, 2, 2, 7],
  "2": [7, 1, 7, 4, 7],
  "3": [7, 1, 7, 1, 7],
  "4": [5, 5, 7, 1, 1],
  "5": [7, 4, 7, 1, 7],
  "6": [7, 4, 7, 5, 7],
  "7": [7, 1, 1, 1, 1],
  "8": [7, 5, 7, 5, 7],
  "9": [7, 5, 7, 1, 7],
  ".": [0, 0, 0, 0, 2],
  "%": [5, 1, 2, 4, 5],
  "-": [0, 0, 7, 0, 0],
  "/": [1, 1, 2, 4, 4],
  ":": [0, 2, 0, 2, 0],
  "(": [1, 2, 2, 2, 1],
  ")": [4, 2, 2, 2, 4],
  " ": [0, 0, 0, 0, 0],
  A: [2, 5, 7, 5, 5],
  B: [6, 5, 6, 5, 6],
  C: [3, 4, 4, 4, 3],
  D: [6, 5, 5, 5, 6],
  E: [7, 4, 6, 4, 7],
  F: [7, 4, 6, 4, 4],
  G: [3, 4, 5, 5, 3],
  H: [5, 5, 7, 5, 5],
  I: [7, 2, 2, 2, 7],
  J: [1, 1, 1, 5, 2],
  K: [5, 5, 6, 5, 5],
  L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5],
  N: [6, 5, 5, 5, 5],
  O: [2, 5, 5, 5, 2],
  P: [6, 5, 6, 4, 4],
  Q: [2, 5, 5, 6, 3],
  R: [6, 5, 6, 5, 5],
  S: [3, 4, 2, 1, 6],
  T: [7, 2, 2, 2, 2],
  U: [5, 5, 5, 5, 7],
  V: [5, 5, 5, 5, 2],
  W: [5, 5, 7, 7, 5],
  X: [5, 5, 2, 5, 5],
  Y: [5, 5, 2, 2, 2],
  Z: [7, 1, 2, 4, 7],
};

export class Canvas {
  readonly width: number;
  readonly height: number;
  /** RGB bytes, row by row. */
  readonly pixels: Uint8Array;

  constructor(width: number, height: number, background: Rgb) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const o = 3 * (yi * this.width + xi);
    this.pixels[o] = c[0];
    this.pixels[o + 1] = c[1];
    this.pixels[o + 2] = c[2];
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.setPixel(xx, yy, c);
  }

  /** A line `thickness` pixels wide (a square stamp stepped along the longer axis). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = (thickness - 1) / 2;
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      const x = x0 + (x1 - x0) * t;
      const y = y0 + (y1 - y0) * t;
      this.fillRect(x - half, y - half, thickness, thickness, c);
    }
  }

  /** A filled disc of radius `r` centred at (x, y). */
  dot(x: number, y: number, r: number, c: Rgb): void {
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r + r) this.setPixel(x + dx, y + dy, c);
  }

  /** Text in the 3x5 font, each font pixel `scale` pixels square, top-left at (x, y); unknown characters are blank. */
  text(x: number, y: number, s: string, c: Rgb, scale = 2): void {
    let cx = Math.round(x);
    for (const ch of s.toUpperCase()) {
      const rows = GLYPHS[ch] ?? GLYPHS[" "];
      rows.forEach((bits, row) => {
        for (let col = 0; col < 3; col++) if (bits & (4 >> col)) this.fillRect(cx + col * scale, y + row * scale, scale, scale, c);
      });
      cx += 4 * scale;
    }
  }

  /** Width in pixels of `s` drawn by `text` at `scale`. */
  static textWidth(s: string, scale = 2): number {
    return s.length === 0 ? 0 : (4 * s.length - 1) * scale;
  }

  /** The canvas as PNG file bytes (8-bit RGB). */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    for (let p = 0; p < this.width * this.height; p++) {
      png.data[4 * p] = this.pixels[3 * p];
      png.data[4 * p + 1] = this.pixels[3 * p + 1];
      png.data[4 * p + 2] = this.pixels[3 * p + 2];
      png.data[4 * p + 3] = 255;
    }
    return PNG.sync.write(png, { colorType: 2 });
  }
}
