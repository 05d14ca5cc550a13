/** BatchNorm1d/2d/3d: train and eval steps against PyTorch (fixtures/layers2.json), running statistics included. */
import "@convkit/backend-cpu";
import { ArgumentError, ShapeError, memory, ones, randn, tensor, tidy, zeros } from "@convkit/core";
import { DEFAULT_TOLERANCE, compareOutput, fromJson } from "@convkit/conformance";
import { describe, expect, test } from "vitest";
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormNd } from "../src/index.js";
import { build, fixtures2 } from "./layers2-fixtures.js";

describe("BatchNorm steps match torch: outputs and the state dict after every step", () => {
  test.each(fixtures2.batchNorm.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const bn = build(c.module) as BatchNormNd;
    const initial = new Map(Object.entries(c.state).map(([k, v]) => [k, fromJson(v)]));
    bn.loadStateDict(initial);
    for (const t of initial.values()) t.dispose();
    const fields = [bn.weight, bn.bias, bn.runningMean, bn.runningVar, bn.numBatchesTracked];
    c.steps.forEach((step, i) => {
      bn.train(step.mode === "train");
      const x = fromJson(step.input);
      const y = bn.forward(x);
      expect(compareOutput(y, { name: `step ${i} output`, expected: step.output, compare: "close" }, DEFAULT_TOLERANCE)).toBeNull();
      const sd = bn.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(step.state));
      for (const [key, expected] of Object.entries(step.state)) {
        // num_batches_tracked is compared exactly; running statistics are sums over the batch.
        const compare = expected.dtype === "int32" ? "exact" : "close";
        expect(compareOutput(sd[key], { name: `step ${i} ${key}`, expected, compare }, DEFAULT_TOLERANCE)).toBeNull();
      }
      x.dispose();
      y.dispose();
    });
    // Updated in place: the fields are the very tensors the module started with.
    expect([bn.weight, bn.bias, bn.runningMean, bn.runningVar, bn.numBatchesTracked]).toEqual(fields);
    bn.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("BatchNorm construction and input checks", () => {
  test("defaults: weight ones, bias zeros, running_mean zeros, running_var ones, num_batches_tracked a 0-d int32 zero", () => {
    const bn = new BatchNorm2d(3);
    expect(Array.from(bn.weight?.dataSync() ?? [])).toEqual([1, 1, 1]);
    expect(Array.from(bn.bias?.dataSync() ?? [])).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningMean?.dataSync() ?? [])).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningVar?.dataSync() ?? [])).toEqual([1, 1, 1]);
    expect(bn.numBatchesTracked?.shape).toEqual([]);
    expect(bn.numBatchesTracked?.dtype).toBe("int32");
    bn.dispose();
  });

  test("BatchNorm1d takes (N, C) or (N, C, L), 2d (N, C, H, W), 3d (N, C, D, H, W); another rank is a ShapeError", () => {
    tidy(() => {
      expect(new BatchNorm1d(2).eval().forward(ones([3, 2])).shape).toEqual([3, 2]);
      expect(new BatchNorm1d(2).eval().forward(ones([3, 2, 4])).shape).toEqual([3, 2, 4]);
      expect(new BatchNorm3d(2).eval().forward(ones([1, 2, 2, 2, 2])).shape).toEqual([1, 2, 2, 2, 2]);
      expect(() => new BatchNorm2d(2).forward(ones([2, 2, 3]))).toThrow(new ShapeError("BatchNorm2d: expected a 4-D input (N, C, H, W), got shape [2, 2, 3]"));
      expect(() => new BatchNorm1d(2).forward(ones([2, 2, 3, 3]))).toThrow(/BatchNorm1d: expected a 2-D or 3-D input \(N, C\) or \(N, C, L\), got shape \[2, 2, 3, 3\]/);
    });
  });

  test("a channel count other than numFeatures is a ShapeError naming both", () => {
    tidy(() => {
      expect(() => new BatchNorm2d(4).forward(ones([1, 3, 2, 2]))).toThrow(new ShapeError("BatchNorm2d: expected 4 channels (dim 1) as configured, got input shape [1, 3, 2, 2]"));
    });
  });

  test("a training step on one value per channel fails (as in torch) and leaves the running statistics and counter unchanged", () => {
    const bn = new BatchNorm1d(3);
    const x = randn([1, 3], { seed: 1 });
    expect(() => bn.forward(x)).toThrow(/expected more than 1 value per channel when training/);
    expect(bn.numBatchesTracked?.arraySync()).toBe(0);
    expect(Array.from(bn.runningMean?.dataSync() ?? [])).toEqual([0, 0, 0]);
    x.dispose();
    bn.dispose();
  });

  test("invalid configuration is an ArgumentError naming the option", () => {
    expect(() => new BatchNorm2d(0)).toThrow(new ArgumentError("BatchNorm2d: numFeatures must be a positive integer (the channel count), got 0"));
    expect(() => new BatchNorm2d(2, { eps: -1 })).toThrow(/BatchNorm2d: eps must be a non-negative finite number, got -1/);
    expect(() => new BatchNorm2d(2, { momentum: Number.NaN })).toThrow(/momentum must be a non-negative finite number, got NaN/);
    expect(() => new BatchNorm2d(2, { affine: "yes" as unknown as boolean })).toThrow(/affine must be a boolean, got yes/);
  });

  test("without running statistics, eval mode normalises with the batch's statistics (as torch does)", () => {
    tidy(() => {
      const bn = new BatchNorm1d(1, { trackRunningStats: false, affine: false }).eval();
      expect(bn.stateDict()).toEqual({});
      const y = bn.forward(tensor([[1], [3]]));
      expect(Array.from(y.dataSync()).map((v) => Math.round(v * 1000) / 1000)).toEqual([-1, 1]);
    });
  });

  test("a state dict without num_batches_tracked (older torch checkpoints) loads strictly and resets the counter to 0", () => {
    const bn = new BatchNorm2d(2);
    const x = randn([2, 2, 2, 2], { seed: 3 });
    bn.forward(x).dispose();
    expect(bn.numBatchesTracked?.arraySync()).toBe(1);
    const state = { weight: ones([2]), bias: zeros([2]), running_mean: zeros([2]), running_var: ones([2]) };
    expect(bn.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(bn.numBatchesTracked?.arraySync()).toBe(0);
    for (const t of [x, ...Object.values(state)]) t.dispose();
    bn.dispose();
  });

  test("num_batches_tracked loads from an int32 or a float32 tensor holding an integer", () => {
    const bn = new BatchNorm1d(2);
    const asFloat = tensor(7, [], "float32");
    bn.loadStateDict({ num_batches_tracked: asFloat }, { strict: false });
    expect(bn.numBatchesTracked?.dtype).toBe("int32");
    expect(bn.numBatchesTracked?.arraySync()).toBe(7);
    const asInt = tensor(9, [], "int32");
    bn.loadStateDict({ num_batches_tracked: asInt }, { strict: false });
    expect(bn.numBatchesTracked?.arraySync()).toBe(9);
    const fractional = tensor(2.5, [], "float32");
    expect(() => bn.loadStateDict({ num_batches_tracked: fractional }, { strict: false })).toThrow(/dtype mismatch for "num_batches_tracked".*holds 2\.5/);
    for (const t of [asFloat, asInt, fractional]) t.dispose();
    bn.dispose();
  });
});
