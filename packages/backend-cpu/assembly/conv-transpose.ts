/**
 * Transposed convolution as GEMM + col2im, never by inflating the input with zeros: per (batch, group)
 * cols[(oc, tap), i] = sum_ci W[ci, oc, tap] * x[ci, i], then each column entry is added to output
 * position `i * stride - padBegin + tap * dilation` (positions outside the output are dropped).
 * One task per (batch, group, block of output channels): a task owns its output planes, so the
 * scatter needs no synchronisation. Geometry: D H W is the input, OD OH OW the output.
 */
import { lineToPanels, zeroRange } from "./copy";
import { MODE_ADD, MODE_ZERO, packColsA, tile4x8 } from "./gemm";
import {
  BIAS, C, D, DD, DH, DW, EXTRA, GROUPS, H, KD, KH, KW, M, OD, OH, OUT, OW, PD, PH, PW, SCRATCH, SCRATCH_STRIDE, SD, SH, SW, W, WEIGHT, X,
  endInside, firstInside, loadGeometry, param, paramPtr,
} from "./params";

const KC_MAX = EXTRA;
const P_BLOCK = EXTRA + 1; // input positions per column block (multiple of 8)
const OC_BLOCK = EXTRA + 2; // output channels per task
const OC_TASKS = EXTRA + 3;

/** Rows [0, kc) of the matrix x[k * inPlane + q] (q in [q0, q0 + nb)) as 8-column panels. */
function packRows(x: usize, inPlane: i32, kc: i32, q0: i32, nb: i32, nbPad: i32, line: usize, panels: usize): void {
  zeroRange(line, nb, nbPad);
  for (let kk = 0; kk < kc; kk++) {
    const src = x + (<usize>(kk * inPlane + q0) << 2);
    let o = 0;
    for (; o + 4 <= nb; o += 4) v128.store(line + (<usize>o << 2), v128.load(src + (<usize>o << 2)));
    for (; o < nb; o++) store<f32>(line + (<usize>o << 2), load<f32>(src + (<usize>o << 2)));
    lineToPanels(line, nbPad, kk, kc, panels);
  }
}

/** Adds cols[m][q - q0] (row m = (oc, kd, kh, kw), input positions [q0, q0 + nb)) into the output planes at outBase. */
function col2im(cols: usize, ldc: i32, rows: i32, q0: i32, nb: i32, outBase: usize): void {
  const outPlane = OD * OH * OW;
  const ihw = H * W;
  const id0 = q0 / ihw;
  const rest = q0 - id0 * ihw;
  const ih0 = rest / W;
  const iw0 = rest - ih0 * W;
  let oc = 0;
  let kd = 0;
  let kh = 0;
  let kw = 0;
  for (let m = 0; m < rows; m++) {
    const plane = outBase + (<usize>(oc * outPlane) << 2);
    const offD = kd * DD - PD;
    const offH = kh * DH - PH;
    const offW = kw * DW - PW;
    const lo = firstInside(offW, SW);
    const hi = endInside(offW, SW, OW, W);
    let src = cols + (<usize>(m * ldc) << 2);
    let id = id0;
    let ih = ih0;
    let iw = iw0;
    let q = 0;
    while (q < nb) {
      const len = min(W - iw, nb - q);
      const end = iw + len;
      const od = id * SD + offD;
      const oh = ih * SH + offH;
      if (od >= 0 && od < OD && oh >= 0 && oh < OH) {
        const row = plane + (<usize>((od * OH + oh) * OW + offW) << 2);
        const a = max(lo, iw);
        const b = min(hi, end);
        // src holds column iw at src[0].
        const s = src - (<usize>iw << 2);
        for (let i = a; i < b; i++) {
          const at = row + (<usize>(i * SW) << 2);
          store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>i << 2)));
        }
      }
      src += <usize>len << 2;
      q += len;
      iw = end;
      if (iw == W) {
        iw = 0;
        if (++ih == H) {
          ih = 0;
          id++;
        }
      }
    }
    if (++kw == KW) {
      kw = 0;
      if (++kh == KH) {
        kh = 0;
        if (++kd == KD) {
          kd = 0;
          oc++;
        }
      }
    }
  }
}

