/**
 * @convkit/core's argument validation, run on the CPU backend (core cannot depend on a backend package,
 * even for tests: turbo refuses the cycle). Every rejected call must throw the right ConvkitError
 * subclass with a message that names the op, the parameter, the value given and the input shape.
 */
import {
  ArgumentError,
  BackendError,
  ShapeError,
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
  getBackend,
  globalAvgPool,
  globalMaxPool,
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
  ones,
  registerBackend,
  setBackend,
  tensor,
  zeros,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/index.js";
import { expectError } from "./expect-error.js";

/** The 1d/2d/3d members of a family differ only in tuple types; the tests call them with any. */
type AnyPool = (x: Tensor, size: unknown, options?: Record<string, unknown>) => Tensor | Tensor[];

/** How core prints a value in messages (fmt in errors.ts): strings quoted, arrays bracketed. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(shown).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

const int32Zeros = (shape: readonly number[]): Tensor => tensor(new Int32Array(shape.reduce((a, b) => a * b, 1)), shape, "int32");

/** A pooling op family member called torch-style: `(x, kernelSize, options)`. */
interface Family {
  readonly op: string;
  readonly rank: 1 | 2 | 3;
  /** Integer options it takes besides kernelSize (as named in its options object). */
  readonly ints: readonly ("stride" | "padding" | "dilation" | "pads")[];
  /** True for the N-d forms, whose kernelSize must be an array. */
  readonly nd?: boolean;
  call(x: Tensor, kernelSize: unknown, options?: Record<string, unknown>): unknown;
}

const kernelFamilies: readonly Family[] = [
  { op: "maxPool1d", rank: 1, ints: ["stride", "padding", "dilation"], call: (x, k, o) => maxPool1d(x, k as never, o) },
  { op: "maxPool2d", rank: 2, ints: ["stride", "padding", "dilation"], call: (x, k, o) => maxPool2d(x, k as never, o) },
  { op: "maxPool3d", rank: 3, ints: ["stride", "padding", "dilation"], call: (x, k, o) => maxPool3d(x, k as never, o) },
  { op: "avgPool1d", rank: 1, ints: ["stride", "padding"], call: (x, k, o) => avgPool1d(x, k as never, o) },
  { op: "avgPool2d", rank: 2, ints: ["stride", "padding"], call: (x, k, o) => avgPool2d(x, k as never, o) },
  { op: "avgPool3d", rank: 3, ints: ["stride", "padding"], call: (x, k, o) => avgPool3d(x, k as never, o) },
  { op: "lpPool1d", rank: 1, ints: ["stride"], call: (x, k, o) => lpPool1d(x, 2, k as never, o) },
  { op: "lpPool2d", rank: 2, ints: ["stride"], call: (x, k, o) => lpPool2d(x, 2, k as never, o) },
  { op: "maxUnpool1d", rank: 1, ints: ["stride", "padding"], call: (x, k, o) => maxUnpool1d(x, int32Zeros(x.shape), k as never, o) },
  { op: "maxUnpool2d", rank: 2, ints: ["stride", "padding"], call: (x, k, o) => maxUnpool2d(x, int32Zeros(x.shape), k as never, o) },
  { op: "maxUnpool3d", rank: 3, ints: ["stride", "padding"], call: (x, k, o) => maxUnpool3d(x, int32Zeros(x.shape), k as never, o) },
  { op: "maxPoolNd", rank: 1, nd: true, ints: ["stride", "pads", "dilation"], call: (x, k, o) => maxPoolNd(x, { ...o, kernelSize: k } as never) },
  { op: "maxPoolNd", rank: 2, nd: true, ints: ["stride", "pads", "dilation"], call: (x, k, o) => maxPoolNd(x, { ...o, kernelSize: k } as never) },
  { op: "maxPoolNd", rank: 3, nd: true, ints: ["stride", "pads", "dilation"], call: (x, k, o) => maxPoolNd(x, { ...o, kernelSize: k } as never) },
  { op: "avgPoolNd", rank: 2, nd: true, ints: ["stride", "pads", "dilation"], call: (x, k, o) => avgPoolNd(x, { ...o, kernelSize: k } as never) },
  { op: "lpPoolNd", rank: 2, nd: true, ints: ["stride", "pads", "dilation"], call: (x, k, o) => lpPoolNd(x, 2, { ...o, kernelSize: k } as never) },
];

/** A family called with the output size instead of a kernel. */
interface AdaptiveFamily {
  readonly op: string;
  readonly rank: 1 | 2 | 3;
  call(x: Tensor, outputSize: unknown, options?: Record<string, unknown>): unknown;
}

const adaptiveFamilies: readonly AdaptiveFamily[] = [
  { op: "adaptiveAvgPool1d", rank: 1, call: (x, s) => adaptiveAvgPool1d(x, s as never) },
  { op: "adaptiveAvgPool2d", rank: 2, call: (x, s) => adaptiveAvgPool2d(x, s as never) },
  { op: "adaptiveAvgPool3d", rank: 3, call: (x, s) => adaptiveAvgPool3d(x, s as never) },
  { op: "adaptiveMaxPool1d", rank: 1, call: (x, s, o) => adaptiveMaxPool1d(x, s as never, o) },
  { op: "adaptiveMaxPool2d", rank: 2, call: (x, s, o) => adaptiveMaxPool2d(x, s as never, o) },
  { op: "adaptiveMaxPool3d", rank: 3, call: (x, s, o) => adaptiveMaxPool3d(x, s as never, o) },
];

/** `[N=1, C=2, ...spatial]` with every spatial dim `n`. */
const batchedShape = (rank: number, n = 6): number[] => [1, 2, ...new Array<number>(rank).fill(n)];
const input = (rank: number, n = 6): Tensor => ones(batchedShape(rank, n));
/** A tuple of `rank` entries: `first`, then `rest`. */
const tuple = (rank: number, first: unknown, rest: unknown): unknown[] => [first, ...new Array<unknown>(rank - 1).fill(rest)];
const label = (f: { op: string; rank: number }) => `${f.op} (${f.rank}-d)`;

const BAD_POSITIVE: readonly unknown[] = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "2"];
const BAD_NON_NEGATIVE: readonly unknown[] = [-1, 1.5, Number.NaN, "1"];

