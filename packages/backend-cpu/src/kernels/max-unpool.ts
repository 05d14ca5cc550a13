/** Scatter for max unpooling: each value goes to its plane-local index; later writes win, as in PyTorch's serial CPU loop. */
export function maxUnpool(x: Float32Array, indices: Int32Array, planes: number, inPlane: number, outPlane: number, out: Float32Array): void {
  for (let p = 0; p < planes; p++) {
    const ib = p * inPlane;
    const ob = p * outPlane;
    for (let i = 0; i < inPlane; i++) out[ob + indices[ib + i]] = x[ib + i];
  }
}
