/**
 * Convolution as GEMM (per batch and group: out[Mg, P] = W[Mg, K] * im2col[K, P]), one task per
 * (batch, group, row block of output channels, block of output positions). The im2col matrix is never
 * built whole: each K slice of a task's position block is gathered line by line (one kernel tap of
 * one input channel per line, runs of output rows copied with vector loads) and laid out as the
 * 8-column panels the micro-kernel reads, in the thread's own scratch.
 */
import { gatherRange, lineToPanels, zeroRange } from "./copy";
import { MODE_ADD, MODE_BIAS, MODE_ZERO, packRowsA, tile4x8, tile4xN } from "./gemm";
import {
  BIAS, C, D, DD, DH, DW, EXTRA, GROUPS, H, KD, KH, KW, M, OD, OH, OUT, OW, PD, PH, PW, SCRATCH, SCRATCH_STRIDE, SD, SH, SW, W, WEIGHT, X,
  endInside, firstInside, loadGeometry, param, paramPtr,
} from "./params";

// Kernel-specific slots.
const KC_MAX = EXTRA; // K slice length
const P_BLOCK = EXTRA + 1; // output positions per task (multiple of 8)
const M_BLOCK = EXTRA + 2; // output channels per task (multiple of 4)
const P_TASKS = EXTRA + 3;
const M_TASKS = EXTRA + 4;
// Non-zero: the whole im2col matrix (one block of all P positions, batch 1, one group) was packed at
// this address by convPackTask, slice by slice ([slice k0][P / 8 panels][kc][8]), for tasks that split
// only the output channels; they read it instead of each packing the same matrix again.
const SHARED_B = EXTRA + 5;

/**
 * Gathers rows [k0, k0 + kc) of the im2col matrix of one group's input (channel planes at xg) for output
 * positions [p0, p0 + nb) into 8-column panels. Row k is (channel, kd, kh, kw); taps in the padding read 0.
 */
export function packIm2col(xg: usize, inPlane: i32, k0: i32, kc: i32, p0: i32, nb: i32, nbPad: i32, line: usize, panels: usize): void {
  const KHW = KH * KW;
  const KS = KD * KHW;
  let c = k0 / KS;
  let r = k0 - c * KS;
  let kd = r / KHW;
  r -= kd * KHW;
  let kh = r / KW;
  let kw = r - kh * KW;
  const ohw = OH * OW;
  const od0 = p0 / ohw;
  const rest = p0 - od0 * ohw;
  const oh0 = rest / OW;
  const ow0 = rest - oh0 * OW;
  zeroRange(line, nb, nbPad);
  for (let kk = 0; kk < kc; kk++) {
    const chan = xg + (<usize>(c * inPlane) << 2);
    const offD = kd * DD - PD;
    const offH = kh * DH - PH;
    const offW = kw * DW - PW;
    const lo = firstInside(offW, SW);
    const hi = max(lo, endInside(offW, SW, W, OW));
    let od = od0;
    let oh = oh0;
    let ow = ow0;
    let q = 0;
    while (q < nb) {
      const len = min(OW - ow, nb - q);
      const end = ow + len;
      // Output column o of this run lands at line[q + o - ow].
      const dst = line + (<usize>(q - ow) << 2);
      const id = od * SD + offD;
      const ih = oh * SH + offH;
      if (id < 0 || id >= D || ih < 0 || ih >= H) {
        zeroRange(dst, ow, end);
      } else {
        const row = chan + (<usize>((id * H + ih) * W + offW) << 2);
        const a = min(max(lo, ow), end);
        const b = min(max(hi, a), end);
        zeroRange(dst, ow, a);
        gatherRange(dst, row, a, b, SW);
        zeroRange(dst, b, end);
      }
      q += len;
      ow = end;
      if (ow == OW) {
        ow = 0;
        if (++oh == OH) {
          oh = 0;
          od++;
        }
      }
    }
    lineToPanels(line, nbPad, kk, kc, panels);
    if (++kw == KW) {
      kw = 0;
      if (++kh == KH) {
        kh = 0;
        if (++kd == KD) {
          kd = 0;
          c++;
        }
      }
    }
  }
}

export function convTask(p: usize, task: i32, tid: i32): void {
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
  const mBlock = param(p, M_BLOCK);
  const pTasks = param(p, P_TASKS);
  const mTasks = param(p, M_TASKS);
  const Cg = Cin / groups;
  const Mg = Cout / groups;
  const K = Cg * KD * KH * KW;
  const inPlane = D * H * W;
  const P = OD * OH * OW;
  let t = task;
  const pt = t % pTasks;
  t /= pTasks;
  const mt = t % mTasks;
  t /= mTasks;
  const gi = t % groups;
  const n = t / groups;
  const p0 = pt * pBlock;
  const nb = min(pBlock, P - p0);
  const nbPad = (nb + 7) & ~7;
  const m0 = mt * mBlock;
  const mb = min(mBlock, Mg - m0);
  const mAbs = gi * Mg + m0;
  const xg = x + (<usize>((n * Cin + gi * Cg) * inPlane) << 2);
  const aRow = <usize>K << 2;
  const wg = w + <usize>mAbs * aRow;
  const ldc = <usize>P << 2;
  const outg = out + (<usize>((n * Cout + mAbs) * P + p0) << 2);
  const line = paramPtr(p, SCRATCH) + <usize>tid * paramPtr(p, SCRATCH_STRIDE);
  const sharedB = paramPtr(p, SHARED_B);
  let panels = line + (<usize>(pBlock + 16) << 2);
  const packedA = panels + (<usize>(kcMax * pBlock) << 2);
  const tile = packedA + (<usize>(kcMax * ((mBlock + 3) & ~3)) << 2);
  for (let k0 = 0; k0 < K; k0 += kcMax) {
    const kc = min(kcMax, K - k0);
    packRowsA(wg + (<usize>k0 << 2), aRow, mb, kc, packedA);
    if (sharedB != 0) panels = sharedB + (<usize>(k0 * nbPad) << 2);
    else packIm2col(xg, inPlane, k0, kc, p0, nb, nbPad, line, panels);
    const mode = k0 > 0 ? MODE_ADD : bias != 0 ? MODE_BIAS : MODE_ZERO;
    const aPanel = <usize>kc << 4;
    for (let j = 0; j < nb; j += 8) {
      const bp = panels + (<usize>(j * kc) << 2);
      const cols = min(8, nb - j);
      let a = packedA;
      for (let m = 0; m < mb; m += 4) {
        const rows = min(4, mb - m);
        const c = outg + <usize>m * ldc + (<usize>j << 2);
        const bb = bias + (<usize>(mAbs + m) << 2);
        if (cols == 8) tile4x8(a, bp, kc, c, ldc, rows, mode, bb);
        else tile4xN(a, bp, kc, c, ldc, rows, cols, mode, bb, tile);
        a += aPanel;
      }
    }
  }
}

/** Packs K slice `task` of the whole im2col matrix into the shared block (see SHARED_B). */
export function convPackTask(p: usize, task: i32, tid: i32): void {
  loadGeometry(p);
  const kcMax = param(p, KC_MAX);
  const K = param(p, C) * KD * KH * KW;
  const P = OD * OH * OW;
  const nbPad = (P + 7) & ~7;
  const k0 = task * kcMax;
  const line = paramPtr(p, SCRATCH) + <usize>tid * paramPtr(p, SCRATCH_STRIDE);
  packIm2col(paramPtr(p, X), D * H * W, k0, min(kcMax, K - k0), 0, P, nbPad, line, paramPtr(p, SHARED_B) + (<usize>(k0 * nbPad) << 2));
}
