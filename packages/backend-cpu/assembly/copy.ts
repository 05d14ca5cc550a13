/** Row copies used by packing: zero fills and strided gathers, vectorised for strides 1 and 2. */

/** dst[o] = 0 for o in [a, b) (dst addresses element 0; a and b are element indices). */
export function zeroRange(dst: usize, a: i32, b: i32): void {
  let o = a;
  const z = f32x4.splat(0);
  for (; o + 4 <= b; o += 4) v128.store(dst + (<usize>o << 2), z);
  for (; o < b; o++) store<f32>(dst + (<usize>o << 2), 0);
}

/**
 * dst[o] = src[o * s] for o in [a, b). Stride 2 reads one element past the last one it keeps, which
 * the host guarantees is inside linear memory (every kernel operand has slack after it).
 */
export function gatherRange(dst: usize, src: usize, a: i32, b: i32, s: i32): void {
  let o = a;
  if (s == 1) {
    for (; o + 4 <= b; o += 4) v128.store(dst + (<usize>o << 2), v128.load(src + (<usize>o << 2)));
    for (; o < b; o++) store<f32>(dst + (<usize>o << 2), load<f32>(src + (<usize>o << 2)));
  } else if (s == 2) {
    for (; o + 4 <= b; o += 4) {
      const at = src + (<usize>o << 3);
      v128.store(dst + (<usize>o << 2), v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6));
    }
    for (; o < b; o++) store<f32>(dst + (<usize>o << 2), load<f32>(src + (<usize>o << 3)));
  } else {
    for (; o < b; o++) store<f32>(dst + (<usize>o << 2), load<f32>(src + (<usize>(o * s) << 2)));
  }
}

/** Copies a line of `nbPad` floats (a multiple of 8) into row `kk` of 8-column panels of height kc. */
export function lineToPanels(line: usize, nbPad: i32, kk: i32, kc: i32, panels: usize): void {
  let dst = panels + (<usize>kk << 5);
  const step = <usize>kc << 5;
  let src = line;
  for (let j = 0; j < nbPad; j += 8) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    src += 32;
    dst += step;
  }
}
