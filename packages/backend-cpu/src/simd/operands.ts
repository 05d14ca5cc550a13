/**
 * Operand placement for one kernel call: tensors already in linear memory are used in place, others are
 * staged in temporary blocks (and a staged output copied back) by `finish`.
 */
import { BIAS, C, GROUPS, M, N, OUT, WEIGHT, X } from "./params.js";
import type { WasmRuntime } from "./runtime.js";

export class Operands {
  private readonly staged: number[] = [];
  /** A staged output block and the array `finish` copies it to. */
  private outAt = -1;
  private out: Float32Array | null = null;
  ok = true;

  constructor(private readonly rt: WasmRuntime) {}

  /** Byte offset of `a` in linear memory, copying it in when it lives elsewhere. */
  input(a: Float32Array): number {
    if (this.rt.owns(a)) return a.byteOffset;
    const at = this.stage(a.byteLength);
    if (at >= 0) this.rt.f32.set(a, at >> 2);
    return at;
  }

  /** Byte offset to write `out` at: in place when it lives in the arena, else a staged block copied out by `finish`. */
  output(out: Float32Array): number {
    if (this.rt.owns(out)) return out.byteOffset;
    this.outAt = this.stage(out.byteLength);
    this.out = out;
    return this.outAt;
  }

  private stage(bytes: number): number {
    const at = this.rt.arena.alloc(bytes);
    if (at < 0) this.ok = false;
    else this.staged.push(at);
    return at;
  }

  finish(): void {
    if (this.out !== null && this.ok) this.out.set(this.rt.f32.subarray(this.outAt >> 2, (this.outAt >> 2) + this.out.length));
    for (const at of this.staged) this.rt.arena.free(at);
  }
}

export function setCommon(p: Int32Array, x: number, w: number, bias: number, out: number, n: number, c: number, m: number, groups: number): void {
  p.fill(0);
  p[X] = x;
  p[WEIGHT] = w;
  p[BIAS] = bias;
  p[OUT] = out;
  p[N] = n;
  p[C] = c;
  p[M] = m;
  p[GROUPS] = groups;
}

