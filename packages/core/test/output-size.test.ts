import { beforeAll, describe, expect, it } from "vitest";
import {
  ArgumentError,
  type Backend,
  type DataHandle,
  type KernelTensor,
  type TypedArray,
  adaptiveWindows,
  maxUnpool1d,
  maxUnpoolOutputSize,
  poolOutputSize,
  registerBackend,
  samePadding,
  windowEndPadding,
  setBackend,
  zeros,
} from "../src/index.js";
import { outputSizeFixture } from "./fixtures.js";

/** Storage and a maxUnpool kernel returning zeros of the size core resolved (these tests check shapes only). */
function unpoolStub(): Backend {
  const handle = (data: TypedArray): DataHandle => ({ data });
  const data = (x: KernelTensor): TypedArray => (x.handle as { data: TypedArray }).data;
  const stub: Partial<Backend> = {
    name: "unpool-stub",
    upload: (values) => handle(values),
    download: async (x) => data(x).slice(),
    downloadSync: (x) => data(x).slice(),
    release: () => undefined,
    memory: () => ({ numBuffers: 0, numBytes: 0 }),
    reshape: (x) => handle(data(x)),
    maxUnpool: (x, _indices, g) => handle(new Float32Array(x.shape[0] * x.shape[1] * g.outShape.reduce((p, d) => p * d, 1))),
  };
  return stub as Backend;
}

beforeAll(async () => {
  registerBackend("unpool-stub", unpoolStub, { priority: 0 });
  await setBackend("unpool-stub");
});

const fx = outputSizeFixture();

describe("poolOutputSize matches the output length of PyTorch's pooling", () => {
  it(`for ${fx.pool.length} (in, kernel, stride, pads, dilation, ceilMode) combinations`, () => {
    const wrong: string[] = [];
    for (const c of fx.pool) {
      const got = poolOutputSize(c.in, c.kernel, c.stride, c.padBegin, c.padEnd, c.dilation, c.ceilMode);
      const ok = c.out === null ? got < 1 : got === c.out;
      if (!ok) wrong.push(`${JSON.stringify(c)} -> ${got}`);
    }
    expect(wrong).toEqual([]);
  });

  it("returns < 1 exactly where PyTorch refuses with 'output size is too small'", () => {
    const refused = fx.pool.filter((c) => c.out === null);
    expect(refused.length).toBeGreaterThan(0);
    for (const c of refused) expect(poolOutputSize(c.in, c.kernel, c.stride, c.padBegin, c.padEnd, c.dilation, c.ceilMode)).toBeLessThan(1);
  });

  it("in ceil mode drops a last window that would start in the right padding, as PyTorch does", () => {
    // in 5, kernel 2, stride 2, pad 1: floor((5 + 2 - 2 + 1) / 2) + 1 = 4, but window 3 starts at 6 - 1 = 5, in the padding.
    const c = fx.pool.find((r) => r.in === 5 && r.kernel === 2 && r.stride === 2 && r.padBegin === 1 && r.dilation === 1 && r.ceilMode);
    expect(c?.out).toBe(3);
    expect(poolOutputSize(5, 2, 2, 1, 1, 1, true)).toBe(3);
  });
});

describe("windowEndPadding pads the end so exactly PyTorch's windows fit under 'valid' pooling", () => {
  it(`for every accepted combination of the ${fx.pool.length} above (ceil mode included)`, () => {
    const wrong: string[] = [];
    for (const c of fx.pool) {
      if (c.out === null) continue;
      const end = windowEndPadding(c.in, c.out, c.kernel, c.stride, c.padBegin, c.dilation);
      // With that end pad, plain floor-mode windows over the padded input give torch's count, and the last window ends exactly at the padded end.
      const floorCount = poolOutputSize(c.in, c.kernel, c.stride, c.padBegin, end, c.dilation, false);
      if (floorCount !== c.out || (c.out - 1) * c.stride + (c.kernel - 1) * c.dilation + 1 !== c.in + c.padBegin + end) wrong.push(JSON.stringify(c));
    }
    expect(wrong).toEqual([]);
  });
});

describe("adaptiveWindows gives the windows PyTorch's adaptive pooling averages over", () => {
  it(`for ${fx.adaptive.length} (in, out) pairs, including out > in`, () => {
    for (const c of fx.adaptive) {
      const w = adaptiveWindows(c.in, c.out);
      expect({ in: c.in, out: c.out, start: Array.from(w.start), end: Array.from(w.end) }).toEqual(c);
    }
  });
});

describe("maxUnpoolOutputSize is F.max_unpool1d's default output length", () => {
  it(`for ${fx.unpool.length} (in, kernel, stride, padding) combinations`, () => {
    for (const c of fx.unpool) expect(maxUnpoolOutputSize(c.in, c.kernel, c.stride, c.padding)).toBe(c.default);
  });

  it("and maxUnpool1d accepts a requested outputSize exactly where PyTorch does (strictly within one stride of it)", () => {
    for (const c of fx.unpool) {
      const x = zeros([1, 1, c.in]);
      const indices = zeros([1, 1, c.in], "int32");
      for (const v of c.accepted) {
        const y = maxUnpool1d(x, indices, c.kernel, { stride: c.stride, padding: c.padding, outputSize: [v] });
        expect(y.shape, `${JSON.stringify(c)} accepted ${v}`).toEqual([1, 1, v]);
        y.dispose();
      }
      for (const v of c.rejected) {
        expect(() => maxUnpool1d(x, indices, c.kernel, { stride: c.stride, padding: c.padding, outputSize: [v] }), `${JSON.stringify(c)} rejected ${v}`).toThrow(ArgumentError);
      }
      x.dispose();
      indices.dispose();
    }
  });
});

describe("samePadding(in, k, 1, d) is the padding F.conv1d(padding='same') applies", () => {
  it(`for ${fx.same.length} (in, kernel, dilation) combinations, odd remainder at the end`, () => {
    for (const c of fx.same) {
      expect({ ...c, pads: samePadding(c.in, c.kernel, c.stride, c.dilation) }).toEqual({ ...c, pads: [c.begin, c.end] });
    }
  });
});
