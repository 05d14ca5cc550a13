/**
 * Scratch buffers shared by the convolution kernels: packed GEMM panels, the float64 output block and
 * output accumulators. Kernels run one at a time (JavaScript is single-threaded and no kernel calls another
 * that uses the same slot), so one buffer per slot suffices. Buffers grow to the largest request and are
 * then reused, so steady-state calls allocate nothing and take no page faults.
 */

/** Scratch slots: which kernel stage owns which buffer. */
export const PACKED_A = 0; // packed weights (the GEMM's A panels)
export const PACKED_B = 1; // packed im2col / input block (the GEMM's B panels)
export const C_BLOCK = 2; // the GEMM's float64 output block (conv output block, transposed conv's columns)
export const ACCUM = 3; // float64 output accumulators (depthwise rows, transposed conv output planes)
export type ScratchSlot = typeof PACKED_A | typeof PACKED_B | typeof C_BLOCK | typeof ACCUM;

const buffers: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0), new Float64Array(0)];

/** Growth is geometric, so a sequence of slightly larger layers does not reallocate on every call. */
function grown(current: number, needed: number): number {
  return Math.max(needed, Math.min(current * 2, needed + (needed >> 1)));
}

/** A float64 scratch buffer of at least `size` elements; contents are unspecified. */
export function f64Scratch(slot: ScratchSlot, size: number): Float64Array {
  const cur = buffers[slot];
  if (cur.length >= size) return cur;
  const next = new Float64Array(grown(cur.length, size));
  buffers[slot] = next;
  return next;
}

/** Bytes currently held by the scratch buffers (diagnostics; not tensor memory). */
export function scratchBytes(): number {
  return buffers.reduce((n, b) => n + b.byteLength, 0);
}
