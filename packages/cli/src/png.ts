/** PNG in and out for `convkit image` (pngjs): 8-bit RGB pixels in, 8-bit gray or RGB out. */
import { readFileSync, writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { UsageError, fileError } from "./args.js";

/** An image as interleaved bytes, one per channel per pixel, row by row. */
export interface Pixels {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  data: Uint8Array;
}

/**
 * Reads a PNG as RGB. pngjs expands every PNG colour type and bit depth to 8-bit RGBA (16-bit
 * samples scaled down, palettes and gray expanded); alpha is dropped, not composited.
 */
export function readPng(command: string, path: string): Pixels {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError(command, "read", path, e);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw new UsageError(`${command}: ${path} is not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[3 * p] = png.data[4 * p];
    data[3 * p + 1] = png.data[4 * p + 1];
    data[3 * p + 2] = png.data[4 * p + 2];
  }
  return { width, height, channels: 3, data };
}

/** The PNG file bytes of `pixels`: colour type 0 (gray) for one channel, 2 (RGB) for three. */
export function encodePng(pixels: Pixels): Buffer {
  const { width, height, channels, data } = pixels;
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) png.data[4 * p + c] = data[channels * p + (channels === 1 ? 0 : c)];
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}

export function writePng(command: string, path: string, pixels: Pixels): void {
  try {
    writeFileSync(path, encodePng(pixels));
  } catch (e) {
    throw fileError(command, "write", path, e);
  }
}