describe("every kernel-window pooling op rejects an invalid kernelSize, stride, padding or dilation", () => {
  for (const f of kernelFamilies) {
    const good = f.nd ? tuple(f.rank, 2, 2) : 2;
    for (const param of ["kernelSize", ...f.ints] as const) {
      const bad = param === "padding" || param === "pads" ? BAD_NON_NEGATIVE : BAD_POSITIVE;
      for (const v of bad) {
        const forms = f.nd ? [tuple(f.rank, v, param === "pads" ? 0 : 1)] : [v, tuple(f.rank, v, param === "padding" ? 0 : 1)];
        for (const value of forms) {
          it(`${label(f)} throws ArgumentError naming ${param}=${shown(value)} and the input shape`, () => {
            const x = input(f.rank);
            const call = param === "kernelSize" ? () => f.call(x, value) : () => f.call(x, good, { [param]: value });
            expectError(call, ArgumentError, `${f.op}:`, param, shown(value), shown(x.shape));
          });
        }
      }
    }
  }
});

describe("every kernel-window pooling op rejects a tuple of the wrong length", () => {
  for (const f of kernelFamilies) {
    const good = f.nd ? tuple(f.rank, 2, 2) : 2;
    const params = f.nd ? f.ints : (["kernelSize", ...f.ints] as const);
    for (const param of params) {
      const value = tuple(f.rank + 1, 1, 1);
      it(`${label(f)} throws ArgumentError for ${param} of length ${f.rank + 1}`, () => {
        const x = input(f.rank);
        const call = param === "kernelSize" ? () => f.call(x, value) : () => f.call(x, good, { [param]: value });
        expectError(call, ArgumentError, `${f.op}:`, param, shown(value), shown(x.shape));
      });
    }
    if (!f.nd) {
      it(`${label(f)} accepts a 1-tuple kernelSize for every dim, as PyTorch does`, () => {
        expect(() => f.call(input(f.rank), [2])).not.toThrow();
      });
    }
  }

  for (const nd of ["maxPoolNd", "avgPoolNd", "lpPoolNd"] as const) {
    const call = kernelFamilies.find((f) => f.op === nd)?.call;
    if (!call) throw new Error(`no family ${nd}`);
    for (const k of [2, [], [1, 1, 1, 1], undefined]) {
      it(`${nd} throws ArgumentError when kernelSize is ${shown(k)}, not an array of 1 to 3 integers`, () => {
        expectError(() => call(input(2), k), ArgumentError, `${nd}:`, "kernelSize", shown(k), "[1, 2, 6, 6]");
      });
    }
  }
});

