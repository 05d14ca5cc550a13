import { availableParallelism } from "node:os";
import { ArgumentError, conv2d, maxPool2d, memory, setBackend, tensor } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { cpuKernelPath, setNumThreads, setParallelThreshold } from "../src/index.js";
import { Arena } from "../src/simd/arena.js";
import { wasmRuntime } from "../src/simd/runtime.js";
import { wasmApi } from "../src/simd/wasm-api.js";

describe("cpuKernelPath()", () => {
  it("reports WebAssembly SIMD over a shared memory, with os.availableParallelism() threads by default", () => {
    expect(cpuKernelPath()).toMatchObject({ simd: true, sharedMemory: true, threads: Math.min(availableParallelism(), 64) });
    expect(cpuKernelPath().reason).toBeUndefined();
  });
});

describe("setNumThreads(n)", () => {
  it("rejects 0, 1.5, NaN and 65 with an ArgumentError naming the allowed range", () => {
    for (const n of [0, 1.5, Number.NaN, 65]) {
      expect(() => setNumThreads(n)).toThrow(ArgumentError);
      expect(() => setNumThreads(n)).toThrow(/setNumThreads: n must be an integer from 1 to 64, got /);
    }
  });

  it("setNumThreads(1) keeps every job on the calling thread; setNumThreads(2) uses a worker again", async () => {
    const before = cpuKernelPath().threads;
    setNumThreads(1);
    expect(cpuKernelPath()).toMatchObject({ threads: 1, workersReady: 0 });
    setNumThreads(2);
    for (let i = 0; i < 600 && cpuKernelPath().workersReady < 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(cpuKernelPath()).toMatchObject({ threads: 2, workersReady: 1 });
    setNumThreads(before);
  });
});

describe("setParallelThreshold(work)", () => {
  it("rejects a negative or non-finite amount of work", () => {
    expect(() => setParallelThreshold(-1)).toThrow(/setParallelThreshold: work must be a finite number >= 0, got -1/);
    expect(() => setParallelThreshold(Number.POSITIVE_INFINITY)).toThrow(ArgumentError);
  });
});

describe("tensors in the kernels' memory", () => {
  it("conv2d on cpu writes its output into linear memory and reuses its scratch; dispose() gives the output back", async () => {
    await setBackend("cpu");
    const rt = wasmRuntime();
    if (rt === null) throw new Error("no SIMD runtime");
    const x = tensor(new Float32Array(8 * 32 * 32).fill(1), [1, 8, 32, 32]);
    const w = tensor(new Float32Array(16 * 8 * 9).fill(0.5), [16, 8, 3, 3]);
    // The first call sizes the reused packing scratch; later calls allocate only their output.
    conv2d(x, w, { padding: 1 }).dispose();
    const inUse = rt.arena.bytesInUse;
    const tensors = memory().numTensors;
    const y = conv2d(x, w, { padding: 1 });
    expect(rt.arena.bytesInUse).toBeGreaterThanOrEqual(inUse + 16 * 32 * 32 * 4);
    // Interior outputs see all 8 * 9 taps of 1 * 0.5.
    expect(y.dataSync()[16 * 32 * 5 + 33]).toBe(36);
    y.dispose();
    expect(rt.arena.bytesInUse).toBe(inUse);
    expect(memory().numTensors).toBe(tensors);
    x.dispose();
    w.dispose();
  });

  it("maxPool2d keeps PyTorch's NaN propagation on the SIMD path", async () => {
    await setBackend("cpu");
    const values = new Float32Array(2 * 64 * 64).map((_, i) => (i % 97) - 40);
    values[5] = Number.NaN;
    const y = maxPool2d(tensor(values, [2, 64, 64]), 2);
    const out = y.dataSync();
    expect(Number.isNaN(out[2])).toBe(true);
    expect(out.filter((v) => Number.isNaN(v)).length).toBe(1);
    y.dispose();
  });
});

describe("Arena", () => {
  const api = wasmApi();
  if (api === undefined) throw new Error("no WebAssembly");

  it("reuses a freed block, coalesces freed neighbours and returns the top to the free space", () => {
    const mem = new api.Memory({ initial: 1, maximum: 64 });
    let grew = 0;
    const arena = new Arena(mem, 1024, () => grew++);
    const a = arena.alloc(1000);
    const b = arena.alloc(1000);
    const c = arena.alloc(1000);
    expect([a % 64, b % 64, c % 64]).toEqual([0, 0, 0]);
    expect(b - a).toBeGreaterThanOrEqual(1000 + 64);
    arena.free(a);
    expect(arena.alloc(900)).toBe(a);
    arena.free(a);
    arena.free(b);
    // a and b coalesced: a block larger than either fits where they were.
    expect(arena.alloc(2000)).toBe(a);
    arena.free(a);
    arena.free(c);
    expect(arena.bytesInUse).toBe(0);
    expect(arena.alloc(100)).toBe(a);
    expect(grew).toBe(0);
  });

  it("grows the memory when a block does not fit and answers -1 past the maximum", () => {
    const mem = new api.Memory({ initial: 1, maximum: 2 });
    let grew = 0;
    const arena = new Arena(mem, 1024, () => grew++);
    expect(arena.alloc(100_000)).toBe(1024);
    expect(grew).toBe(1);
    expect(mem.buffer.byteLength).toBe(2 * 65536);
    expect(arena.alloc(100_000)).toBe(-1);
  });
});
