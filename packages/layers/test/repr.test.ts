import { describe, expect, test } from "vitest";
import { pyRepr } from "../src/repr.js";
import { build, fixtures } from "./layer-fixtures.js";

describe("toString() equals PyTorch's repr", () => {
  test.each(fixtures.reprs.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    expect(build(c.module).toString()).toBe(c.repr);
  });
});

describe("pyRepr formats values as Python's repr does", () => {
  test("pyRepr(x) prints tuples with a trailing comma for one element, None, True/False and quoted strings", () => {
    expect(pyRepr([3])).toBe("(3,)");
    expect(pyRepr([2, 3])).toBe("(2, 3)");
    expect(pyRepr([null, 3])).toBe("(None, 3)");
    expect(pyRepr(null)).toBe("None");
    expect(pyRepr(true)).toBe("True");
    expect(pyRepr(false)).toBe("False");
    expect(pyRepr("max")).toBe("'max'");
  });

  test("pyRepr(float) switches to exponent form below 1e-4, with two exponent digits", () => {
    expect(pyRepr(1.5)).toBe("1.5");
    expect(pyRepr(0.0001)).toBe("0.0001");
    expect(pyRepr(0.00001)).toBe("1e-05");
    expect(pyRepr(1.5e-7)).toBe("1.5e-07");
    expect(pyRepr(1.25e-123)).toBe("1.25e-123");
    expect(pyRepr(-2.5e-10)).toBe("-2.5e-10");
    expect(pyRepr(Number.POSITIVE_INFINITY)).toBe("inf");
    expect(pyRepr(Number.NaN)).toBe("nan");
  });

  test("pyRepr(integer) prints every digit, as a Python int", () => {
    expect(pyRepr(-1)).toBe("-1");
    expect(pyRepr(1e21)).toBe("1000000000000000000000");
  });
});
