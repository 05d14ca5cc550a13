/**
 * batchNorm / batchNormTrain and dropout from @convkit/core on the CPU backend: argument errors, the
 * immutable running-statistics contract and dropout's statistics. Values are checked against PyTorch by
 * the conformance fixtures (batch-norm.json, dropout.json, written by tools/fixtures/generate_norm.py).
 */
import {
  ArgumentError,
  Generator,
  ShapeError,
  type Tensor,
  batchNorm,
  batchNormTrain,
  dropout,
  manualSeed,
  memory,
  ones,
  randn,
  tensor,
  zeros,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { expectError } from "./expect-error.js";

function disposeAll(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe("batchNorm argument errors", () => {
  const x = randn([2, 3, 4], { seed: 1 });
  const rm = zeros([3]);
  const rv = ones([3]);

  it("batchNorm(x, null, null) in eval mode throws ArgumentError: running statistics are required", () => {
    expectError(() => batchNorm(x, null, null), ArgumentError, "batchNorm:", "runningMean and runningVar are required in evaluation mode", "[2, 3, 4]");
  });

  it("batchNorm(x, rm, rv, { training: true }) throws ArgumentError pointing to batchNormTrain instead of skipping the update", () => {
    expectError(() => batchNorm(x, rm, rv, { training: true }), ArgumentError, "batchNorm:", "batchNormTrain(input, runningMean, runningVar, options)", "pass null for both");
  });

  it("batchNorm with a runningMean of the wrong length throws ShapeError naming the channel count", () => {
    expectError(() => batchNorm(x, zeros([4]), rv), ShapeError, "batchNorm:", "runningMean must have shape [3]", "got [4]", "[2, 3, 4]");
  });

  it("batchNorm with a [1, 3] runningVar throws ShapeError: statistics are [C]", () => {
    expectError(() => batchNorm(x, rm, ones([1, 3])), ShapeError, "runningVar must have shape [3]", "got [1, 3]");
  });

  it("batchNorm with a weight of the wrong length throws ShapeError", () => {
    expectError(() => batchNorm(x, rm, rv, { weight: ones([4]) }), ShapeError, "batchNorm:", "weight must have shape [3]", "got [4]");
  });

  it("batchNorm with an int32 bias throws ArgumentError", () => {
    expectError(() => batchNorm(x, rm, rv, { bias: tensor(Int32Array.of(1, 2, 3)) }), ArgumentError, "bias must be float32, got int32");
  });

  it("batchNorm of a 1-D input throws ShapeError: it needs (N, C, *)", () => {
    expectError(() => batchNorm(ones([3]), rm, rv), ShapeError, "batchNorm:", "at least 2 dims (N, C, *)", "[3]");
  });

  it("batchNorm of an int32 input throws ArgumentError", () => {
    expectError(() => batchNorm(tensor(new Int32Array(6), [2, 3], "int32"), rm, rv), ArgumentError, "input must be float32, got int32");
  });

  it("batchNorm in training with one value per channel throws ShapeError, as torch's ValueError", () => {
    expectError(() => batchNorm(ones([1, 3, 1]), null, null, { training: true }), ShapeError, "expected more than 1 value per channel when training", "[1, 3, 1]");
    expectError(() => batchNormTrain(ones([1, 3]), rm, rv), ShapeError, "batchNormTrain:", "more than 1 value per channel");
  });

  it("batchNorm with eps -1, NaN momentum or a non-boolean training throws ArgumentError", () => {
    expectError(() => batchNorm(x, rm, rv, { eps: -1 }), ArgumentError, "eps must be a non-negative finite number, got -1");
    expectError(() => batchNormTrain(x, rm, rv, { momentum: Number.NaN }), ArgumentError, "momentum must be a finite number, got NaN");
    expectError(() => batchNorm(x, rm, rv, { training: 1 as unknown as boolean }), ArgumentError, "training must be a boolean, got 1");
  });

  it("batchNorm(x, rm, rv, 0.1) with a Python-style positional momentum throws ArgumentError", () => {
    expectError(() => batchNorm(x, rm, rv, 0.1 as never), ArgumentError, "batchNorm: options must be an object");
  });

  it("a rejected batchNorm, batchNormTrain or dropout call leaves no tensor behind", () => {
    const w4 = ones([4]);
    const before = memory().numTensors;
    expect(() => batchNorm(x, rm, rv, { weight: w4 })).toThrow(ShapeError);
    expect(() => batchNormTrain(x, rm, rv, { eps: Number.NaN })).toThrow(ArgumentError);
    expect(() => dropout(x, 2)).toThrow(ArgumentError);
    expect(memory().numTensors).toBe(before);
    w4.dispose();
  });

  it("batchNormTrain({ training: false }) throws ArgumentError: it always trains", () => {
    expectError(() => batchNormTrain(x, rm, rv, { training: false } as never), ArgumentError, "batchNormTrain: always trains");
  });
});

describe("batchNormTrain returns the updated running statistics as new tensors", () => {
  it("batchNormTrain leaves its inputs unchanged and returns three new tensors the caller owns", () => {
    const x = randn([4, 2, 3], { seed: 2 });
    const rm = tensor([0.5, -0.5]);
    const rv = tensor([2, 3]);
    const before = memory().numTensors;
    const [out, newMean, newVar] = batchNormTrain(x, rm, rv, { momentum: 0.5 });
    expect(memory().numTensors, "exactly the three results stay alive").toBe(before + 3);
    expect([out.shape, newMean.shape, newVar.shape]).toEqual([[4, 2, 3], [2], [2]]);
    expect([values(rm), values(rv)]).toEqual([[0.5, -0.5], [2, 3]]);
    expect(values(newMean)).not.toEqual(values(rm));
    disposeAll(out, newMean, newVar);
    expect(memory().numTensors).toBe(before);
    disposeAll(x, rm, rv);
  });

  it("batchNormTrain with momentum 1, 1/2, 1/3 on three batches (BatchNorm's momentum=None) leaves the average of the batch means", () => {
    const batches = [1, 2, 3].map((seed) => randn([5, 2, 4], { seed }));
    let rm = tensor([7, -7]);
    let rv = tensor([9, 9]);
    batches.forEach((x, k) => {
      const [out, m, v] = batchNormTrain(x, rm, rv, { momentum: 1 / (k + 1) });
      disposeAll(out, rm, rv);
      rm = m;
      rv = v;
    });
    const batchMeans = [0, 1].map((c) => {
      const perBatch = batches.map((x) => {
        const d = x.arraySync() as number[][][];
        return d.flatMap((n) => n[c]).reduce((a, b) => a + b, 0) / 20;
      });
      return (perBatch[0] + perBatch[1] + perBatch[2]) / 3;
    });
    const got = values(rm);
    for (const c of [0, 1]) expect(got[c]).toBeCloseTo(batchMeans[c], 5);
    disposeAll(rm, rv, ...batches);
  });

  it("batchNorm in eval mode leaves no intermediate tensor behind", () => {
    const x = randn([2, 3, 4, 4], { seed: 3 });
    const rm = zeros([3]);
    const rv = ones([3]);
    const w = ones([3]);
    const b = zeros([3]);
    const before = memory().numTensors;
    const out = batchNorm(x, rm, rv, { weight: w, bias: b });
    expect(memory().numTensors).toBe(before + 1);
    disposeAll(out, x, rm, rv, w, b);
  });
});

describe("dropout", () => {
  const n = 100_000;

  it("dropout(x, 0.3, { seed }) zeroes about 30% of the elements and scales the rest by float32(1 / 0.7)", () => {
    const x = randn([n], { seed: 4 });
    const out = dropout(x, 0.3, { seed: 11 });
    const xs = values(x);
    const os = values(out);
    const scale = Math.fround(1 / Math.fround(0.7));
    let zeros = 0;
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      if (os[i] === 0) zeros++;
      else if (os[i] !== Math.fround(xs[i] * scale)) wrong++;
    }
    // 4.5 standard deviations of a binomial fraction with n = 100000, p = 0.3 is about 0.0065.
    expect(Math.abs(zeros / n - 0.3)).toBeLessThan(0.0065);
    expect(wrong).toBe(0);
    disposeAll(x, out);
  });

  it("dropout keeps the expected value: the mean of dropout(ones, 0.5) is about 1", () => {
    const x = ones([n]);
    const out = dropout(x, 0.5, { seed: 5 });
    const mean = values(out).reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 1)).toBeLessThan(0.015);
    expect(new Set(values(out))).toEqual(new Set([0, 2]));
    disposeAll(x, out);
  });

  it("dropout with the same seed gives the same mask, with another seed a different one", () => {
    const x = ones([1000]);
    const [a, b, c] = [dropout(x, 0.5, { seed: 1 }), dropout(x, 0.5, { seed: 1 }), dropout(x, 0.5, { seed: 2 })];
    expect(values(a)).toEqual(values(b));
    expect(values(a)).not.toEqual(values(c));
    disposeAll(x, a, b, c);
  });

  it("dropout continues a passed Generator and the default generator reseeded by manualSeed", () => {
    const x = ones([1000]);
    const g = new Generator(9);
    const [a, b] = [dropout(x, 0.5, { generator: g }), dropout(x, 0.5, { generator: g })];
    expect(values(a)).not.toEqual(values(b));
    manualSeed(3);
    const c = dropout(x, 0.5);
    manualSeed(3);
    const d = dropout(x, 0.5);
    expect(values(c)).toEqual(values(d));
    disposeAll(x, a, b, c, d);
  });

  it("dropout(x, 0.5, { training: false }) returns the values unchanged in a tensor of its own", () => {
    const x = tensor([1, Number.NaN, -2]);
    const out = dropout(x, 0.5, { training: false });
    expect(out).not.toBe(x);
    out.dispose();
    expect(values(x)).toEqual([1, Number.NaN, -2]);
    x.dispose();
  });

  it("dropout with p outside [0, 1], NaN p, an int32 input or a fractional seed throws ArgumentError", () => {
    const x = ones([4]);
    expectError(() => dropout(x, 1.5), ArgumentError, "dropout:", "p must be between 0 and 1, got 1.5", "[4]");
    expectError(() => dropout(x, Number.NaN), ArgumentError, "got NaN");
    expectError(() => dropout(tensor(Int32Array.of(1, 2)), 0.5), ArgumentError, "input must be float32, got int32");
    expectError(() => dropout(x, 0.5, { seed: 1.5 }), ArgumentError, "dropout: seed must be an integer, got 1.5");
    x.dispose();
  });
});
