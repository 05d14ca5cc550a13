/**
 * Kernel parameters arrive as an i32 block in linear memory written by the host (src/simd/params.ts
 * mirrors this layout). Module globals are per instance, and every thread has its own instance, so
 * the geometry a task loads into globals is private to the thread running it.
 */

// Slots shared by every kernel.
export const X = 0;
export const WEIGHT = 1;
export const BIAS = 2; // 0 when absent
export const OUT = 3;
export const N = 4; // batch (pooling: planes = N * C)
export const C = 5; // input channels
export const M = 6; // output channels
export const GROUPS = 7;
export const GEOMETRY = 8; // 18 slots: D H W, OD OH OW, KD KH KW, SD SH SW, DD DH DW, PD PH PW
export const SCRATCH = 26; // per-thread scratch base; thread t uses SCRATCH + t * SCRATCH_STRIDE
export const SCRATCH_STRIDE = 27;
export const EXTRA = 28; // first kernel-specific slot

@inline export function param(p: usize, slot: i32): i32 {
  return load<i32>(p + (<usize>slot << 2));
}

@inline export function paramPtr(p: usize, slot: i32): usize {
  return <usize>load<u32>(p + (<usize>slot << 2));
}

export let D: i32 = 0;
export let H: i32 = 0;
export let W: i32 = 0;
export let OD: i32 = 0;
export let OH: i32 = 0;
export let OW: i32 = 0;
export let KD: i32 = 0;
export let KH: i32 = 0;
export let KW: i32 = 0;
export let SD: i32 = 0;
export let SH: i32 = 0;
export let SW: i32 = 0;
export let DD: i32 = 0;
export let DH: i32 = 0;
export let DW: i32 = 0;
export let PD: i32 = 0;
export let PH: i32 = 0;
export let PW: i32 = 0;

/** Loads the 3-d geometry block (1-d and 2-d problems arrive lifted with unit dims). */
export function loadGeometry(p: usize): void {
  const g = p + (<usize>GEOMETRY << 2);
  D = load<i32>(g, 0);
  H = load<i32>(g, 4);
  W = load<i32>(g, 8);
  OD = load<i32>(g, 12);
  OH = load<i32>(g, 16);
  OW = load<i32>(g, 20);
  KD = load<i32>(g, 24);
  KH = load<i32>(g, 28);
  KW = load<i32>(g, 32);
  SD = load<i32>(g, 36);
  SH = load<i32>(g, 40);
  SW = load<i32>(g, 44);
  DD = load<i32>(g, 48);
  DH = load<i32>(g, 52);
  DW = load<i32>(g, 56);
  PD = load<i32>(g, 60);
  PH = load<i32>(g, 64);
  PW = load<i32>(g, 68);
}

/** First output index `o >= 0` whose tap `o * s + off` is >= 0. */
export function firstInside(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}

/** One past the last output index `o < outSize` whose tap `o * s + off` is < size (may be below firstInside). */
export function endInside(off: i32, s: i32, size: i32, outSize: i32): i32 {
  if (size - 1 - off < 0) return 0;
  return min((size - 1 - off) / s + 1, outSize);
}
