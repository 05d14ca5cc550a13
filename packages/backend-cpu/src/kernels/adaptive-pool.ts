/** Adaptive pooling over the windows core computed (PyTorch's floor/ceil rule); same NaN and tie rules as max pooling. */
import { windowMax } from "./max-pool.js";

export function adaptivePool3(
  x: Float32Array,
  planes: number,
  inS: Int32Array,
  start: readonly Int32Array[],
  end: readonly Int32Array[],
  mode: "max" | "avg",
  out: Float32Array,
  indices: Int32Array | null,
): void {
  const H = inS[1], W = inS[2];
  const OD = start[0].length, OH = start[1].length, OW = start[2].length;
  const inPlane = inS[0] * H * W;
  const outPlane = OD * OH * OW;
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    let o = p * outPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = start[0][od], d1 = end[0][od];
      for (let oh = 0; oh < OH; oh++) {
        const h0 = start[1][oh], h1 = end[1][oh];
        for (let ow = 0; ow < OW; ow++) {
          const w0 = start[2][ow], w1 = end[2][ow];
          if (mode === "avg") {
            let sum = 0;
            for (let id = d0; id < d1; id++) {
              for (let ih = h0; ih < h1; ih++) {
                const row = base + (id * H + ih) * W;
                for (let iw = w0; iw < w1; iw++) sum += x[row + iw];
              }
            }
            out[o++] = sum / ((d1 - d0) * (h1 - h0) * (w1 - w0));
          } else {
            windowMax(x, base, H, W, d0, d1, 1, h0, h1, 1, w0, w1, 1, out, indices, o);
            o++;
          }
        }
      }
    }
  }
}

/**
 * Adaptive average pooling's adjoint: every output position, in row-major order, adds
 * `dy / kD / kH / kW` (float32 after each division, as PyTorch computes it; unit dims divide by 1
 * exactly) to each input position of its window, accumulating in float32.
 */
export function adaptiveAvgPoolBackward3(dy: Float32Array, planes: number, inS: Int32Array, start: readonly Int32Array[], end: readonly Int32Array[], out: Float32Array): void {
  const H = inS[1], W = inS[2];
  const OD = start[0].length, OH = start[1].length, OW = start[2].length;
  const inPlane = inS[0] * H * W;
  const outPlane = OD * OH * OW;
  out.fill(0);
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    let o = p * outPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = start[0][od], d1 = end[0][od];
      for (let oh = 0; oh < OH; oh++) {
        const h0 = start[1][oh], h1 = end[1][oh];
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = start[2][ow], w1 = end[2][ow];
          const delta = Math.fround(Math.fround(Math.fround(dy[o] / (d1 - d0)) / (h1 - h0)) / (w1 - w0));
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const row = base + (id * H + ih) * W;
              for (let iw = w0; iw < w1; iw++) out[row + iw] += delta;
            }
          }
        }
      }
    }
  }
}
