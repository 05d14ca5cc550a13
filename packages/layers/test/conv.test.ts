import "@convkit/backend-cpu";
import { DEFAULT_TOLERANCE, compareOutput, fromJson } from "@convkit/conformance";
import { ArgumentError, Generator, ShapeError, type Tensor, convMacs, convParameterCount, manualSeed, memory, randn, tidy, zeros } from "@convkit/core";
import { describe, expect, test } from "vitest";
import {
  ChannelShuffle,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type ConvCost,
  type ConvTransposeNd,
  GroupedConv2d,
  type Module,
  PixelShuffle,
  fanIn,
  parameterCount,
} from "../src/index.js";
import { convFixtures, disposeAll, stateFromJson } from "./conv-fixtures.js";
import { build } from "./layer-fixtures.js";

describe("conv layers print PyTorch's repr and have its parameters", () => {
  test.each(convFixtures.reprs.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const m = build(c.module);
    expect(m.toString()).toBe(c.repr);
    expect(parameterCount(m)).toBe(c.parameterCount);
    expect(m.namedParameters().map(([n, t]) => [n, [...t.shape]])).toEqual(c.namedParameters);
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("forward with PyTorch's weights loaded equals PyTorch's module output", () => {
  test.each(convFixtures.forwards.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const m = build(c.module);
    const state = stateFromJson(c.state);
    m.loadStateDict(state);
    disposeAll(state);
    const inputs = c.inputs.map(fromJson);
    const out = (m.forward as (...a: unknown[]) => Tensor)(...inputs, ...c.args);
    expect(compareOutput(out, { name: "output", expected: c.outputs[0], compare: c.compare[0] }, DEFAULT_TOLERANCE)).toBeNull();
    disposeAll([...inputs, out]);
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("ConvTransposeNd.forward(x, outputSize) rejects the sizes PyTorch rejects", () => {
  test.each(convFixtures.outputSizeErrors.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const m = build(c.module) as ConvTransposeNd<number>;
    const x = zeros(c.inputShape);
    const before = memory().numTensors;
    expect(() => m.forward(x, c.outputSize)).toThrow(ArgumentError);
    expect(memory().numTensors).toBe(before);
    if (c.min && c.max) {
      // torch: "valid sizes range from [7, 9] to [8, 10]"
      expect(() => m.forward(x, c.outputSize)).toThrow(`valid sizes range from [${c.min.join(", ")}] to [${c.max.join(", ")}]`);
    } else {
      expect(() => m.forward(x, c.outputSize)).toThrow(/outputSize must have \d or \d elements/);
    }
    x.dispose();
    m.dispose();
  });

  test("new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 }).outputPaddingFor([1, 3, 4, 5], [8, 10]) is [1, 1] (torch's _output_padding)", () => {
    const m = new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 });
    expect(m.outputPaddingFor([1, 3, 4, 5], [8, 10])).toEqual([1, 1]);
    expect(m.outputPaddingFor([1, 3, 4, 5], [1, 2, 7, 9])).toEqual([0, 0]);
    expect(m.outputPaddingFor([1, 3, 4, 5])).toEqual([0, 0]);
    m.dispose();
  });
});

describe("default initialisation follows nn.ConvNd.reset_parameters (kaiming_uniform_(a=sqrt(5)))", () => {
  test.each(convFixtures.init.map((c) => [c.id, c] as const))("%s: weight and bias lie in ±1/sqrt(fan_in) with torch's fan_in", (_id, c) => {
    const m = build({ ...c.module, options: { ...c.module.options } }) as Conv2d;
    expect([...m.weight.shape]).toEqual(c.weightShape);
    expect([...(m.bias as Tensor).shape]).toEqual(c.biasShape);
    expect(fanIn(m.weight.shape)).toBe(c.fanIn);
    const bound = 1 / Math.sqrt(c.fanIn);
    const w = Array.from(m.weight.dataSync());
    const b = Array.from((m.bias as Tensor).dataSync());
    const maxW = w.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const maxB = b.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(maxW).toBeLessThanOrEqual(bound);
    expect(maxB).toBeLessThanOrEqual(bound);
    if (w.length >= 10_000) {
      // U(-b, b): mean 0, variance b²/3, and the draws reach close to both ends.
      const mean = w.reduce((a, v) => a + v, 0) / w.length;
      const variance = w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length;
      expect(Math.abs(mean)).toBeLessThan((5 * bound) / Math.sqrt(3 * w.length));
      expect(variance / ((bound * bound) / 3)).toBeCloseTo(1, 1);
      expect(maxW).toBeGreaterThan(0.99 * bound);
    }
    m.dispose();
  });

  test("the kaiming gain sqrt(2 / (1 + 5)) times sqrt(3 / fan_in) is 1 / sqrt(fan_in)", () => {
    for (const n of [1, 9, 27, 576, 1152]) expect(Math.sqrt(2 / (1 + 5)) * Math.sqrt(3 / n)).toBeCloseTo(1 / Math.sqrt(n), 15);
  });

  test("a transposed weight [Cin, Cout / groups, k...] has fan_in (Cout / groups) * prod(k), as torch computes it", () => {
    const m = new ConvTranspose2d(64, 96, 4, { stride: 2, groups: 2 });
    expect([...m.weight.shape]).toEqual([64, 48, 4, 4]);
    expect(fanIn(m.weight.shape)).toBe(48 * 16);
    m.dispose();
  });

  test("new Conv2d(..., { generator }) draws from that generator: the same seed gives the same weights", () => {
    const a = new Conv2d(3, 4, 3, { generator: new Generator(42) });
    const b = new Conv2d(3, 4, 3, { generator: new Generator(42) });
    const c = new Conv2d(3, 4, 3, { generator: new Generator(43) });
    expect(a.weight.dataSync()).toEqual(b.weight.dataSync());
    expect(a.bias?.dataSync()).toEqual(b.bias?.dataSync());
    expect(a.weight.dataSync()).not.toEqual(c.weight.dataSync());
    for (const m of [a, b, c]) m.dispose();
  });

  test("without a generator, layers draw from defaultGenerator, so manualSeed makes them reproducible", () => {
    manualSeed(7);
    const a = new Conv1d(2, 3, 5);
    manualSeed(7);
    const b = new Conv1d(2, 3, 5);
    expect(a.weight.dataSync()).toEqual(b.weight.dataSync());
    a.dispose();
    b.dispose();
  });
});

describe("bias: false registers a null bias, as torch's register_parameter('bias', None)", () => {
  test("new Conv2d(3, 8, 3, { bias: false }) has bias null and only a weight parameter", () => {
    const m = new Conv2d(3, 8, 3, { bias: false });
    expect(m.bias).toBeNull();
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    expect(parameterCount(m)).toBe(8 * 3 * 9);
    m.dispose();
  });
});

describe("constructor arguments are checked as nn.ConvNd checks them", () => {
  test("groups must divide inChannels and outChannels", () => {
    expect(() => new Conv2d(3, 8, 3, { groups: 2 })).toThrow(new ArgumentError("Conv2d: inChannels (3) must be divisible by groups (2)"));
    expect(() => new Conv2d(4, 6, 3, { groups: 4 })).toThrow(new ArgumentError("Conv2d: outChannels (6) must be divisible by groups (4)"));
    expect(() => new ConvTranspose1d(4, 6, 3, { groups: 0 })).toThrow(new ArgumentError("ConvTranspose1d: groups must be a positive integer, got 0"));
    expect(() => new GroupedConv2d(4, 6, 3, 4)).toThrow(new ArgumentError("GroupedConv2d: outChannels (6) must be divisible by groups (4)"));
  });

  test("padding 'same' needs stride 1, and other strings are rejected", () => {
    expect(() => new Conv2d(3, 8, 3, { padding: "same", stride: 2 })).toThrow(
      new ArgumentError('Conv2d: padding "same" needs stride 1 in every dim (as in PyTorch), got stride [2, 2]'),
    );
    expect(() => new Conv1d(3, 8, 3, { padding: "full" as "same" })).toThrow(
      /Conv1d: padding must be an integer, a tuple of 1 integers, "same" or "valid", got "full"/,
    );
  });

  test("paddingMode must be zeros, reflect, replicate or circular", () => {
    expect(() => new Conv3d(1, 1, 3, { paddingMode: "constant" as "zeros" })).toThrow(
      new ArgumentError('Conv3d: paddingMode must be one of "zeros", "reflect", "replicate", "circular", got "constant"'),
    );
  });

  test("ConvTranspose outputPadding must be smaller than stride or dilation", () => {
    expect(() => new ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 })).toThrow(
      new ArgumentError("ConvTranspose2d: outputPadding [2, 2] must be smaller than either stride [2, 2] or dilation [1, 1] in every dim (as in PyTorch)"),
    );
    expect(() => new ConvTranspose3d(2, 2, 3, { outputPadding: 1, dilation: 2 })).not.toThrow();
  });

  test("sizes must be positive (kernel, stride, dilation) or non-negative (padding) integers of the layer's rank", () => {
    expect(() => new Conv2d(3, 8, 0)).toThrow(ArgumentError);
    expect(() => new Conv2d(3, 8, [3, 3, 3] as unknown as [number, number])).toThrow(/kernelSize must be an integer or a tuple of 2 integers/);
    expect(() => new Conv2d(3, 8, 3, { padding: -1 })).toThrow(/padding must be non-negative integers/);
    expect(() => new Conv1d(0, 8, 3)).toThrow(new ArgumentError("Conv1d: inChannels must be a positive integer, got 0"));
    expect(() => new Conv1d(2, 1.5, 3)).toThrow(new ArgumentError("Conv1d: outChannels must be a positive integer, got 1.5"));
  });

  test("options must be an object (torch's positional stride is refused) and bias a boolean", () => {
    expect(() => new Conv2d(3, 8, 3, 2 as never)).toThrow(new ArgumentError("Conv2d: options must be an object such as { stride: 2 }, got 2"));
    expect(() => new Conv2d(3, 8, 3, { bias: "no" as never })).toThrow(new ArgumentError('Conv2d: bias must be a boolean, got "no"'));
    expect(() => new ConvTranspose2d(3, 8, 3, { bias: 0 as never })).toThrow(new ArgumentError("ConvTranspose2d: bias must be a boolean, got 0"));
  });
});

describe("forward errors come from core's ops, naming the layer's weight", () => {
  test("a Conv2d(3, 8, 3) given 4 input channels reports the channel mismatch as a ShapeError", () => {
    const m = new Conv2d(3, 8, 3);
    const x = zeros([1, 4, 5, 5]);
    expect(() => m.forward(x)).toThrow(ShapeError);
    expect(() => m.forward(x)).toThrow(/expects 3 input channels/);
    x.dispose();
    m.dispose();
  });

  test("a kernel larger than the padded input is a ShapeError", () => {
    const m = new Conv2d(1, 1, 5, { padding: 1 });
    const x = zeros([1, 1, 2, 2]);
    expect(() => m.forward(x)).toThrow(ShapeError);
    expect(() => m.outputSize([2, 2])).toThrow(ShapeError);
    x.dispose();
    m.dispose();
  });
});

describe("outputSize and macs describe the forward pass", () => {
  const layers: [string, () => Module<[Tensor], Tensor> & ConvCost, number[]][] = [
    ["Conv2d 3->64 7x7 s2 p3", () => new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }), [1, 3, 32, 30]],
    ["Conv2d 'same' even dilated", () => new Conv2d(2, 4, [2, 4], { padding: "same", dilation: [1, 2] }), [2, 2, 7, 9]],
    ["Conv1d groups 'valid'", () => new Conv1d(4, 6, 3, { groups: 2, padding: "valid", stride: 2 }), [1, 4, 11]],
    ["Conv3d reflect", () => new Conv3d(2, 2, 3, { padding: 1, paddingMode: "reflect" }), [1, 2, 4, 5, 6]],
    ["ConvTranspose2d 4x4 s2 p1 outputPadding 1", () => new ConvTranspose2d(4, 2, 4, { stride: 2, padding: 1, outputPadding: 1 }), [2, 4, 5, 6]],
  ];

  test.each(layers)("%s: outputSize matches the shape forward returns", (_name, make, shape) => {
    tidy(() => {
      const m = make();
      const y = m.forward(randn(shape, { seed: 1 }));
      expect(m.outputSize(shape.slice(2))).toEqual(y.shape.slice(2));
      m.dispose();
    });
  });

  test("Conv2d(3, 64, 7, { stride: 2, padding: 3 }).macs([224, 224]) is 64 * 112² * 3 * 49 (ResNet's stem, 118M)", () => {
    const m = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    expect(m.macs([224, 224])).toBe(64 * 112 * 112 * 3 * 49);
    expect(m.macs([224, 224])).toBe(118_013_952);
    expect(m.macs([224, 224], 8)).toBe(8 * 118_013_952);
    expect(parameterCount(m)).toBe(convParameterCount({ inChannels: 3, outChannels: 64, kernelSize: [7, 7], bias: false }));
    m.dispose();
  });

  test("a grouped layer has 1/groups of the dense layer's weights and multiply-accumulates", () => {
    const dense = new Conv2d(64, 128, 3, { padding: 1, bias: false });
    const grouped = new GroupedConv2d(64, 128, 3, 4, { padding: 1, bias: false });
    expect(parameterCount(grouped) * 4).toBe(parameterCount(dense));
    expect(grouped.macs([28, 28]) * 4).toBe(dense.macs([28, 28]));
    dense.dispose();
    grouped.dispose();
  });

  test("ConvTranspose2d.macs counts every input element times every weight it meets", () => {
    const m = new ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1 });
    expect(m.macs([32, 32])).toBe(convMacs({ inChannels: 64, outChannels: 32, kernelSize: [4, 4], transposed: true, inputSize: [32, 32] }));
    expect(m.macs([32, 32])).toBe(64 * 32 * 32 * 32 * 16);
    expect(m.outputSize([32, 32])).toEqual([64, 64]);
    m.dispose();
  });
});

describe("layers keep their arguments as PyTorch stores them", () => {
  test("new Conv2d(3, 8, 3, { padding: 1 }) stores every size as a 2-tuple", () => {
    const m = new Conv2d(3, 8, 3, { padding: 1 });
    expect(m.kernelSize).toEqual([3, 3]);
    expect(m.stride).toEqual([1, 1]);
    expect(m.padding).toEqual([1, 1]);
    expect(m.dilation).toEqual([1, 1]);
    expect(m.paddingMode).toBe("zeros");
    m.dispose();
  });

  test("new ChannelShuffle(3) and new PixelShuffle(2) keep their factor", () => {
    expect(new ChannelShuffle(3).groups).toBe(3);
    expect(new PixelShuffle(2).upscaleFactor).toBe(2);
  });
});