describe("torch-style padding is capped at half the kernel size, dilation not counted (as torch 1.13 checks it)", () => {
  const cases: { op: string; rank: number; ok: boolean; padding: unknown; what: string; call: (x: Tensor) => unknown }[] = [
    { op: "maxPool1d", rank: 1, ok: true, padding: 1, what: "kernel 2, padding 1", call: (x) => maxPool1d(x, 2, { padding: 1 }) },
    { op: "maxPool1d", rank: 1, ok: false, padding: 2, what: "kernel 2, padding 2", call: (x) => maxPool1d(x, 2, { padding: 2 }) },
    { op: "maxPool1d", rank: 1, ok: false, padding: 2, what: "kernel 2, padding 2, dilation 3", call: (x) => maxPool1d(x, 2, { padding: 2, dilation: 3 }) },
    { op: "maxPool2d", rank: 2, ok: false, padding: 2, what: "kernel 3, padding 2", call: (x) => maxPool2d(x, 3, { padding: 2 }) },
    { op: "maxPool2d", rank: 2, ok: false, padding: [1, 2], what: "kernel [3, 3], padding [1, 2]", call: (x) => maxPool2d(x, [3, 3], { padding: [1, 2] }) },
    { op: "maxPool2d", rank: 2, ok: false, padding: 2, what: "kernel 3, padding 2, dilation 2", call: (x) => maxPool2d(x, 3, { padding: 2, dilation: 2 }) },
    { op: "maxPool2d", rank: 2, ok: true, padding: [1, 2], what: "kernel [3, 4], padding [1, 2]", call: (x) => maxPool2d(x, [3, 4], { padding: [1, 2] }) },
    { op: "maxPool3d", rank: 3, ok: false, padding: [0, 0, 2], what: "kernel 2, padding [0, 0, 2]", call: (x) => maxPool3d(x, 2, { padding: [0, 0, 2] }) },
    { op: "avgPool1d", rank: 1, ok: false, padding: 2, what: "kernel 3, padding 2", call: (x) => avgPool1d(x, 3, { padding: 2 }) },
    { op: "avgPool1d", rank: 1, ok: true, padding: 1, what: "kernel 2, padding 1", call: (x) => avgPool1d(x, 2, { padding: 1 }) },
    { op: "avgPool2d", rank: 2, ok: false, padding: 2, what: "kernel 3, padding 2", call: (x) => avgPool2d(x, 3, { padding: 2 }) },
    { op: "avgPool3d", rank: 3, ok: false, padding: [1, 2, 1], what: "kernel 3, padding [1, 2, 1]", call: (x) => avgPool3d(x, 3, { padding: [1, 2, 1] }) },
  ];
  for (const c of cases) {
    it(`${c.op} ${c.ok ? "accepts" : "rejects with ArgumentError"} ${c.what}`, () => {
      const x = input(c.rank);
      if (c.ok) expect(() => c.call(x)).not.toThrow();
      else expectError(() => c.call(x), ArgumentError, `${c.op}:`, `padding ${shown(c.padding)}`, "half", shown(x.shape));
    });
  }

  it("maxPoolNd and avgPoolNd take any pads below the effective kernel (ONNX), asymmetric ones included", () => {
    const x = input(2);
    expect(maxPoolNd(x, { kernelSize: [3, 3], stride: [1, 1], pads: [[2, 0], 2] }).shape).toEqual([1, 2, 6, 8]);
    expect(avgPoolNd(x, { kernelSize: [2, 2], stride: [1, 1], pads: [[1, 1], 0], dilation: [2, 1] }).shape).toEqual([1, 2, 6, 5]);
  });

  for (const op of ["maxPoolNd", "avgPoolNd"] as const) {
    it(`${op} throws ArgumentError naming pads when a pad reaches the effective kernel size`, () => {
      const x = input(2);
      const call =
        op === "maxPoolNd"
          ? () => maxPoolNd(x, { kernelSize: [2, 2], pads: [[2, 0], 0] })
          : () => avgPoolNd(x, { kernelSize: [2, 2], pads: [0, 3], dilation: [1, 2] });
      expectError(call, ArgumentError, `${op}:`, "pads", "effective kernel size", shown(x.shape));
    });
  }
});

