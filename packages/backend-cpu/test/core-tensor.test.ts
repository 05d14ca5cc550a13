/** @convkit/core's tensor creation and access, run on the CPU backend. */
import { ArgumentError, Generator, ShapeError, type Tensor, arange, full, manualSeed, ones, rand, randn, tensor, zeros } from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { jsonValues, reprCases } from "../../core/test/fixtures.js";
import { expectError } from "./expect-error.js";

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe("tensor() builds tensors from nested arrays, flat arrays with a shape, and typed arrays", () => {
  it("infers the shape of nested arrays", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(t.backend).toBe("cpu");
    expect(values(t)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("makes a 0-d tensor from a number", () => {
    const t = tensor(3.5);
    expect(t.shape).toEqual([]);
    expect(t.size).toBe(1);
    expect(t.arraySync()).toBe(3.5);
  });

  it("keeps empty dims of nested arrays: [] is [0], [[]] is [1, 0], [[], []] is [2, 0]", () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it("lays a flat array out in row-major order of the given shape", () => {
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        [4],
      ).shape,
    ).toEqual([4]);
  });

  it("takes the dtype of a typed array and copies its data", () => {
    const f = new Float32Array([1, 2, 3, 4]);
    const t = tensor(f, [2, 2]);
    f[0] = 99;
    expect(t.dtype).toBe("float32");
    expect(values(t)).toEqual([1, 2, 3, 4]);
    const i = tensor(new Int32Array([7, -8]));
    expect(i.dtype).toBe("int32");
    expect(i.shape).toEqual([2]);
    expect(i.dataSync()).toBeInstanceOf(Int32Array);
  });

  it("makes int32 tensors from numbers on request, and float32 from an Int32Array on request", () => {
    const t = tensor(
      [
        [1, -2],
        [3, 2147483647],
      ],
      undefined,
      "int32",
    );
    expect(t.dtype).toBe("int32");
    expect(values(t)).toEqual([1, -2, 3, 2147483647]);
    const f = tensor(new Int32Array([1, 2]), [2], "float32");
    expect(f.dtype).toBe("float32");
    expect(f.dataSync()).toBeInstanceOf(Float32Array);
  });

  it("rounds values to float32", () => {
    expect(values(tensor([0.1]))).toEqual([Math.fround(0.1)]);
  });
});

describe("tensor() rejects input it cannot represent exactly", () => {
  it("throws ShapeError for ragged nested arrays, naming the depth and the inferred shape", () => {
    expectError(() => tensor([[1, 2], [3]]), ShapeError, "tensor:", "ragged", "depth 1", "[2, 2]");
    expectError(() => tensor([[1], [2, 3]]), ShapeError, "tensor:", "ragged", "[2, 1]");
  });

  it("throws ArgumentError for a nested array mixing numbers and arrays at one depth", () => {
    expectError(
      () =>
        tensor([
          [1, [2]],
          [3, 4],
        ] as never),
      ArgumentError,
      "tensor:",
      "depth 2",
      "[2]",
    );
  });

  it("throws ArgumentError for a non-number element", () => {
    expectError(() => tensor([1, "a"] as never), ArgumentError, "tensor:", '"a"');
  });

  it("throws ShapeError when the values do not fill the shape, naming both sizes", () => {
    expectError(() => tensor([1, 2, 3], [2, 2]), ShapeError, "tensor:", "3 values", "[2, 2]", "4");
    expectError(() => tensor(new Float32Array(5), [2, 2]), ShapeError, "tensor:", "5 values", "[2, 2]");
  });

  it("throws ArgumentError for a shape that is not a list of non-negative integers", () => {
    expectError(() => tensor([1, 2], [2.5]), ArgumentError, "tensor:", "shape", "[2.5]");
    expectError(() => tensor([1, 2], [-2]), ArgumentError, "tensor:", "shape", "[-2]");
  });

  it("throws ArgumentError for int32 values that are not 32-bit integers", () => {
    for (const v of [1.5, 2 ** 31, -(2 ** 31) - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectError(() => tensor([0, v], undefined, "int32"), ArgumentError, "tensor:", "int32", String(v), "index 1");
    }
  });

  it("throws ArgumentError for a dtype other than float32 and int32", () => {
    expectError(() => tensor([1], undefined, "float64" as never), ArgumentError, "tensor:", "dtype", '"float64"');
  });
});

describe("reshape shares the data under a new shape, inferring one -1 dim", () => {
  it("infers -1 and takes the shape as an array or as arguments", () => {
    const t = tensor([1, 2, 3, 4, 5, 6]);
    expect(t.reshape([-1, 2]).shape).toEqual([3, 2]);
    expect(t.reshape(3, -1).shape).toEqual([3, 2]);
    expect(t.reshape([1, -1, 1]).shape).toEqual([1, 6, 1]);
    expect(values(t.reshape(2, 3))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reshapes a 1-element tensor to 0-d and back", () => {
    const s = tensor([5]).reshape([]);
    expect(s.shape).toEqual([]);
    expect(s.reshape(-1).shape).toEqual([1]);
  });

  it("throws ShapeError when the sizes differ, naming both shapes", () => {
    expectError(() => tensor([1, 2, 3, 4, 5, 6]).reshape([4, -1]), ShapeError, "reshape:", "[4, -1]", "6", "[6]");
    expectError(() => tensor([1, 2, 3, 4, 5, 6]).reshape([4, 2]), ShapeError, "reshape:", "[4, 2]");
  });

  it("throws for two -1 dims, a negative dim, and -1 next to a 0 dim (ambiguous, as in PyTorch)", () => {
    expectError(() => tensor([1, 2]).reshape([-1, -1]), ArgumentError, "reshape:", "-1");
    expectError(() => tensor([1, 2]).reshape([-2]), ArgumentError, "reshape:", "[-2]");
    expectError(() => tensor([]).reshape([0, -1]), ShapeError, "reshape:", "[0, -1]");
  });
});

describe("data(), dataSync(), array() and arraySync() read copies of the values", () => {
  const t = () =>
    tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);

  it("data() resolves to the same values as dataSync()", async () => {
    const x = t();
    expect(Array.from(await x.data())).toEqual(values(x));
    expect(await x.data()).toBeInstanceOf(Float32Array);
  });

  it("array() and arraySync() nest the values by the shape", async () => {
    const expected = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    expect(t().arraySync()).toEqual(expected);
    expect(await t().array()).toEqual(expected);
    expect(tensor(7).arraySync()).toBe(7);
    expect(zeros([2, 0, 3]).arraySync()).toEqual([[], []]);
    expect(zeros([0, 2]).arraySync()).toEqual([]);
  });

  it("writing into the returned array does not change the tensor", () => {
    const x = t();
    x.dataSync()[0] = 100;
    expect(values(x)[0]).toBe(1);
  });
});

describe("zeros, ones, full, arange, rand and randn", () => {
  it("zeros/ones/full fill a shape with float32 by default or int32 on request", () => {
    expect(values(zeros([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(ones([3]).dtype).toBe("float32");
    expect(values(ones([3], "int32"))).toEqual([1, 1, 1]);
    expect(values(full([2], -2.5))).toEqual([-2.5, -2.5]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([0, 3]).size).toBe(0);
  });

  it("full truncates the fill value toward zero for int32, as torch.full does", () => {
    expect(values(full([2], 7.5, "int32"))).toEqual([7, 7]);
  });

  it("zeros, ones and full name themselves when the shape or dtype is invalid", () => {
    expectError(() => zeros([-1]), ArgumentError, "zeros:", "shape", "[-1]");
    expectError(() => ones(3 as never), ArgumentError, "ones:", "shape", "3");
    expectError(() => full([2], 1, "float64" as never), ArgumentError, "full:", "dtype", '"float64"');
  });

  describe("arange gives the values of torch.arange", () => {
    for (const c of reprCases().filter((r) => r.arange)) {
      const [start, end, step] = c.arange as [number, number, number];
      it(`arange(${start}, ${end}, ${step}) is ${c.repr}`, () => {
        const t = arange(start, end, step);
        expect(t.shape).toEqual(c.tensor.shape);
        expect(t.dtype).toBe(c.tensor.dtype);
        expect(values(t)).toEqual(Array.from(jsonValues(c.tensor)));
        expect(t.toString()).toBe(c.repr);
      });
    }

    it("arange(end) counts from 0", () => {
      expect(values(arange(4))).toEqual([0, 1, 2, 3]);
    });

    it("throws ArgumentError for a zero step, a step of the wrong sign, and non-finite bounds", () => {
      expectError(() => arange(0, 5, 0), ArgumentError, "arange:", "step=0");
      expectError(() => arange(5, 0), ArgumentError, "arange:", "wrong sign", "start=5", "end=0");
      expectError(() => arange(0, Number.POSITIVE_INFINITY), ArgumentError, "arange:", "Infinity");
    });
  });

  it("rand and randn with the same seed give the same values; different seeds differ", () => {
    expect(values(rand([8], { seed: 42 }))).toEqual(values(rand([8], { seed: 42 })));
    expect(values(randn([8], { seed: 42 }))).toEqual(values(randn([8], { seed: 42 })));
    expect(values(rand([8], { seed: 42 }))).not.toEqual(values(rand([8], { seed: 43 })));
  });

  it("manualSeed makes the default generator reproducible", () => {
    manualSeed(7);
    const a = values(rand([5]));
    const b = values(randn([5]));
    manualSeed(7);
    expect(values(rand([5]))).toEqual(a);
    expect(values(randn([5]))).toEqual(b);
  });

  it("a Generator continues its stream across calls", () => {
    const g = new Generator(3);
    const first = values(rand([4], { generator: g }));
    const second = values(rand([4], { generator: g }));
    expect(second).not.toEqual(first);
    expect([...first, ...second]).toEqual(values(rand([8], { seed: 3 })));
  });

  it("rand is uniform in [0, 1) and randn is standard normal (10000 seeded draws)", () => {
    const u = values(rand([10000], { seed: 1 }));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((a, b) => a + b, 0) / u.length).toBeCloseTo(0.5, 1);
    const n = values(randn([10000], { seed: 1 }));
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it("rand throws ArgumentError for a seed that is not an integer (it would alias another seed)", () => {
    expectError(() => rand([2], { seed: 1.5 }), ArgumentError, "rand:", "seed", "1.5");
    expectError(() => randn([2], { seed: "a" as never }), ArgumentError, "randn:", "seed", '"a"');
  });
});

describe("toString() prints what PyTorch's str(tensor) prints for the same values", () => {
  for (const c of reprCases().filter((r) => !r.arange)) {
    it(c.id, () => {
      expect(tensor(jsonValues(c.tensor), c.tensor.shape, c.tensor.dtype).toString()).toBe(c.repr);
    });
  }
});
