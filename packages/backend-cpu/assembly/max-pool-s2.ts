/**
 * 2-d max pooling with a kernel 2 or 3 wide at horizontal stride 2 and at most 3 rows (ResNet's 3x3 s2
 * stem, 2x2 s2), any vertical stride and padding. For each output row and each 8 input columns, the
 * (up to 3) input rows are max-combined as vectors, the result's even and odd columns are separated by
 * two shuffles, and window maxima are formed from them: 4 outputs per step, the vertical result kept in
 * registers, no bounds tests away from the row's ends.
 *
 * The vector max is f32x4.pmax (one instruction: `a < b ? b : a`), the earlier row or column as `a`.
 * The windows are reduced column by column, so when a window's maximum is a zero held both as +0 and
 * -0, the sign kept may differ from PyTorch's row-major scan (as in pool.ts; ±0 compare equal). pmax
 * drops a NaN in `b`, so every input vector is also summed into a check vector: an output row whose
 * sum is NaN (an input NaN, or +Infinity meeting -Infinity) is recomputed by the exact scalar loop
 * (NaN propagates).
 */
import { H, KH, KW, OW, PH, PW, SH, W } from "./params";

/** PyTorch's rule: the running max is replaced by a greater value or by a NaN (so a NaN sticks). */
@inline function torchMax(acc: f32, v: f32): f32 {
  return v > acc || v != v ? v : acc;
}

/** One output by the exact rule over rows a, b, c (a repeat adds nothing), with column bounds tests. */
function edge(a: usize, b: usize, c: usize, ow: i32): f32 {
  let acc: f32 = -Infinity;
  const start = 2 * ow - PW;
  const k0 = max(0, -start);
  const k1 = min(KW, W - start);
  for (let r = 0; r < 3; r++) {
    const row = r == 0 ? a : r == 1 ? b : c;
    if (r > 0 && row == (r == 1 ? a : b)) break;
    for (let kw = k0; kw < k1; kw++) acc = torchMax(acc, load<f32>(row + (<usize>(start + kw) << 2)));
  }
  return acc;
}

/**
 * Outputs [ow, end) of one row, 4 at a time, from rows a, b, c (in kernel-row order; repeats allowed).
 * Group g reads columns [col, col + 16) of each row with col = 2 * ow - PW: up to 7 floats past a row
 * whose last window ends at its last column (the host keeps slack after every operand). Returns the
 * sum of every vector read.
 */
@inline function vectorRun(out: usize, a: usize, b: usize, c: usize, ow: i32, end: i32, kw3: bool): v128 {
  let check = f32x4.splat(0);
  let o = <usize>(2 * ow - PW) << 2;
  let la = v128.load(a + o);
  let lb = v128.load(b + o);
  let lc = v128.load(c + o);
  check = f32x4.add(check, f32x4.add(f32x4.add(la, lb), lc));
  let v0 = f32x4.pmax(f32x4.pmax(la, lb), lc);
  la = v128.load(a + o, 16);
  lb = v128.load(b + o, 16);
  lc = v128.load(c + o, 16);
  check = f32x4.add(check, f32x4.add(f32x4.add(la, lb), lc));
  let v1 = f32x4.pmax(f32x4.pmax(la, lb), lc);
  let dst = out + (<usize>ow << 2);
  const stop = out + (<usize>end << 2);
  while (dst < stop) {
    o += 32;
    la = v128.load(a + o);
    lb = v128.load(b + o);
    lc = v128.load(c + o);
    const n0 = f32x4.pmax(f32x4.pmax(la, lb), lc);
    const sum0 = f32x4.add(f32x4.add(la, lb), lc);
    la = v128.load(a + o, 16);
    lb = v128.load(b + o, 16);
    lc = v128.load(c + o, 16);
    const n1 = f32x4.pmax(f32x4.pmax(la, lb), lc);
    const e = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
    let h = f32x4.pmax(e, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7));
    if (kw3) h = f32x4.pmax(h, v128.shuffle<f32>(e, n0, 1, 2, 3, 4));
    v128.store(dst, h);
    dst += 16;
    // The next group's columns, checked ahead (after the last group, columns past the row's last
    // window are checked too: a NaN there only sends the row to the exact loop).
    check = f32x4.add(check, f32x4.add(sum0, f32x4.add(f32x4.add(la, lb), lc)));
    v0 = n0;
    v1 = n1;
  }
  return check;
}

/**
 * Output rows [r0, r1) of one plane (KH <= 3, kernel rows at dilation 1). Returns nothing; rows whose
 * check failed are redone exactly.
 */
export function maxPoolS2Rows(xPlane: usize, outPlane: usize, r0: i32, r1: i32): void {
  // Vector groups of 4 outputs from `first` (the first window starting inside the row); a group at ow
  // is valid while its look-ahead column 2 * ow - PW + 8 is inside the row. After the groups, one more
  // group ending at OW (overlapping the last, same values) when valid, else scalar outputs.
  const first = min((PW + 1) >> 1, OW);
  const lastStart = W - 9 + PW; // valid groups: 2 * ow <= lastStart
  let groups = lastStart >= 2 * first ? (lastStart / 2 - first) / 4 + 1 : 0;
  groups = min(groups, (OW - first) >> 2);
  const end = first + 4 * groups;
  const tail = groups > 0 && end < OW && 2 * (OW - 4) <= lastStart ? OW - 4 : OW;
  const kw3 = KW == 3;
  for (let oh = r0; oh < r1; oh++) {
    const outRow = outPlane + (<usize>(oh * OW) << 2);
    const top = oh * SH - PH;
    const k0 = max(0, -top);
    const k1 = min(KH, H - top);
    if (k1 <= k0) {
      // No kernel row inside the input: nothing beats the padding.
      for (let ow = 0; ow < OW; ow++) store<f32>(outRow + (<usize>ow << 2), -Infinity);
      continue;
    }
    const a = xPlane + (<usize>((top + k0) * W) << 2);
    const b = k1 - k0 > 1 ? a + (<usize>W << 2) : a;
    const c = k1 - k0 > 2 ? b + (<usize>W << 2) : b;
    let edges: f32 = 0;
    for (let ow = 0; ow < first; ow++) {
      const v = edge(a, b, c, ow);
      edges += v - v;
      store<f32>(outRow + (<usize>ow << 2), v);
    }
    let check = f32x4.splat(0);
    if (groups > 0) check = kw3 ? vectorRun(outRow, a, b, c, first, end, true) : vectorRun(outRow, a, b, c, first, end, false);
    if (tail < OW) {
      check = f32x4.add(check, kw3 ? vectorRun(outRow, a, b, c, tail, OW, true) : vectorRun(outRow, a, b, c, tail, OW, false));
    } else {
      for (let ow = end; ow < OW; ow++) {
        const v = edge(a, b, c, ow);
        edges += v - v;
        store<f32>(outRow + (<usize>ow << 2), v);
      }
    }
    check = f32x4.add(check, f32x4.splat(edges));
    if (v128.any_true(f32x4.ne(check, check))) {
      for (let ow = first; ow < OW; ow++) store<f32>(outRow + (<usize>ow << 2), edge(a, b, c, ow));
    }
  }
}