describe("every pooling op rejects inputs of the wrong rank, with empty dims or of int32 dtype", () => {
  const all: { op: string; rank: number; call: (x: Tensor) => unknown }[] = [
    ...kernelFamilies.map((f) => ({ op: f.op, rank: f.rank, call: (x: Tensor) => f.call(x, f.nd ? tuple(f.rank, 1, 1) : 1) })),
    ...adaptiveFamilies.map((f) => ({ op: f.op, rank: f.rank, call: (x: Tensor) => f.call(x, 1) })),
  ];
  for (const f of all) {
    for (const r of [f.rank, f.rank + 3]) {
      it(`${f.op} (${f.rank}-d) throws ShapeError for a ${r}-D input, naming the ranks it accepts`, () => {
        const shape = new Array<number>(r).fill(2);
        expectError(() => f.call(ones(shape)), ShapeError, `${f.op}:`, "input", `${f.rank + 1}-D`, `${f.rank + 2}-D`, `got ${r}-D`, shown(shape));
      });
    }
    for (const shape of [
      [1, 0, ...new Array<number>(f.rank).fill(4)],
      [1, 2, 0, ...new Array<number>(f.rank - 1).fill(4)],
      [0, ...new Array<number>(f.rank).fill(4)],
    ]) {
      it(`${f.op} (${f.rank}-d) throws ShapeError for an input of shape ${shown(shape)} with an empty channel or spatial dim`, () => {
        expectError(() => f.call(zeros(shape)), ShapeError, `${f.op}:`, "empty", shown(shape));
      });
    }
    it(`${f.op} (${f.rank}-d) accepts an empty batch and returns an empty batch`, () => {
      const r = f.call(ones([0, 2, ...new Array<number>(f.rank).fill(4)]));
      expect((Array.isArray(r) ? r[0] : (r as Tensor)).shape[0]).toBe(0);
    });
    it(`${f.op} (${f.rank}-d) throws ArgumentError for an int32 input`, () => {
      const shape = batchedShape(f.rank, 4);
      expectError(() => f.call(int32Zeros(shape)), ArgumentError, `${f.op}:`, "float32", "int32", shown(shape));
    });
  }

  for (const [op, fn] of [
    ["globalAvgPool", globalAvgPool],
    ["globalMaxPool", globalMaxPool],
  ] as const) {
    for (const shape of [
      [4, 4],
      [1, 1, 2, 2, 2, 2],
    ]) {
      it(`${op} throws ShapeError for a ${shape.length}-D input`, () => {
        expectError(() => fn(ones(shape)), ShapeError, `${op}:`, "input", shown(shape));
      });
    }
  }

  for (const [op, call] of [
    ["maxPool2d", (x: unknown) => maxPool2d(x as Tensor, 2)],
    ["adaptiveAvgPool1d", (x: unknown) => adaptiveAvgPool1d(x as Tensor, 2)],
    ["lpPool1d", (x: unknown) => lpPool1d(x as Tensor, 2, 2)],
    ["globalMaxPool", (x: unknown) => globalMaxPool(x as Tensor)],
  ] as const) {
    for (const x of [undefined, null, [[1, 2]], new Float32Array(4)]) {
      it(`${op} throws ArgumentError when input is ${x === null ? "null" : Array.isArray(x) ? "an array" : typeof x}, not a Tensor`, () => {
        expectError(() => call(x), ArgumentError, `${op}:`, "input", "Tensor");
      });
    }
  }
});

