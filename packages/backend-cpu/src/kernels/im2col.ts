/**
 * unfold (im2col) and fold (col2im) for 2 spatial dims. Columns are `[N, C * kH * kW, oH * oW]`, rows
 * ordered (c, kh, kw). fold adds in the same order as PyTorch's col2im (row by row, then block
 * positions), so overlapping sums round identically.
 */
import type { Im2ColGeometry } from "@convkit/core";

/** First block index whose tap `b * s + off` is >= 0, and the first whose tap is >= size (both clamped to [0, blocks]). */
function validBlocks(off: number, s: number, size: number, blocks: number): [number, number] {
  const lo = off >= 0 ? 0 : Math.min(Math.ceil(-off / s), blocks);
  const hi = Math.max(Math.min(Math.ceil((size - off) / s), blocks), lo);
  return [lo, hi];
}

export function unfold2d(x: Float32Array, planes: number, g: Im2ColGeometry, out: Float32Array): void {
  const [H, W] = g.image;
  const [kH, kW] = g.kernel;
  const [sH, sW] = g.stride;
  const [dH, dW] = g.dilation;
  const [pH, pW] = g.padBegin;
  const [oH, oW] = g.blocks;
  out.fill(0);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let ki = 0; ki < kH; ki++) {
      const hOff = ki * dH - pH;
      const [hLo, hHi] = validBlocks(hOff, sH, H, oH);
      for (let kj = 0; kj < kW; kj++) {
        const wOff = kj * dW - pW;
        const [wLo, wHi] = validBlocks(wOff, sW, W, oW);
        for (let bh = hLo; bh < hHi; bh++) {
          const src = plane + (bh * sH + hOff) * W + wOff;
          const dst = o + bh * oW;
          for (let bw = wLo; bw < wHi; bw++) out[dst + bw] = x[src + bw * sW];
        }
        o += oH * oW;
      }
    }
  }
}

export function fold2d(cols: Float32Array, planes: number, g: Im2ColGeometry, out: Float32Array): void {
  const [H, W] = g.image;
  const [kH, kW] = g.kernel;
  const [sH, sW] = g.stride;
  const [dH, dW] = g.dilation;
  const [pH, pW] = g.padBegin;
  const [oH, oW] = g.blocks;
  out.fill(0);
  let i = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let ki = 0; ki < kH; ki++) {
      const hOff = ki * dH - pH;
      const [hLo, hHi] = validBlocks(hOff, sH, H, oH);
      for (let kj = 0; kj < kW; kj++) {
        const wOff = kj * dW - pW;
        const [wLo, wHi] = validBlocks(wOff, sW, W, oW);
        for (let bh = hLo; bh < hHi; bh++) {
          const dst = plane + (bh * sH + hOff) * W + wOff;
          const src = i + bh * oW;
          for (let bw = wLo; bw < wHi; bw++) out[dst + bw * sW] += cols[src + bw];
        }
        i += oH * oW;
      }
    }
  }
}
