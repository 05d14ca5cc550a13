/**
 * @convkit/core's tensor lifetime rules on the CPU backend: tidy() disposes what a scope created except
 * what it returns, keep() rescues a tensor, and no pooling op leaves a tensor or a buffer behind.
 */
import {
  ArgumentError,
  type Tensor,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  avgPoolNd,
  globalAvgPool,
  globalMaxPool,
  keep,
  lpPool1d,
  lpPool2d,
  lpPoolNd,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  maxPoolNd,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  memory,
  ones,
  rand,
  tidy,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";

const results = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);
/** The 1d/2d/3d members of a family differ only in tuple types; the tests call them with any. */
type AnyPool = (x: Tensor, size: unknown, options?: Record<string, unknown>) => Tensor | Tensor[];

/** Runs `fn` and checks that once its results are disposed, tensor and byte counts are back where they started. */
function expectNoLeak(fn: () => Tensor | Tensor[]): Tensor[] {
  const before = memory();
  const out = results(fn());
  const during = memory();
  expect(during.numTensors).toBe(before.numTensors + out.length);
  for (const t of out) t.dispose();
  expect(memory()).toEqual(before);
  return out;
}

interface Op {
  readonly name: string;
  readonly rank: 1 | 2 | 3;
  run(x: Tensor): Tensor | Tensor[];
}

const ops: readonly Op[] = [
  ...([maxPool1d, maxPool2d, maxPool3d] as unknown as AnyPool[]).flatMap((fn, i) => [
    { name: `maxPool${i + 1}d`, rank: (i + 1) as 1 | 2 | 3, run: (x: Tensor) => fn(x, 2) },
    { name: `maxPool${i + 1}d returnIndices`, rank: (i + 1) as 1 | 2 | 3, run: (x: Tensor) => fn(x, 2, { returnIndices: true, padding: 1, ceilMode: true }) },
  ]),
  { name: "maxPoolNd returnIndices", rank: 2, run: (x) => maxPoolNd(x, { kernelSize: [2, 2], pads: [[1, 0], 0], returnIndices: true }) },
  { name: "avgPool1d", rank: 1, run: (x) => avgPool1d(x, 2, { padding: 1 }) },
  { name: "avgPool2d", rank: 2, run: (x) => avgPool2d(x, 2, { divisorOverride: 3 }) },
  { name: "avgPool3d", rank: 3, run: (x) => avgPool3d(x, 2, { ceilMode: true, stride: 3 }) },
  { name: "avgPoolNd", rank: 2, run: (x) => avgPoolNd(x, { kernelSize: [2, 2], dilation: [2, 1] }) },
  { name: "adaptiveAvgPool1d", rank: 1, run: (x) => adaptiveAvgPool1d(x, 3) },
  { name: "adaptiveAvgPool2d", rank: 2, run: (x) => adaptiveAvgPool2d(x, [3, null]) },
  { name: "adaptiveAvgPool3d", rank: 3, run: (x) => adaptiveAvgPool3d(x, 2) },
  ...([adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d] as unknown as AnyPool[]).flatMap((fn, i) => [
    { name: `adaptiveMaxPool${i + 1}d`, rank: (i + 1) as 1 | 2 | 3, run: (x: Tensor) => fn(x, 3) },
    { name: `adaptiveMaxPool${i + 1}d returnIndices`, rank: (i + 1) as 1 | 2 | 3, run: (x: Tensor) => fn(x, 3, { returnIndices: true }) },
  ]),
  { name: "lpPool1d", rank: 1, run: (x) => lpPool1d(x, 2, 2) },
  { name: "lpPool2d", rank: 2, run: (x) => lpPool2d(x, 3, 2, { ceilMode: true, stride: 3 }) },
  { name: "lpPoolNd", rank: 2, run: (x) => lpPoolNd(x, 1, { kernelSize: [2, 2], pads: 1 }) },
  ...([maxUnpool1d, maxUnpool2d, maxUnpool3d] as const).map((fn, i) => ({
    name: `maxUnpool${i + 1}d`,
    rank: (i + 1) as 1 | 2 | 3,
    run: (x: Tensor) =>
      tidy(() => {
        const pool = [maxPool1d, maxPool2d, maxPool3d][i] as (x: Tensor, k: number, o: { returnIndices: true }) => [Tensor, Tensor];
        const [v, idx] = pool(x, 2, { returnIndices: true });
        // The indices point into the pooled input's planes: unpool back to its spatial size.
        return fn(v, idx, 2 as never, { outputSize: x.shape.slice(-(i + 1)) });
      }),
  })),
];

