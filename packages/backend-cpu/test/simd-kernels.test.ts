// The SIMD kernels beyond the conformance fixtures' sizes: element-wise ops, the stride-2 max-pooling
// and paired depthwise rows, and convolutions sharing one packed im2col matrix across threads, each
// compared with the portable TypeScript kernels on seeded random inputs (with NaN, ±Infinity and -0
// where an op must propagate them).
import { type Tensor, add, conv2d, div, matmul, maxPool2d, maximum, minimum, mul, relu, relu6, setBackend, sub, tensor, tidy, transpose } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { setNumThreads, setParallelThreshold } from "../src/index.js";
import { wasmRuntime } from "../src/simd/runtime.js";

function random(n: number, seed: number, specials = false): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < n; i++) a[i] = (next() - 0.5) * 8;
  if (specials) {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0];
    for (let i = 0; i < Math.max(5, n >> 9); i++) a[Math.floor(next() * n)] = values[i % values.length];
  }
  return a;
}

/** `f` on cpu and on cpu-portable: [simd, portable] outputs. */
async function onBoth(f: () => Tensor): Promise<[Float32Array, Float32Array]> {
  const out: Float32Array[] = [];
  for (const backend of ["cpu", "cpu-portable"]) {
    await setBackend(backend);
    out.push(tidy(f).dataSync() as Float32Array);
  }
  return [out[0], out[1]];
}

/** Indices where a and b differ as float32 values (NaN equals NaN; with zeroSign false, -0 equals +0). */
function differences(a: Float32Array, b: Float32Array, zeroSign: boolean): number[] {
  const bad: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const same = Object.is(a[i], b[i]) || (!zeroSign && a[i] === 0 && b[i] === 0);
    if (!same) bad.push(i);
  }
  return bad;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("element-wise ops on the SIMD path", () => {
  const ops = { add, sub, mul, div, maximum, minimum };
  const cases: [string, number[], number[]][] = [
    ["equal shapes", [2, 16, 24, 24], [2, 16, 24, 24]],
    ["a per-channel [C, 1, 1] operand (batch norm's affine)", [1, 64, 20, 20], [64, 1, 1]],
    ["a per-channel operand under a batch of 3", [3, 32, 9, 9], [32, 1, 1]],
    ["a row vector", [40, 100], [1, 100]],
    ["a broadcast scalar", [5000], [1]],
  ];
  for (const [what, aShape, bShape] of cases) {
    it(`add, sub, mul, div, maximum and minimum with ${what} give the portable path's float32 results bit for bit`, async () => {
      const na = aShape.reduce((x, y) => x * y, 1);
      const nb = bShape.reduce((x, y) => x * y, 1);
      const a = random(na, 1, true);
      const b = random(nb, 2, true);
      for (const [name, op] of Object.entries(ops)) {
        const [simd, portable] = await onBoth(() => op(tensor(a, aShape), tensor(b, bShape)));
        expect(differences(simd, portable, true), name).toEqual([]);
      }
    });
  }

  it("relu and relu6 keep NaN, map -0 as the portable path does, and clamp ±Infinity", async () => {
    const x = random(3 * 1000 + 3, 3, true);
    for (const op of [relu, relu6]) {
      const [simd, portable] = await onBoth(() => op(tensor(x, [3, 1001])));
      expect(differences(simd, portable, true)).toEqual([]);
    }
  });

  it("a TypeScript kernel's output (transpose) is placed in the kernels' linear memory and given back on dispose", async () => {
    await setBackend("cpu");
    const rt = wasmRuntime();
    if (rt === null) throw new Error("no SIMD runtime");
    const x = tensor(random(64 * 48, 4), [64, 48]);
    transpose(x, 0, 1).dispose();
    const inUse = rt.arena.bytesInUse;
    const y = transpose(x, 0, 1);
    expect(rt.arena.bytesInUse).toBeGreaterThanOrEqual(inUse + 64 * 48 * 4);
    expect(y.dataSync()[1]).toBe(x.dataSync()[48]);
    y.dispose();
    expect(rt.arena.bytesInUse).toBe(inUse);
    x.dispose();
  });
});

