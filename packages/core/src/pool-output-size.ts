/**
 * Output-size math for sliding windows, adaptive windows and unpooling: the one place these formulas live.
 * Backends, layers and the CLI all call these.
 */

/** Effective extent of a dilated kernel: `(k - 1) * d + 1`. */
export function effectiveKernel(kernel: number, dilation = 1): number {
  return (kernel - 1) * dilation + 1;
}

/**
 * PyTorch's pooling output size (`pooling_output_shape` in ATen) for one dim:
 * `floor((in + pb + pe - dk + (ceil ? s - 1 : 0)) / s) + 1`; in ceil mode a last window that would
 * start in the end padding is dropped (`(out - 1) * s >= in + pb`). May return <= 0; callers report that.
 */
export function poolOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation = 1,
  ceilMode = false,
): number {
  const span = inSize + padBegin + padEnd - effectiveKernel(kernel, dilation) + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && out > 0 && (out - 1) * stride >= inSize + padBegin) out--;
  return out;
}

/**
 * The inverse of the output-size formulas: the end padding that makes exactly `outSize` windows fit after
 * `padBegin` (negative: that many trailing input positions are never read). Backends that can only run
 * 'valid' windows pre-pad with it, which turns ceil mode and asymmetric pads into one rule.
 */
export function windowEndPadding(inSize: number, outSize: number, kernel: number, stride: number, padBegin: number, dilation = 1): number {
  return (outSize - 1) * stride + effectiveKernel(kernel, dilation) - inSize - padBegin;
}

/** Convolution output size for one dim (floor division; no ceil mode). */
export function convOutputSize(inSize: number, kernel: number, stride = 1, padBegin = 0, padEnd = padBegin, dilation = 1): number {
  return Math.floor((inSize + padBegin + padEnd - effectiveKernel(kernel, dilation)) / stride) + 1;
}

/**
 * Transposed-convolution output size for one dim (PyTorch's ConvTranspose, ONNX ConvTranspose's
 * explicit pads): `(in - 1) * stride - padBegin - padEnd + dilation * (k - 1) + outputPadding + 1`.
 * May return <= 0; callers report that.
 */
export function convTransposeOutputSize(
  inSize: number,
  kernel: number,
  stride = 1,
  padBegin = 0,
  padEnd = padBegin,
  dilation = 1,
  outputPadding = 0,
): number {
  return (inSize - 1) * stride - padBegin - padEnd + effectiveKernel(kernel, dilation) + outputPadding;
}

/**
 * PyTorch's adaptive pooling windows for one dim: output `o` covers
 * `[floor(o * in / out), ceil((o + 1) * in / out))`.
 */
export function adaptiveWindows(inSize: number, outSize: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    start[o] = Math.floor((o * inSize) / outSize);
    end[o] = Math.floor(((o + 1) * inSize + outSize - 1) / outSize);
  }
  return { start, end };
}

/** Default max-unpool output size for one dim: `(in - 1) * s - 2p + k`. */
export function maxUnpoolOutputSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return (inSize - 1) * stride - 2 * padding + kernel;
}