describe("no pooling op leaves a tensor or a buffer behind", () => {
  for (const op of ops) {
    for (const unbatched of [false, true]) {
      it(`${op.name} on a ${unbatched ? "unbatched" : "batched"} input returns to the baseline once its results are disposed`, () => {
        const spatial = new Array<number>(op.rank).fill(5);
        const x = rand(unbatched ? [2, ...spatial] : [2, 2, ...spatial], { seed: 1 });
        const out = expectNoLeak(() => op.run(x));
        for (const t of out) expect(t.shape.length).toBe(x.shape.length);
        x.dispose();
      });
    }
  }

  for (const [name, fn] of [
    ["globalAvgPool", globalAvgPool],
    ["globalMaxPool", globalMaxPool],
  ] as const) {
    it(`${name} returns to the baseline once its result is disposed`, () => {
      const x = rand([2, 3, 4, 4], { seed: 2 });
      expectNoLeak(() => fn(x));
      x.dispose();
    });
  }

  it("a rejected call on an unbatched input leaves nothing behind", () => {
    const x = ones([2, 5, 5]);
    const floatIndices = ones([2, 5, 5]);
    const before = memory();
    expect(() => maxPool2d(x, 2, { stride: 0 })).toThrow(ArgumentError);
    expect(() => maxPool2d(x, 9)).toThrow();
    expect(() => avgPool2d(x, 2, { divisorOverride: 0 })).toThrow(ArgumentError);
    expect(() => lpPool2d(x, 2, 9)).toThrow();
    expect(() => adaptiveMaxPool2d(x, 0)).toThrow(ArgumentError);
    expect(() => maxUnpool2d(x, floatIndices, 2)).toThrow(ArgumentError);
    expect(memory()).toEqual(before);
    x.dispose();
    floatIndices.dispose();
  });

  it("reshape and unbatched results count as tensors of their own but share one buffer", () => {
    const before = memory();
    const x = ones([4, 4]);
    const y = x.reshape([16]);
    expect(memory().numTensors).toBe(before.numTensors + 2);
    expect(memory().numBytes).toBe(before.numBytes + 64);
    x.dispose();
    expect(Array.from(y.dataSync())).toHaveLength(16);
    y.dispose();
    expect(memory()).toEqual(before);
  });
});

describe("tidy disposes the tensors created inside it, except the ones it returns", () => {
  it("returns a tensor alive and disposes the intermediates", () => {
    const before = memory().numTensors;
    let inner: Tensor | undefined;
    const out = tidy(() => {
      inner = ones([1, 1, 4, 4]);
      return maxPool2d(inner, 2);
    });
    expect(inner?.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(memory().numTensors).toBe(before + 1);
    out.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it("keeps every tensor of a returned array or plain object", () => {
    const before = memory().numTensors;
    const [v, i] = tidy(() => maxPool2d(ones([1, 1, 4, 4]), 2, { returnIndices: true }));
    const obj = tidy(() => ({ a: ones([2]), nested: { b: [ones([3])] } }));
    expect(v.isDisposed || i.isDisposed || obj.a.isDisposed || obj.nested.b[0].isDisposed).toBe(false);
    expect(memory().numTensors).toBe(before + 4);
    for (const t of [v, i, obj.a, obj.nested.b[0]]) t.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it("leaves tensors created before it alone, even when used inside", () => {
    const x = ones([1, 1, 4, 4]);
    tidy(() => {
      avgPool2d(x, 2);
    });
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it("nested tidy hands its result to the outer scope, which disposes it unless returned", () => {
    const before = memory().numTensors;
    let fromInner: Tensor | undefined;
    let innerTemp: Tensor | undefined;
    const out = tidy(() => {
      fromInner = tidy(() => {
        innerTemp = ones([2]);
        return ones([3]);
      });
      expect(innerTemp?.isDisposed).toBe(true);
      expect(fromInner.isDisposed).toBe(false);
      return ones([4]);
    });
    expect(fromInner?.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    out.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it("keep() lets a tensor outlive the scope that created it", () => {
    const before = memory().numTensors;
    let kept: Tensor | undefined;
    tidy(() => {
      kept = keep(ones([2]));
      ones([2]);
    });
    expect(kept?.isDisposed).toBe(false);
    expect(memory().numTensors).toBe(before + 1);
    kept?.dispose();
  });

  it("disposes everything when the function throws, and rethrows", () => {
    const before = memory();
    let made: Tensor | undefined;
    expect(() =>
      tidy(() => {
        made = ones([8]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(made?.isDisposed).toBe(true);
    expect(memory()).toEqual(before);
  });

  it("throws ArgumentError for an async function and disposes what it created synchronously", () => {
    const before = memory();
    expect(() =>
      tidy(() => {
        ones([2]);
        return Promise.resolve(1);
      }),
    ).toThrow(ArgumentError);
    expect(memory()).toEqual(before);
  });

  it("a tensor disposed by hand inside tidy is not disposed twice and counts drop once", () => {
    const before = memory();
    tidy(() => {
      const t = ones([4]);
      t.dispose();
    });
    expect(memory()).toEqual(before);
  });
});
