/** The parameter block's layout, mirroring assembly/params.ts and the kernel-specific slots of each kernel file. */
import type { Geometry3 } from "../kernels/lift.js";

export const KERNEL_CONV = 0;
export const KERNEL_CONV_TRANSPOSE = 1;
export const KERNEL_DEPTHWISE = 2;
export const KERNEL_POOL = 3;
export const KERNEL_ELEMENTWISE = 4;
export const KERNEL_CONV_PACK = 5;

export const X = 0;
export const WEIGHT = 1;
export const BIAS = 2;
export const OUT = 3;
export const N = 4;
export const C = 5;
export const M = 6;
export const GROUPS = 7;
export const GEOMETRY = 8;
export const SCRATCH = 26;
export const SCRATCH_STRIDE = 27;
export const EXTRA = 28;

/** Writes the 18 geometry slots: input sizes, output sizes, kernel, stride, dilation, begin padding. */
export function writeGeometry(p: Int32Array, inS: ArrayLike<number>, outS: ArrayLike<number>, g: Geometry3): void {
  for (let i = 0; i < 3; i++) {
    p[GEOMETRY + i] = inS[i];
    p[GEOMETRY + 3 + i] = outS[i];
    p[GEOMETRY + 6 + i] = g.k[i];
    p[GEOMETRY + 9 + i] = g.s[i];
    p[GEOMETRY + 12 + i] = g.d[i];
    p[GEOMETRY + 15 + i] = g.pb[i];
  }
}
