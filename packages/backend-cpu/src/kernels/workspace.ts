/**
 * Scratch buffers shared by the convolution kernels: packed GEMM panels, the float64 output block,
 * output accumulators and im2col offset tables. Kernels run one at a time (JavaScript is single-threaded and no kernel calls another
 * that uses the same slot), so one buffer per slot suffices. Buffers grow to the largest request and are
 * then reused, so steady-state calls allocate nothing and take no page faults.
 */

/** Scratch slots: which kernel stage owns which buffer. */
export const PACKED_A = 0; // packed weights (the GEMM's A panels)
export const PACKED_B = 1; // packed im2col / input block (the GEMM's B panels)
export const C_BLOCK = 2; // the GEMM's float64 output block (conv output block, transposed conv's columns)
export const ACCUM = 3; // float64 output accumulators (depthwise rows, transposed conv output planes)
export const PADDED_INPUT = 4; // zero-padded float64 copy of one group's input (the im2col source)
export type ScratchSlot = typeof PACKED_A | typeof PACKED_B | typeof C_BLOCK | typeof ACCUM | typeof PADDED_INPUT;

const buffers: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0), new Float64Array(0), new Float64Array(0)];

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

/** Int32 scratch slots: the im2col row and column offset tables of the convolution (see conv.ts). */
export const ROW_TABLE = 0;
export const COL_TABLE = 1;
export type Int32Slot = typeof ROW_TABLE | typeof COL_TABLE;

const int32: Int32Array[] = [new Int32Array(0), new Int32Array(0)];

/** An int32 scratch buffer of at least `size` elements; contents are unspecified. */
export function i32Scratch(slot: Int32Slot, size: number): Int32Array {
  const cur = int32[slot];
  if (cur.length >= size) return cur;
  const next = new Int32Array(grown(cur.length, size));
  int32[slot] = next;
  return next;
}

/** Bytes currently held by the scratch buffers (diagnostics; not tensor memory). */
export function scratchBytes(): number {
  return [...buffers, ...int32].reduce((n, b) => n + b.byteLength, 0);
}