export function convTransposeTask(p: usize, task: i32, tid: i32): void {
  loadGeometry(p);
  const x = paramPtr(p, X);
  const w = paramPtr(p, WEIGHT);
  const bias = paramPtr(p, BIAS);
  const out = paramPtr(p, OUT);
  const Cin = param(p, C);
  const Cout = param(p, M);
  const groups = param(p, GROUPS);
  const kcMax = param(p, KC_MAX);
  const pBlock = param(p, P_BLOCK);
  const ocBlock = param(p, OC_BLOCK);
  const ocTasks = param(p, OC_TASKS);
  const Cg = Cin / groups;
  const Mg = Cout / groups;
  const KS = KD * KH * KW;
  const inPlane = D * H * W;
  const outPlane = OD * OH * OW;
  let t = task;
  const oct = t % ocTasks;
  t /= ocTasks;
  const gi = t % groups;
  const n = t / groups;
  const oc0 = oct * ocBlock;
  const ocb = min(ocBlock, Mg - oc0);
  const rows = ocb * KS;
  const outBase = out + (<usize>((n * Cout + gi * Mg + oc0) * outPlane) << 2);
  for (let oc = 0; oc < ocb; oc++) {
    const v = bias != 0 ? load<f32>(bias + (<usize>(gi * Mg + oc0 + oc) << 2)) : 0;
    const plane = outBase + (<usize>(oc * outPlane) << 2);
    const vv = f32x4.splat(v);
    let i = 0;
    for (; i + 4 <= outPlane; i += 4) v128.store(plane + (<usize>i << 2), vv);
    for (; i < outPlane; i++) store<f32>(plane + (<usize>i << 2), v);
  }
  const xg = x + (<usize>((n * Cin + gi * Cg) * inPlane) << 2);
  // A[m][k] = w[gi * Cg + k][oc0 * KS + m] (weight [Cin, Mg, KS]): rows 4 bytes apart, k a whole weight row apart.
  const aK = <usize>(Mg * KS) << 2;
  const wg = w + <usize>(gi * Cg) * aK + (<usize>(oc0 * KS) << 2);
  const line = paramPtr(p, SCRATCH) + <usize>tid * paramPtr(p, SCRATCH_STRIDE);
  const panels = line + (<usize>(pBlock + 16) << 2);
  const packedA = panels + (<usize>(kcMax * pBlock) << 2);
  const cols = packedA + (<usize>(kcMax * ((rows + 3) & ~3)) << 2);
  for (let q0 = 0; q0 < inPlane; q0 += pBlock) {
    const nb = min(pBlock, inPlane - q0);
    const nbPad = (nb + 7) & ~7;
    const ldc = <usize>nbPad << 2;
    for (let k0 = 0; k0 < Cg; k0 += kcMax) {
      const kc = min(kcMax, Cg - k0);
      packColsA(wg + <usize>k0 * aK, aK, rows, kc, packedA);
      packRows(xg + (<usize>(k0 * inPlane) << 2), inPlane, kc, q0, nb, nbPad, line, panels);
      const mode = k0 > 0 ? MODE_ADD : MODE_ZERO;
      const aPanel = <usize>kc << 4;
      for (let j = 0; j < nbPad; j += 8) {
        const bp = panels + (<usize>(j * kc) << 2);
        let a = packedA;
        for (let m = 0; m < rows; m += 4) {
          tile4x8(a, bp, kc, cols + <usize>m * ldc + (<usize>j << 2), ldc, min(4, rows - m), mode, 0);
          a += aPanel;
        }
      }
    }
    col2im(cols, nbPad, rows, q0, nb, outBase);
  }
}
