import "@convkit/backend-cpu";
import { ArgumentError, Generator, ShapeError, ones, tensor, tidy } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { Dropout, LeakyReLU, Linear, ReLU, Softmax } from "../src/index.js";

describe("Linear", () => {
  test("new Linear(in, out) draws weight [out, in] and bias [out] uniformly from ±1/sqrt(in), as torch's default init", () => {
    const lin = new Linear(16, 8, { generator: new Generator(5) });
    expect(lin.weight.shape).toEqual([8, 16]);
    expect(lin.bias?.shape).toEqual([8]);
    const values = [...lin.weight.dataSync(), ...(lin.bias?.dataSync() ?? [])];
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
    // 136 uniform draws spread over the range, not clustered near 0.
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.2);
    lin.dispose();
  });

  test("the same generator seed gives the same weights; { bias: false } registers a null bias", () => {
    const a = new Linear(3, 2, { generator: new Generator(1) });
    const b = new Linear(3, 2, { generator: new Generator(1) });
    expect(a.weight.dataSync()).toEqual(b.weight.dataSync());
    const c = new Linear(3, 2, { bias: false });
    expect(c.bias).toBeNull();
    expect(c.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    for (const m of [a, b, c]) m.dispose();
  });

  test("invalid feature counts are ArgumentErrors; a wrong input width is core linear's ShapeError", () => {
    expect(() => new Linear(-1, 2)).toThrow(new ArgumentError("Linear: inFeatures must be a non-negative integer, got -1"));
    expect(() => new Linear(2, 1.5)).toThrow(/outFeatures must be a non-negative integer, got 1\.5/);
    tidy(() => {
      expect(() => new Linear(3, 2).forward(ones([2, 4]))).toThrow(/linear: input's last dim must equal in_features 3/);
    });
  });

  test("new Linear(1e6, 1e6) is a ShapeError naming the weight no tensor can hold, not a RangeError", () => {
    expect(() => new Linear(1e6, 1e6)).toThrow(/^Linear: the parameter of shape \[1000000, 1000000\] would hold 1000000000000 elements/);
    expect(() => new Linear(1e6, 1e6)).toThrow(ShapeError);
  });
});

describe("Dropout", () => {
  test("in training zeroes about p of the elements and scales the rest by 1 / (1 - p); eval() returns the values unchanged", () => {
    tidy(() => {
      const drop = new Dropout(0.25, { seed: 7 });
      const y = Array.from(drop.forward(ones([4000])).dataSync());
      const zeros = y.filter((v) => v === 0).length;
      expect(zeros / y.length).toBeGreaterThan(0.2);
      expect(zeros / y.length).toBeLessThan(0.3);
      expect(new Set(y.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / 0.75)]));
      drop.eval();
      expect(Array.from(drop.forward(ones([5])).dataSync())).toEqual([1, 1, 1, 1, 1]);
    });
  });

  test("two layers with the same seed draw the same masks; successive calls of one layer differ", () => {
    tidy(() => {
      const a = new Dropout(0.5, { seed: 3 });
      const b = new Dropout(0.5, { seed: 3 });
      const first = a.forward(ones([64])).dataSync();
      expect(b.forward(ones([64])).dataSync()).toEqual(first);
      expect(a.forward(ones([64])).dataSync()).not.toEqual(first);
    });
  });

  test("p outside [0, 1] is an ArgumentError, as torch's ValueError", () => {
    expect(() => new Dropout(1.5)).toThrow(new ArgumentError("Dropout: probability p must be between 0 and 1, got 1.5"));
    expect(() => new Dropout(0.5, { seed: 1, generator: new Generator(1) })).toThrow(/pass either seed or generator, not both/);
  });
});

describe("activation options", () => {
  test("inplace only changes the repr; forward returns a new tensor and leaves the input as it was", () => {
    tidy(() => {
      const x = tensor([-1, 2]);
      const relu = new ReLU({ inplace: true });
      const y = relu.forward(x);
      expect(y).not.toBe(x);
      expect(Array.from(y.dataSync())).toEqual([0, 2]);
      expect(Array.from(x.dataSync())).toEqual([-1, 2]);
      expect(relu.toString()).toBe("ReLU(inplace=True)");
    });
  });

  test("Softmax requires an integer dim; LeakyReLU a numeric slope", () => {
    expect(() => new Softmax(undefined as unknown as number)).toThrow(/Softmax: dim must be an integer \(convkit has no implicit-dim form/);
    expect(() => new LeakyReLU("0.1" as unknown as number)).toThrow(/LeakyReLU: negativeSlope must be a number, got 0\.1/);
    expect(() => new ReLU({ inplace: 1 as unknown as boolean })).toThrow(/ReLU: inplace must be a boolean, got 1/);
  });
});
