import "@convkit/backend-cpu";
import { memory, rand, tidy } from "@convkit/core";
import { DEFAULT_TOLERANCE, compareOutput, fromJson } from "@convkit/conformance";
import { describe, expect, test } from "vitest";
import { SpatialPyramidPooling } from "../src/index.js";
import { fixtures } from "./layer-fixtures.js";

describe("SpatialPyramidPooling matches torch.cat([F.adaptive_*_pool2d(x, n).flatten(1) ...], 1)", () => {
  test.each(fixtures.spp.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const x = fromJson(c.input);
    const y = new SpatialPyramidPooling(c.levels, { mode: c.mode }).forward(x);
    expect(compareOutput(y, { name: "output", expected: c.output, compare: c.compare }, DEFAULT_TOLERANCE)).toBeNull();
    x.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("SpatialPyramidPooling", () => {
  test("new SpatialPyramidPooling([1, 2, 4]) gives (N, C * 21) for inputs of different sizes", () => {
    tidy(() => {
      const spp = new SpatialPyramidPooling([1, 2, 4]);
      expect(spp.binsPerChannel).toBe(21);
      expect(spp.forward(rand([2, 3, 13, 17], { seed: 1 })).shape).toEqual([2, 63]);
      expect(spp.forward(rand([2, 3, 32, 9], { seed: 2 })).shape).toEqual([2, 63]);
    });
  });

  test("an unbatched (C, H, W) input gives a (C * sum(n^2)) vector", () => {
    tidy(() => {
      expect(new SpatialPyramidPooling([1, 2], { mode: "avg" }).forward(rand([3, 5, 6], { seed: 3 })).shape).toEqual([15]);
    });
  });

  test("toString() shows the levels and mode", () => {
    expect(new SpatialPyramidPooling([1, 2, 4]).toString()).toBe("SpatialPyramidPooling(levels=(1, 2, 4), mode='max')");
  });

  test("rejects empty or non-positive levels, an unknown mode and inputs that are not 3-D or 4-D", () => {
    expect(() => new SpatialPyramidPooling([])).toThrow(/SpatialPyramidPooling: levels must be a non-empty array of positive integers/);
    expect(() => new SpatialPyramidPooling([1, 0])).toThrow(/got \[1,0\]/);
    expect(() => new SpatialPyramidPooling([1], { mode: "sum" as "max" })).toThrow(/mode must be "max" or "avg", got "sum"/);
    tidy(() => {
      expect(() => new SpatialPyramidPooling([1]).forward(rand([4, 4], { seed: 4 }))).toThrow(
        /input must be 3-D \(C, H, W\) or 4-D \(N, C, H, W\), got 2-D input of shape \[4, 4\]/,
      );
    });
  });
});