describe("a window larger than the padded input is an error, not an empty output", () => {
  for (const f of kernelFamilies.filter((g) => !g.op.startsWith("maxUnpool"))) {
    it(`${label(f)} throws ShapeError naming the output size when kernelSize 7 exceeds the input of 6`, () => {
      const x = input(f.rank);
      const k = f.nd ? tuple(f.rank, 7, 1) : 7;
      expectError(() => f.call(x, k), ShapeError, `${f.op}:`, "output size", "kernelSize", shown(x.shape));
    });
  }

  it("maxPool2d with dilation 3 and kernel 3 needs 7 input positions: a 6-wide input is too small", () => {
    const x = input(2);
    expectError(() => maxPool2d(x, 3, { dilation: 3 }), ShapeError, "maxPool2d:", "output size [0, 0]", "dilation [3, 3]", shown(x.shape));
    expect(maxPool2d(ones([1, 2, 7, 7]), 3, { dilation: 3 }).shape).toEqual([1, 2, 1, 1]);
  });

  it("the output-size message shows the input shape the caller gave, unbatched included", () => {
    expectError(() => maxPool2d(ones([2, 6, 6]), 7), ShapeError, "maxPool2d:", "input shape [2, 6, 6]");
  });

  for (const f of kernelFamilies.filter((g) => !g.nd)) {
    it(`${label(f)} names the unbatched input's own shape when rejecting kernelSize 0`, () => {
      const shape = [2, ...new Array<number>(f.rank).fill(6)];
      expectError(() => f.call(ones(shape), 0), ArgumentError, `${f.op}:`, "kernelSize", `input shape ${shown(shape)}`);
    });
  }
});

describe("adaptive pooling rejects an invalid outputSize", () => {
  for (const f of adaptiveFamilies) {
    for (const v of [0, -1, 1.5, Number.NaN, "2"]) {
      for (const value of [v, tuple(f.rank, v, 1)]) {
        it(`${label(f)} throws ArgumentError for outputSize ${shown(value)}`, () => {
          const x = input(f.rank);
          expectError(() => f.call(x, value), ArgumentError, `${f.op}:`, "outputSize", shown(value), shown(x.shape));
        });
      }
    }
    const wrongLength = tuple(f.rank + 1, 2, 2);
    it(`${label(f)} throws ArgumentError for outputSize of length ${f.rank + 1}`, () => {
      const x = input(f.rank);
      expectError(() => f.call(x, wrongLength), ArgumentError, `${f.op}:`, "outputSize", shown(wrongLength), shown(x.shape));
    });
    it(`${label(f)} keeps the input's size for a null entry and allows outputs larger than the input`, () => {
      const r = f.call(input(f.rank, 3), tuple(f.rank, null, 5));
      expect((Array.isArray(r) ? r[0] : (r as Tensor)).shape).toEqual([1, 2, 3, ...new Array<number>(f.rank - 1).fill(5)]);
    });
  }
});

