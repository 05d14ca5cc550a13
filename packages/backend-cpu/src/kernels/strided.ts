/**
 * Shape canonicalisation shared by the layout kernels: dropping unit dims and merging neighbours that
 * walk memory the same way, so the loops run over as few, as long dims as possible.
 */

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * An iteration space over an output of `sizes` (row-major, contiguous) with one stride per operand per
 * dim. `merge` collapses dims where every operand's stride of the outer dim equals size * stride of the
 * inner one (including broadcast stride 0 on both).
 */
export interface Walk {
  readonly sizes: number[];
  /** strides[o][d]: element stride of operand o along dim d. */
  readonly strides: number[][];
}

export function merge(sizes: readonly number[], strides: readonly (readonly number[])[]): Walk {
  const outSizes: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < sizes.length; d++) {
    if (sizes[d] === 1) continue;
    const last = outSizes.length - 1;
    if (last >= 0 && strides.every((s, o) => outStrides[o][last] === s[d] * sizes[d])) {
      outSizes[last] *= sizes[d];
      for (let o = 0; o < strides.length; o++) outStrides[o][last] = strides[o][d];
    } else {
      outSizes.push(sizes[d]);
      for (let o = 0; o < strides.length; o++) outStrides[o].push(strides[o][d]);
    }
  }
  if (outSizes.length === 0) {
    outSizes.push(1);
    for (const s of outStrides) s.push(0);
  }
  return { sizes: outSizes, strides: outStrides };
}
