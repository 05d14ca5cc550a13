/**
 * N-d padding (F.pad). Each dim gets a map from output index to source index (or -1 for constant fill),
 * built once with the mode's rule; the copy then walks the output with an odometer over the leading dims
 * and a tight loop over the last one. Negative amounts crop through the same maps.
 */
import type { PadMode, TypedArray } from "@convkit/core";

/** Source index along one dim for every output index, -1 where the constant value goes. */
export function padMap(n: number, begin: number, end: number, mode: PadMode): Int32Array {
  const size = n + begin + end;
  const map = new Int32Array(Math.max(size, 0));
  // Circular pads wrap within the extent left after cropping negative amounts (PyTorch's order).
  const cropB = begin < 0 ? -begin : 0;
  const kept = n - cropB - (end < 0 ? -end : 0);
  const shift = Math.max(begin, 0);
  for (let o = 0; o < map.length; o++) {
    let i = o - begin;
    if (mode === "constant") {
      if (i < 0 || i >= n) i = -1;
    } else if (mode === "reflect") {
      if (i < 0) i = -i;
      if (i >= n) i = 2 * (n - 1) - i;
    } else if (mode === "replicate") {
      i = i < 0 ? 0 : i >= n ? n - 1 : i;
    } else {
      i = cropB + ((((o - shift) % kept) + kept) % kept);
    }
    map[o] = i;
  }
  return map;
}

export function pad(
  x: TypedArray,
  inShape: readonly number[],
  padBegin: readonly number[],
  padEnd: readonly number[],
  mode: PadMode,
  value: number,
  out: TypedArray,
): void {
  const R = inShape.length;
  if (out.length === 0) return;
  if (R === 0) {
    out[0] = x[0];
    return;
  }
  const maps = inShape.map((n, i) => padMap(n, padBegin[i], padEnd[i], mode));
  const bases = rowBases(inShape, maps);
  const last = maps[R - 1];
  const L = last.length;
  for (let r = 0, o = 0; r < bases.length; r++, o += L) {
    const base = bases[r];
    if (base < 0) out.fill(value, o, o + L);
    else copyRow(x, base, last, out, o, L, value);
  }
}

/**
 * The input offset each output row (every dim but the last, row-major) reads its last dim from, or -1
 * where a dim's map puts the constant value: an odometer over the leading dims' maps.
 */
function rowBases(inShape: readonly number[], maps: readonly Int32Array[]): Float64Array {
  const R = inShape.length;
  const inStride = new Array<number>(R).fill(1);
  for (let i = R - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * inShape[i + 1];
  let rows = 1;
  for (let i = 0; i < R - 1; i++) rows *= maps[i].length;
  const bases = new Float64Array(rows);
  const idx = new Array<number>(R - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let base = 0;
    let fill = false;
    for (let i = 0; i < R - 1; i++) {
      const s = maps[i][idx[i]];
      if (s < 0) fill = true;
      base += s * inStride[i];
    }
    bases[r] = fill ? -1 : base;
    for (let i = R - 2; i >= 0; i--) {
      if (++idx[i] < maps[i].length) break;
      idx[i] = 0;
    }
  }
  return bases;
}

function copyRow(x: TypedArray, base: number, map: Int32Array, out: TypedArray, o: number, L: number, value: number): void {
  for (let j = 0; j < L; j++) {
    const s = map[j];
    out[o + j] = s < 0 ? value : x[base + s];
  }
}

/**
 * pad's adjoint for reflect/replicate/circular: every output position, in row-major order, adds its
 * value to the input position it was copied from (the same maps as `pad`), accumulating in float32.
 */
export function padBackward(dy: Float32Array, inShape: readonly number[], padBegin: readonly number[], padEnd: readonly number[], mode: PadMode, out: Float32Array): void {
  out.fill(0);
  const R = inShape.length;
  if (dy.length === 0) return;
  if (R === 0) {
    out[0] = dy[0];
    return;
  }
  const maps = inShape.map((n, i) => padMap(n, padBegin[i], padEnd[i], mode));
  const bases = rowBases(inShape, maps);
  const last = maps[R - 1];
  const L = last.length;
  for (let r = 0, o = 0; r < bases.length; r++, o += L) addRow(dy, o, last, out, bases[r], L);
}

function addRow(dy: Float32Array, o: number, map: Int32Array, out: Float32Array, base: number, L: number): void {
  for (let j = 0; j < L; j++) out[base + map[j]] += dy[o + j];
}
