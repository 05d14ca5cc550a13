/** Index routing within (n, c) planes: max pooling's gradient (scatter-add) and max unpooling's (gather). */

/** `out` zeroed, then `out[p][idx[p][j]] += src[p][j]` for every plane `p`, `j` ascending (float32 accumulation, PyTorch's order). */
export function scatterAdd(src: Float32Array, indices: Int32Array, planes: number, srcPlane: number, outPlane: number, out: Float32Array): void {
  out.fill(0);
  for (let p = 0; p < planes; p++) {
    const sb = p * srcPlane;
    const ob = p * outPlane;
    for (let j = 0; j < srcPlane; j++) out[ob + indices[sb + j]] += src[sb + j];
  }
}

/** `out[p][j] = src[p][idx[p][j]]` for every plane `p`. */
export function gather(src: Float32Array, indices: Int32Array, planes: number, srcPlane: number, idxPlane: number, out: Float32Array): void {
  for (let p = 0; p < planes; p++) {
    const sb = p * srcPlane;
    const ib = p * idxPlane;
    for (let j = 0; j < idxPlane; j++) out[ib + j] = src[sb + indices[ib + j]];
  }
}
