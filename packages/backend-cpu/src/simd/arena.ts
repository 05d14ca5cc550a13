/**
 * First-fit allocator over the kernels' linear memory. Blocks are 64-byte aligned and every block is
 * followed by at least 64 bytes that belong to nothing live or to the next block, so the vector
 * kernels may read a little past an operand's end (stride-2 gathers, 4-lane tails). Freed blocks
 * coalesce with their neighbours; memory grows geometrically and never shrinks.
 */

import type { WasmMemory } from "./wasm-api.js";

const ALIGN = 64;
const SLACK = 64;
const PAGE = 65536;
const MAX_PAGES = 65536;

export class Arena {
  /** Free blocks as parallel arrays sorted by offset. */
  private readonly freeAt: number[] = [];
  private readonly freeSize: number[] = [];
  private readonly used = new Map<number, number>();
  private top: number;
  private inUse = 0;

  constructor(
    private readonly memory: WasmMemory,
    base: number,
    /** Called after the memory grew (views of a plain memory must be rebuilt). */
    private readonly onGrow: () => void,
  ) {
    this.top = base;
  }

  /** Bytes in live blocks. */
  get bytesInUse(): number {
    return this.inUse;
  }

  /** Bytes of linear memory reserved so far. */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** Offset of a new block of at least `bytes`, or -1 when linear memory cannot grow that far. */
  alloc(bytes: number): number {
    const size = Math.ceil((Math.max(bytes, 1) + SLACK) / ALIGN) * ALIGN;
    for (let i = 0; i < this.freeAt.length; i++) {
      if (this.freeSize[i] < size) continue;
      const at = this.freeAt[i];
      if (this.freeSize[i] === size) {
        this.freeAt.splice(i, 1);
        this.freeSize.splice(i, 1);
      } else {
        this.freeAt[i] += size;
        this.freeSize[i] -= size;
      }
      return this.take(at, size);
    }
    // Extend at the top, absorbing a free block that ends there.
    let at = this.top;
    const last = this.freeAt.length - 1;
    if (last >= 0 && this.freeAt[last] + this.freeSize[last] === this.top) at = this.freeAt[last];
    if (!this.ensure(at + size)) return -1;
    if (at !== this.top) {
      this.freeAt.pop();
      this.freeSize.pop();
    }
    this.top = at + size;
    return this.take(at, size);
  }

  /** Releases a block returned by alloc (unknown offsets are ignored). */
  free(at: number): void {
    const size = this.used.get(at);
    if (size === undefined) return;
    this.used.delete(at);
    this.inUse -= size;
    let lo = 0;
    let hi = this.freeAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeAt[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    let start = at;
    let end = at + size;
    if (lo < this.freeAt.length && this.freeAt[lo] === end) {
      end += this.freeSize[lo];
      this.freeAt.splice(lo, 1);
      this.freeSize.splice(lo, 1);
    }
    if (lo > 0 && this.freeAt[lo - 1] + this.freeSize[lo - 1] === start) {
      lo--;
      start = this.freeAt[lo];
      this.freeAt.splice(lo, 1);
      this.freeSize.splice(lo, 1);
    }
    if (end === this.top) {
      this.top = start;
      return;
    }
    this.freeAt.splice(lo, 0, start);
    this.freeSize.splice(lo, 0, end - start);
  }

  private take(at: number, size: number): number {
    this.used.set(at, size);
    this.inUse += size;
    return at;
  }

  /** Grows the memory so that [0, end) plus the trailing slack is addressable. */
  private ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end + SLACK <= have) return true;
    const pages = have / PAGE;
    const needed = Math.ceil((end + SLACK - have) / PAGE);
    if (pages + needed > MAX_PAGES) return false;
    const wanted = Math.min(MAX_PAGES - pages, Math.max(needed, Math.ceil(pages / 4)));
    try {
      this.memory.grow(wanted);
    } catch {
      try {
        this.memory.grow(needed);
      } catch {
        return false;
      }
    }
    this.onGrow();
    return true;
  }
}
