import { describe, expect, it } from "vitest";
import { formatTensor } from "../src/index.js";
import { jsonValues, reprCases } from "./fixtures.js";

describe("formatTensor prints exactly what PyTorch's str(tensor) prints", () => {
  for (const c of reprCases()) {
    it(`${c.id}: ${JSON.stringify(c.tensor.shape)} ${c.tensor.dtype}`, () => {
      expect(formatTensor(jsonValues(c.tensor), c.tensor.shape, c.tensor.dtype)).toBe(c.repr);
    });
  }
});