describe("maxUnpool rejects indices that do not fit and an outputSize outside PyTorch's range", () => {
  const x = () => ones([1, 2, 3, 3]);

  it("throws ArgumentError naming the index when an index is past the output plane", () => {
    const idx = tensor(new Int32Array(18).fill(5).fill(36, 4, 5), [1, 2, 3, 3], "int32");
    expectError(() => maxUnpool2d(x(), idx, 2), ArgumentError, "maxUnpool2d:", "index 36", "indices", "[6, 6]", "[1, 2, 3, 3]");
  });

  it("throws ArgumentError for a negative index", () => {
    const idx = tensor(new Int32Array(18).fill(-1), [1, 2, 3, 3], "int32");
    expectError(() => maxUnpool2d(x(), idx, 2), ArgumentError, "maxUnpool2d:", "index -1", "indices", "[1, 2, 3, 3]");
  });

  it("checks indices against the requested outputSize, not the default", () => {
    const idx = tensor(new Int32Array(18).fill(30), [1, 2, 3, 3], "int32");
    expect(maxUnpool2d(x(), idx, 2).shape).toEqual([1, 2, 6, 6]);
    expectError(() => maxUnpool2d(x(), idx, 2, { outputSize: [5, 5] }), ArgumentError, "maxUnpool2d:", "index 30", "[5, 5]");
  });

  for (const shape of [
    [1, 2, 3, 2],
    [2, 3, 3],
    [1, 1, 3, 3],
  ]) {
    it(`throws ShapeError naming both shapes for indices of shape ${shown(shape)}`, () => {
      expectError(() => maxUnpool2d(x(), int32Zeros(shape), 2), ShapeError, "maxUnpool2d:", "indices", shown(shape), "[1, 2, 3, 3]");
    });
  }

  it("throws ArgumentError for float32 indices", () => {
    expectError(() => maxUnpool2d(x(), zeros([1, 2, 3, 3]), 2), ArgumentError, "maxUnpool2d:", "indices", "int32", "float32", "[1, 2, 3, 3]");
  });

  it("throws ArgumentError when indices is not a Tensor", () => {
    expectError(() => maxUnpool2d(x(), [0, 1] as never, 2), ArgumentError, "maxUnpool2d:", "indices", "Tensor");
  });

  // Default spatial size (3 - 1) * 2 + 2 = 6 with stride 2: PyTorch accepts 5, 6, 7 and refuses 4 and 8.
  for (const [size, ok] of [
    [4, false],
    [5, true],
    [6, true],
    [7, true],
    [8, false],
  ] as const) {
    it(`${ok ? "accepts" : "rejects"} outputSize [${size}, 6] for a default of [6, 6] and stride 2`, () => {
      const call = () => maxUnpool2d(x(), int32Zeros([1, 2, 3, 3]), 2, { outputSize: [size, 6] });
      if (ok) expect(call().shape).toEqual([1, 2, size, 6]);
      else expectError(call, ArgumentError, "maxUnpool2d:", "outputSize", `[${size}, 6]`, "between 4 and 8", "[6, 6]", "[1, 2, 3, 3]");
    });
  }

  it("accepts outputSize given as the full shape [N, C, H, W]", () => {
    expect(maxUnpool2d(x(), int32Zeros([1, 2, 3, 3]), 2, { outputSize: [1, 2, 7, 5] }).shape).toEqual([1, 2, 7, 5]);
  });

  for (const value of [[6], [6, 6, 6], [6, 6.5], "6"]) {
    it(`throws ArgumentError for outputSize ${shown(value)}`, () => {
      expectError(
        () => maxUnpool2d(x(), int32Zeros([1, 2, 3, 3]), 2, { outputSize: value as never }),
        ArgumentError,
        "maxUnpool2d:",
        "outputSize",
        "[1, 2, 3, 3]",
      );
    });
  }

  it("throws ShapeError when the default output size is 0 (padding eats the whole output)", () => {
    expectError(() => maxUnpool1d(ones([1, 1, 1]), int32Zeros([1, 1, 1]), 2, { padding: 1 }), ShapeError, "maxUnpool1d:", "output size [0]", "[1, 1, 1]");
  });
});

describe("lpPool rejects a normType that is not a positive finite number", () => {
  const ops = [
    ["lpPool1d", (x: Tensor, p: unknown) => lpPool1d(x, p as number, 2)],
    ["lpPool2d", (x: Tensor, p: unknown) => lpPool2d(x, p as number, 2)],
    ["lpPoolNd", (x: Tensor, p: unknown) => lpPoolNd(x, p as number, { kernelSize: [2, 2] })],
  ] as const;
  for (const [op, call] of ops) {
    for (const p of [0, -1, -2.5, Number.NaN, Number.POSITIVE_INFINITY, "2"]) {
      it(`${op} throws ArgumentError for normType ${shown(p)}`, () => {
        const x = input(op === "lpPool1d" ? 1 : 2);
        expectError(() => call(x, p), ArgumentError, `${op}:`, "normType", shown(p), shown(x.shape));
      });
    }
  }
});