describe("maxPool2d 2 or 3 wide at stride 2 (its own SIMD kernel)", () => {
  type Pair = number | [number, number];
  const cases: [number[], Pair, { stride: Pair; padding?: Pair; ceilMode?: boolean }][] = [
    [[1, 8, 112, 112], 3, { stride: 2, padding: 1 }],
    [[2, 3, 37, 41], 3, { stride: 2, padding: 1, ceilMode: true }],
    [[1, 4, 30, 27], [2, 3], { stride: [1, 2], padding: [1, 1] }],
    [[1, 4, 19, 64], 2, { stride: 2 }],
    [[1, 2, 9, 7], [3, 2], { stride: [3, 2], padding: [1, 1], ceilMode: true }],
    [[1, 2, 5, 13], 3, { stride: 2 }],
  ];
  for (const [shape, kernel, options] of cases) {
    it(`maxPool2d(x [${shape}], ${JSON.stringify(kernel)}, ${JSON.stringify(options)}) equals the portable path, NaN propagating from any column`, async () => {
      const n = shape.reduce((x, y) => x * y, 1);
      const x = random(n, n, true);
      const [simd, portable] = await onBoth(() => maxPool2d(tensor(x, shape), kernel, options));
      // The conformance rule: max pooling is exact, with +0 and -0 equal.
      expect(differences(simd, portable, false)).toEqual([]);
    });
  }
});

describe("depthwise 3x3 at stride 1 (output rows computed in pairs)", () => {
  for (const rows of [1, 2, 7, 56]) {
    it(`conv2d with groups = channels matches the portable path on ${rows} output rows (odd counts end with a single row)`, async () => {
      const C = 6;
      const x = random(C * rows * 29, rows);
      const w = random(C * 9, 5);
      const b = random(C, 6);
      const [simd, portable] = await onBoth(() => conv2d(tensor(x, [1, C, rows, 29]), tensor(w, [C, 1, 3, 3]), { bias: tensor(b, [C]), padding: 1, groups: C }));
      expect(maxAbsDiff(simd, portable)).toBeLessThan(1e-5);
    });
  }
});

describe("conv2d split across threads by output channel", () => {
  it("packs the im2col matrix once for all tasks (a first job): the same bits as one thread, and the portable path's values", async () => {
    // 7x7 positions, 64 output channels: too few positions to split, so output channels are split.
    const x = random(96 * 7 * 7, 7);
    const w = random(64 * 96 * 9, 8);
    const run = (): Tensor => conv2d(tensor(x, [1, 96, 7, 7]), tensor(w, [64, 96, 3, 3]), { padding: 1 });
    const threads = wasmRuntime()?.numThreads ?? 1;
    setParallelThreshold(0);
    try {
      setNumThreads(2);
      const [split, portable] = await onBoth(run);
      setNumThreads(1);
      const [alone] = await onBoth(run);
      expect(differences(split, alone, true)).toEqual([]);
      const scale = portable.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbsDiff(split, portable)).toBeLessThan(1e-5 * scale);
    } finally {
      setParallelThreshold(262144);
      setNumThreads(threads);
    }
  });
});

describe("matmul with one row (a linear layer on one sample)", () => {
  it("gives the same float32 bits as the same row inside a two-row product, for B given transposed or not", async () => {
    await setBackend("cpu-portable");
    const K = 600;
    const N = 37;
    const a = random(K, 9);
    const b = random(K * N, 10);
    for (const transposed of [false, true]) {
      const B = (): Tensor => (transposed ? transpose(tensor(b, [N, K]), 0, 1) : tensor(b, [K, N]));
      const one = tidy(() => matmul(tensor(a, [1, K]), B())).dataSync();
      const two = new Float32Array(2 * K);
      two.set(a);
      two.set(a, K);
      const both = tidy(() => matmul(tensor(two, [2, K]), B())).dataSync();
      expect(differences(one as Float32Array, (both as Float32Array).subarray(0, N), true)).toEqual([]);
    }
  });
});
