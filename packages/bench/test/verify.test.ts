import { describe, expect, it } from "vitest";
import { median } from "../src/measure.js";
import { formatSpeedup } from "../src/report.js";
import { compareOutputs, toleranceFor } from "../src/verify.js";

describe("compareOutputs", () => {
  const ref = Float32Array.from([1, -2, 4]);

  it("accepts a conv output within 1e-3 of the reference's largest magnitude", () => {
    const c = compareOutputs(Float32Array.from([1.002, -2, 4]), ref, toleranceFor("conv"));
    expect(c.ok).toBe(true);
    expect(c.relDiff).toBeCloseTo(0.0005, 6);
  });

  it("rejects a conv output off by more than that", () => {
    expect(compareOutputs(Float32Array.from([1, -2, 4.01]), ref, toleranceFor("conv")).ok).toBe(false);
  });

  it("requires max pooling to match exactly", () => {
    expect(compareOutputs(Float32Array.from([1, -2, 4.000001]), ref, toleranceFor("maxPool")).ok).toBe(false);
    expect(compareOutputs(Float32Array.from(ref), ref, toleranceFor("maxPool")).ok).toBe(true);
  });

  it("fails on NaN and on a length mismatch, naming the problem", () => {
    expect(compareOutputs(Float32Array.from([1, Number.NaN, 4]), ref, toleranceFor("conv"))).toMatchObject({ ok: false, problem: "1 non-finite values" });
    expect(compareOutputs(new Float32Array(2), ref, toleranceFor("conv"))).toMatchObject({ ok: false, problem: "2 values, reference has 3" });
  });
});

describe("report helpers", () => {
  it("median of an even count averages the middle two", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("formatSpeedup says faster above 1 and slower below", () => {
    expect(formatSpeedup(5.12)).toBe("5.1x faster");
    expect(formatSpeedup(1 / 41.6)).toBe("42x slower");
  });
});