describe("boolean options must be booleans and divisorOverride a non-zero integer", () => {
  const flags: { op: string; name: string; call: (x: Tensor, v: unknown) => unknown; rank: number }[] = [
    ...([maxPool1d, maxPool2d, maxPool3d] as unknown as AnyPool[]).map((fn, i) => ({
      op: `maxPool${i + 1}d`,
      name: "returnIndices",
      rank: i + 1,
      call: (x: Tensor, v: unknown) => fn(x, 2 as never, { returnIndices: v as never }),
    })),
    { op: "maxPoolNd", name: "returnIndices", rank: 2, call: (x, v) => maxPoolNd(x, { kernelSize: [2, 2], returnIndices: v as never }) },
    ...([adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d] as unknown as AnyPool[]).map((fn, i) => ({
      op: `adaptiveMaxPool${i + 1}d`,
      name: "returnIndices",
      rank: i + 1,
      call: (x: Tensor, v: unknown) => fn(x, 2, { returnIndices: v as never }),
    })),
    { op: "maxPool2d", name: "ceilMode", rank: 2, call: (x, v) => maxPool2d(x, 2, { ceilMode: v as never }) },
    { op: "avgPool1d", name: "ceilMode", rank: 1, call: (x, v) => avgPool1d(x, 2, { ceilMode: v as never }) },
    { op: "lpPool2d", name: "ceilMode", rank: 2, call: (x, v) => lpPool2d(x, 2, 2, { ceilMode: v as never }) },
    { op: "avgPool2d", name: "countIncludePad", rank: 2, call: (x, v) => avgPool2d(x, 2, { countIncludePad: v as never }) },
    { op: "avgPoolNd", name: "countIncludePad", rank: 2, call: (x, v) => avgPoolNd(x, { kernelSize: [2, 2], countIncludePad: v as never }) },
  ];
  for (const f of flags) {
    for (const v of [1, 0, "true"]) {
      it(`${f.op} throws ArgumentError for ${f.name}: ${shown(v)}`, () => {
        const x = input(f.rank);
        expectError(() => f.call(x, v), ArgumentError, `${f.op}:`, f.name, "boolean", shown(v), shown(x.shape));
      });
    }
    it(`${f.op} treats ${f.name}: null as the default`, () => {
      const withNull = f.call(input(f.rank), null);
      const withDefault = f.call(input(f.rank), undefined);
      expect(Array.isArray(withNull)).toBe(Array.isArray(withDefault));
    });
  }

  const divisor = [
    ["avgPool2d", 2, (x: Tensor, d: unknown) => avgPool2d(x, 2, { divisorOverride: d as number })],
    ["avgPool3d", 3, (x: Tensor, d: unknown) => avgPool3d(x, 2, { divisorOverride: d as number })],
    ["avgPoolNd", 2, (x: Tensor, d: unknown) => avgPoolNd(x, { kernelSize: [2, 2], divisorOverride: d as number })],
  ] as const;
  for (const [op, rank, call] of divisor) {
    for (const d of [0, 1.5, Number.NaN, "2"]) {
      it(`${op} throws ArgumentError for divisorOverride ${shown(d)}`, () => {
        const x = input(rank);
        expectError(() => call(x, d), ArgumentError, `${op}:`, "divisorOverride", shown(d), shown(x.shape));
      });
    }
  }

  it("avgPool2d divides by divisorOverride instead of the window size", async () => {
    expect(Array.from(await avgPool2d(ones([1, 1, 2, 2]), 2, { divisorOverride: 3 }).data())).toEqual([Math.fround(4 / 3)]);
  });

  for (const [op, call] of [
    ["maxPool2d", (x: Tensor) => maxPool2d(x, 2, 2 as never)],
    ["avgPool2d", (x: Tensor) => avgPool2d(x, 2, [2, 2] as never)],
    ["maxUnpool2d", (x: Tensor) => maxUnpool2d(x, int32Zeros(x.shape), 2, 2 as never)],
    ["lpPool2d", (x: Tensor) => lpPool2d(x, 2, 2, 1 as never)],
    ["adaptiveMaxPool2d", (x: Tensor) => adaptiveMaxPool2d(x, 2, true as never)],
  ] as const) {
    it(`${op} refuses a Python-style positional stride in place of the options object`, () => {
      const x = input(2);
      expectError(() => call(x), ArgumentError, `${op}:`, "options", shown(x.shape));
    });
  }

  it("maxPool2d treats options null like no options", () => {
    expect(maxPool2d(input(2), 2, null as never).shape).toEqual([1, 2, 3, 3]);
  });
});

