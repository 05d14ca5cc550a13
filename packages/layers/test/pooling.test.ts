import "@convkit/backend-cpu";
import { ArgumentError, type Tensor, memory, tensor, tidy } from "@convkit/core";
import { DEFAULT_TOLERANCE, compareOutput, fromJson } from "@convkit/conformance";
import { describe, expect, test } from "vitest";
import { AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool2d, MaxUnpool2d } from "../src/index.js";
import { build, fixtures } from "./layer-fixtures.js";

describe("forward matches PyTorch's module output", () => {
  test.each(fixtures.forwards.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const module = build(c.module);
    const inputs = c.inputs.map(fromJson);
    const result = (module.forward as (...a: unknown[]) => Tensor | Tensor[])(...inputs, ...c.args);
    const outputs = Array.isArray(result) ? result : [result];
    expect(outputs.length).toBe(c.outputs.length);
    outputs.forEach((out, i) => {
      expect(compareOutput(out, { name: `output ${i}`, expected: c.outputs[i], compare: c.compare[i] }, DEFAULT_TOLERANCE)).toBeNull();
    });
    for (const t of [...inputs, ...outputs]) t.dispose();
    module.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("pooling layers", () => {
  test("new MaxPool2d(2, { returnIndices: true }).forward(x) returns [values, int32 indices]", () => {
    tidy(() => {
      const x = tensor([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 2, 1, 0, 1, 3, 2], [1, 1, 4, 4]);
      const [values, indices] = new MaxPool2d(2, { returnIndices: true }).forward(x);
      expect(values.arraySync()).toEqual([
        [
          [
            [5, 9],
            [7, 3],
          ],
        ],
      ]);
      expect(indices.dtype).toBe("int32");
      expect(indices.arraySync()).toEqual([
        [
          [
            [1, 6],
            [8, 14],
          ],
        ],
      ]);
      const restored = new MaxUnpool2d(2).forward(values, indices);
      expect(restored.arraySync()).toEqual([
        [
          [
            [0, 5, 0, 0],
            [0, 0, 9, 0],
            [7, 0, 0, 0],
            [0, 0, 3, 0],
          ],
        ],
      ]);
    });
  });

  test("new AdaptiveMaxPool2d(1, { returnIndices: true }) returns the global maximum and its flat index", () => {
    tidy(() => {
      const [values, indices] = new AdaptiveMaxPool2d(1, { returnIndices: true }).forward(
        tensor([
          [
            [1, 2],
            [7, 3],
          ],
        ]),
      );
      expect(values.arraySync()).toEqual([[[7]]]);
      expect(indices.arraySync()).toEqual([[[2]]]);
    });
  });

  test("a layer keeps its constructor arguments as PyTorch stores them (stride defaults to kernelSize)", () => {
    const pool = new MaxPool2d([2, 3], { padding: 1 });
    expect(pool.kernelSize).toEqual([2, 3]);
    expect(pool.stride).toEqual([2, 3]);
    expect(pool.padding).toBe(1);
    expect(pool.dilation).toBe(1);
    expect(pool.ceilMode).toBe(false);
    expect(pool.returnIndices).toBe(false);
    expect(new AvgPool2d(2).divisorOverride).toBeNull();
  });

  test("forward reports invalid arguments with core's error for the op", () => {
    tidy(() => {
      const x = tensor(new Float32Array(16), [1, 1, 4, 4]);
      expect(() => new MaxPool2d(2, { padding: 2 }).forward(x)).toThrow(/maxPool2d: padding 2 must be at most half/);
      expect(() => new AvgPool2d(0).forward(x)).toThrow(/avgPool2d: kernelSize must be positive integers/);
    });
  });

  test("new MaxPool2d(3, 1) throws: torch's positional stride would otherwise be ignored silently", () => {
    expect(() => new MaxPool2d(3, 1 as never)).toThrow(new ArgumentError("MaxPool2d: options must be an object such as { stride: 2 }, got 1"));
    expect(() => new AvgPool1d(3, 1 as never)).toThrow(/AvgPool1d: options must be an object/);
    expect(() => new MaxUnpool2d(2, 2 as never)).toThrow(/MaxUnpool2d: options must be an object/);
  });

  test("null options mean the defaults, as an omitted options object does", () => {
    expect(new MaxPool2d(2, null as never).stride).toBe(2);
    expect(new AvgPool1d(2, null as never).toString()).toBe("AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
    expect(new AdaptiveMaxPool2d(2, null as never).returnIndices).toBe(false);
    expect(new MaxUnpool2d(2, null as never).padding).toEqual([0, 0]);
  });

  test("new AvgPool1d(null) constructs as torch does, and forward reports core's error", () => {
    tidy(() => {
      const x = tensor(new Float32Array(8), [1, 2, 4]);
      expect(() => new AvgPool1d(null as never).forward(x)).toThrow(new ArgumentError("avgPool1d: kernelSize must be positive integers, got [null] (input shape [1, 2, 4])"));
    });
  });
});
