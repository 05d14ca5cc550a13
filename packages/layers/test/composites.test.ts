import "@convkit/backend-cpu";
import { DEFAULT_TOLERANCE, compareOutput, fromJson } from "@convkit/conformance";
import { ArgumentError, type Tensor, conv2d, memory, noGrad, randn, tensor, tidy } from "@convkit/core";
import { describe, expect, test } from "vitest";
import {
  Conv2d,
  type ConvChain,
  DepthwiseSeparableConv2d,
  FlattenedConv2d,
  GroupedConv2d,
  ShuffledGroupedConv2d,
  SpatiallySeparableConv2d,
  parameterCount,
  separateKernel,
} from "../src/index.js";
import { convFixtures, disposeAll, stateFromJson } from "./conv-fixtures.js";
import { build } from "./layer-fixtures.js";

describe("each composite equals the dense convolution it factorises (reference: torch F.conv2d with the kernel built from the factors)", () => {
  test.each(convFixtures.composites.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const m = build(c.module) as ConvChain;
    const state = stateFromJson(c.state);
    m.loadStateDict(state);
    disposeAll(state);
    const x = fromJson(c.input);
    const y = m.forward(x);
    expect(compareOutput(y, { name: "output", expected: c.output, compare: "close" }, DEFAULT_TOLERANCE)).toBeNull();
    expect(m.outputSize(x.shape.slice(2))).toEqual(y.shape.slice(2));
    disposeAll([x, y]);
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

const SOBEL_X = [
  [-1, 0, 1],
  [-2, 0, 2],
  [-1, 0, 1],
];

describe("Sobel through SpatiallySeparableConv2d.fromKernel equals the full 3x3 convolution", () => {
  test.each(convFixtures.sobel.cases.map((c) => [c.id, c] as const))("%s: two passes == torch's conv2d with the full kernel", (_id, c) => {
    expect(convFixtures.sobel.kernel).toEqual(SOBEL_X);
    const before = memory().numTensors;
    const layer = SpatiallySeparableConv2d.fromKernel(SOBEL_X, c.options);
    // Summed over C channels: a [1, C, 3, 1] column pass and one [1, 1, 1, 3] row; depthwise: C of each.
    const channels = c.options.inChannels ?? 1;
    expect(parameterCount(layer)).toBe(c.options.depthwise ? 6 * channels : 3 * channels + 3);
    const x = fromJson(c.input);
    const y = layer.forward(x);
    expect(compareOutput(y, { name: "separable", expected: c.output, compare: "close" }, DEFAULT_TOLERANCE)).toBeNull();
    disposeAll([x, y]);
    layer.dispose();
    expect(memory().numTensors).toBe(before);
  });

  test("fromKernel(sobelX) holds the tutorial's factors: vertical [1, 2, 1], horizontal [-1, 0, 1]", () => {
    const layer = SpatiallySeparableConv2d.fromKernel(SOBEL_X, { padding: 1 });
    expect(layer.vertical.weight.arraySync()).toEqual([[[[1], [2], [1]]]]);
    expect(layer.horizontal.weight.arraySync()).toEqual([[[[-1, 0, 1]]]]);
    expect(layer.horizontal.bias).toBeNull();
    expect(layer.toString()).toBe(
      [
        "SpatiallySeparableConv2d(",
        "  (vertical): Conv2d(1, 1, kernel_size=(3, 1), stride=(1, 1), padding=(1, 0), bias=False)",
        "  (horizontal): Conv2d(1, 1, kernel_size=(1, 3), stride=(1, 1), padding=(0, 1), bias=False)",
        ")",
      ].join("\n"),
    );
    layer.dispose();
  });

  test("fromKernel(laplacian) throws an ArgumentError naming the residual instead of pretending", () => {
    expect(() =>
      SpatiallySeparableConv2d.fromKernel([
        [0, 1, 0],
        [1, -4, 1],
        [0, 1, 0],
      ]),
    ).toThrow(/separateKernel: the 3x3 kernel is not separable: its closest column \* row\^T \(best rank-1 approximation\) still differs by up to 0\.204124/);
  });
});

describe("separateKernel(kernel2d) factors a rank-1 kernel into column * row^T and reports any other with its residual", () => {
  test("separateKernel(sobelX) is the tutorial's [1, 2, 1]^T x [-1, 0, 1], exactly", () => {
    expect(separateKernel(SOBEL_X)).toEqual({ separable: true, column: [1, 2, 1], row: [-1, 0, 1], residual: 0 });
  });

  test.each(convFixtures.separate.map((c) => [c.id, c] as const))("%s agrees with torch's SVD (rank, best rank-1 residual, leading pair)", (_id, c) => {
    const r = separateKernel(c.kernel);
    const scale = Math.max(...c.kernel.flat().map(Math.abs));
    expect(r.separable).toBe(c.rank === 1);
    if (c.rank === 1) {
      // Both residuals are rounding noise of a float32 rank-1 kernel.
      expect(r.residual).toBeLessThanOrEqual(1e-6 * scale);
    } else {
      expect(Math.abs(r.residual - c.residual)).toBeLessThanOrEqual(1e-9 * scale);
    }
    for (const [i, v] of r.column.entries()) expect(v).toBeCloseTo(c.column[i], 6);
    for (const [j, v] of r.row.entries()) expect(v).toBeCloseTo(c.row[j], 6);
    for (const [i, rowValues] of c.bestRank1.entries()) for (const [j, v] of rowValues.entries()) expect(r.column[i] * r.row[j]).toBeCloseTo(v, 6);
    if (c.rank > 1) expect(() => separateKernel(c.kernel, { strict: true })).toThrow(ArgumentError);
  });

  test("separateKernel accepts a 2-D Tensor (float32 values of a rank-1 kernel stay within the tolerance)", () => {
    const c = convFixtures.separate.find((s) => s.id === "random-rank1-5x4");
    if (!c) throw new Error("fixture random-rank1-5x4 missing");
    const k = tensor(c.kernel);
    const r = separateKernel(k);
    expect(r.separable).toBe(true);
    expect(r.column[0]).toBe(1);
    expect(r.residual).toBeLessThan(1e-6);
    k.dispose();
  });

  test("separateKernel(sobelY) and a blur: column's first non-zero entry is 1", () => {
    expect(
      separateKernel([
        [-1, -2, -1],
        [0, 0, 0],
        [1, 2, 1],
      ]),
    ).toEqual({ separable: true, column: [1, 0, -1], row: [-1, -2, -1], residual: 0 });
    const zero = separateKernel([
      [0, 0],
      [0, 0],
    ]);
    expect(zero).toEqual({ separable: true, column: [0, 0], row: [0, 0], residual: 0 });
  });

  test("separateKernel rejects what is not a 2-D kernel", () => {
    expect(() => separateKernel([] as number[][])).toThrow(ArgumentError);
    expect(() => separateKernel([[1, 2], [3]])).toThrow(/kernel rows must all have 2 entries/);
    expect(() => separateKernel([[1, Number.NaN]])).toThrow(/finite/);
    const t = tensor([1, 2, 3]);
    expect(() => separateKernel(t)).toThrow(/non-empty 2-D tensor/);
    t.dispose();
  });
});

describe("parameter and multiply-accumulate savings (the tutorial's formulas)", () => {
  // The tutorial (5.7): a standard filter has X*Y*C weights and costs M*N*C*X*Y per M x N output;
  // flattened, X+Y+C weights and M*N*(C+X+Y).
  test("FlattenedConv2d(64, 128, 3, { padding: 1 }) on 56x56: C + Y + X = 70 weights per filter instead of C * Y * X = 576", () => {
    const [C, X, Y, M, N, F] = [64, 3, 3, 56, 56, 128];
    const flat = new FlattenedConv2d(C, F, 3, { padding: 1, bias: false });
    const dense = new Conv2d(C, F, 3, { padding: 1, bias: false });
    expect(parameterCount(flat)).toBe(F * (X + Y + C));
    expect(parameterCount(dense)).toBe(F * X * Y * C);
    expect(flat.macs([M, N])).toBe(F * M * N * (C + X + Y));
    expect(dense.macs([M, N])).toBe(F * M * N * C * X * Y);
    expect(parameterCount(dense) / parameterCount(flat)).toBeCloseTo(576 / 70, 12);
    flat.dispose();
    dense.dispose();
  });

  test("SpatiallySeparableConv2d(1, 1, 3): a 3x1 and a 1x3 pass, 6 weights instead of 9, and 6 instead of 9 multiply-accumulates per output", () => {
    const sep = new SpatiallySeparableConv2d(1, 1, 3, { padding: 1, bias: false });
    const dense = new Conv2d(1, 1, 3, { padding: 1, bias: false });
    expect(parameterCount(sep)).toBe(3 + 3);
    expect(parameterCount(dense)).toBe(3 * 3);
    expect(sep.macs([100, 80])).toBe(100 * 80 * (3 + 3));
    expect(dense.macs([100, 80])).toBe(100 * 80 * 9);
    sep.dispose();
    dense.dispose();
  });

  test("SpatiallySeparableConv2d(C, F, k) has F * C * k + F * k weights instead of F * C * k * k", () => {
    const [C, F, k] = [16, 32, 5];
    const sep = new SpatiallySeparableConv2d(C, F, k, { padding: 2, bias: false });
    expect(parameterCount(sep)).toBe(F * C * k + F * k);
    expect(sep.macs([20, 20])).toBe(20 * 20 * (F * C * k + F * k));
    sep.dispose();
  });

  test("DepthwiseSeparableConv2d(32, 64, 3): C * k² + C * F weights instead of C * F * k² (MobileNet's 1/F + 1/k² ratio)", () => {
    const [C, F, k, H, W] = [32, 64, 3, 56, 56];
    const ds = new DepthwiseSeparableConv2d(C, F, k, { padding: 1, bias: false });
    const dense = new Conv2d(C, F, k, { padding: 1, bias: false });
    expect(parameterCount(ds)).toBe(C * k * k + C * F);
    expect(parameterCount(dense)).toBe(C * F * k * k);
    expect(ds.macs([H, W])).toBe(H * W * (C * k * k + C * F));
    expect(dense.macs([H, W])).toBe(H * W * C * F * k * k);
    expect(ds.macs([H, W]) / dense.macs([H, W])).toBeCloseTo(1 / F + 1 / (k * k), 12);
    expect(parameterCount(new DepthwiseSeparableConv2d(C, F, k))).toBe(C * k * k + C + C * F + F);
    ds.dispose();
    dense.dispose();
  });

  test("GroupedConv2d and ShuffledGroupedConv2d with g groups: 1/g of the dense weights and multiply-accumulates; the shuffle adds none", () => {
    const [C, F, g] = [48, 96, 3];
    const dense = new Conv2d(C, F, 3, { padding: 1 });
    const grouped = new GroupedConv2d(C, F, 3, g, { padding: 1 });
    const shuffled = new ShuffledGroupedConv2d(C, F, 3, g, { padding: 1 });
    expect(parameterCount(grouped)).toBe((F * C * 9) / g + F);
    expect(parameterCount(shuffled)).toBe(parameterCount(grouped));
    expect(shuffled.macs([14, 14])).toBe(dense.macs([14, 14]) / g);
    for (const m of [dense, grouped, shuffled]) m.dispose();
  });
});

describe("composites run the stages the tutorial describes", () => {
  test("ShuffledGroupedConv2d interleaves the groups: output channel i * g + j comes from group j", () => {
    tidy(() => {
      const m = new ShuffledGroupedConv2d(4, 4, 1, 2, { bias: false });
      const x = randn([1, 4, 3, 3], { seed: 3 });
      const grouped = m.conv.forward(x);
      const shuffled = m.forward(x);
      const g = grouped.arraySync() as number[][][][];
      const s = shuffled.arraySync() as number[][][][];
      // 4 channels in 2 groups of 2: [g0c0, g0c1, g1c0, g1c1] -> [g0c0, g1c0, g0c1, g1c1]
      expect(s[0]).toEqual([g[0][0], g[0][2], g[0][1], g[0][3]]);
      m.dispose();
    });
  });

  test("DepthwiseSeparableConv2d's depthwise stage keeps channels apart (groups = inChannels)", () => {
    const m = new DepthwiseSeparableConv2d(3, 8, 3, { depthMultiplier: 2 });
    expect(m.depthwise.groups).toBe(3);
    expect([...m.depthwise.weight.shape]).toEqual([6, 1, 3, 3]);
    expect([...m.pointwise.weight.shape]).toEqual([8, 6, 1, 1]);
    expect(() => new DepthwiseSeparableConv2d(3, 8, 3, { depthMultiplier: 0 })).toThrow(ArgumentError);
    m.dispose();
  });

  test("composite options are checked with the composite's name", () => {
    expect(() => new FlattenedConv2d(3, 4, 3, { padding: "same", stride: 2 })).toThrow(
      new ArgumentError('FlattenedConv2d: padding "same" needs stride 1 in every dim (as in PyTorch), got stride [2, 2]'),
    );
    expect(() => new SpatiallySeparableConv2d(3, 4, 3, { padding: "full" as "same" })).toThrow(/SpatiallySeparableConv2d: padding must be/);
  });

  test("the separable Sobel layer and convkit's own full-kernel conv2d give the same image", () => {
    tidy(() => {
      const x = randn([1, 1, 9, 11], { seed: 9 });
      const layer = SpatiallySeparableConv2d.fromKernel(SOBEL_X, { padding: 1 });
      const full = conv2d(x, tensor([[SOBEL_X]]), { padding: 1 });
      const two = layer.forward(x);
      const a = full.dataSync();
      const b = two.dataSync();
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
      layer.dispose();
    });
  });

  test("a composite's forward leaves no intermediate tensors behind (without grad only the output; with grad, disposing the output frees what its graph saved)", () => {
    const m = new FlattenedConv2d(3, 4, 3, { padding: 1 });
    const x = randn([1, 3, 8, 8], { seed: 2 });
    const before = memory().numTensors;
    const y: Tensor = noGrad(() => m.forward(x));
    expect(memory().numTensors).toBe(before + 1);
    y.dispose();
    const z: Tensor = m.forward(x);
    expect(z.requiresGrad).toBe(true);
    z.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});