describe("tensors are tied to their backend and die when disposed", () => {
  registerBackend("cpu2", () => new CpuBackend("cpu2"));

  async function onCpu2<T>(fn: () => T): Promise<T> {
    const before = getBackend();
    await setBackend("cpu2");
    try {
      return fn();
    } finally {
      await setBackend(before);
    }
  }

  it("maxUnpool2d throws BackendError naming both backends when input and indices live on different backends", async () => {
    const x = ones([1, 2, 3, 3]);
    const idx = await onCpu2(() => int32Zeros([1, 2, 3, 3]));
    expect(idx.backend).toBe("cpu2");
    expectError(() => maxUnpool2d(x, idx, 2), BackendError, "maxUnpool2d:", "different backends", "cpu [1, 2, 3, 3]", "cpu2 [1, 2, 3, 3]");
  });

  it("an op runs on the backend of its input, whichever backend is active", async () => {
    const x = await onCpu2(() => ones([1, 1, 4, 4]));
    expect(getBackend()).toBe("cpu");
    expect(maxPool2d(x, 2).backend).toBe("cpu2");
  });

  const disposedCalls: { op: string; call: (x: Tensor) => unknown; rank: number }[] = [
    ...kernelFamilies.map((f) => ({ op: f.op, rank: f.rank, call: (x: Tensor) => f.call(x, f.nd ? tuple(f.rank, 2, 2) : 2) })),
    ...adaptiveFamilies.map((f) => ({ op: f.op, rank: f.rank, call: (x: Tensor) => f.call(x, 2) })),
    { op: "globalAvgPool", rank: 2, call: (x) => globalAvgPool(x) },
  ];
  for (const f of disposedCalls) {
    it(`${f.op} (${f.rank}-d) throws BackendError naming the op and the shape for a disposed input`, () => {
      const x = input(f.rank);
      x.dispose();
      expectError(() => f.call(x), BackendError, `${f.op}:`, "input", "disposed", shown(x.shape));
    });
  }

  it("maxUnpool2d throws BackendError for disposed indices", () => {
    const idx = int32Zeros([1, 2, 3, 3]);
    idx.dispose();
    expectError(() => maxUnpool2d(ones([1, 2, 3, 3]), idx, 2), BackendError, "maxUnpool2d:", "indices", "disposed", "[1, 2, 3, 3]");
  });

  it("reading a disposed tensor throws BackendError; disposing twice is harmless", async () => {
    const x = ones([2, 2]);
    x.dispose();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expectError(() => x.dataSync(), BackendError, "disposed", "[2, 2]");
    await expect(x.data()).rejects.toBeInstanceOf(BackendError);
    expectError(() => x.reshape([4]), BackendError, "disposed");
    expect(x.toString()).toContain("disposed");
  });

  it("setBackend of an unknown name rejects with BackendError listing the registered backends", async () => {
    const e = await setBackend("no-such-backend").then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(e).toBeInstanceOf(BackendError);
    expect(e?.message).toContain('"no-such-backend"');
    expect(e?.message).toContain("cpu, cpu-portable, cpu2");
    expect(getBackend()).toBe("cpu");
  });
});
