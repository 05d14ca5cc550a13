import "@convkit/backend-cpu";
import { ArgumentError, Generator, type Tensor, memory, ones, randn, tensor, tidy, zeros } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { Conv2d, DepthwiseSeparableConv2d, Module, Sequential } from "../src/index.js";

class WithBuffers extends Module<[Tensor], Tensor> {
  readonly scale: Tensor;
  runningMean: Tensor;
  readonly cache: Tensor;

  constructor() {
    super();
    this.scale = this.registerParameter("scale", ones([2]));
    this.runningMean = this.registerBuffer("running_mean", zeros([2]));
    this.cache = this.registerBuffer("cache", zeros([3]), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    return x;
  }
}

describe("stateDict() lists parameters and persistent buffers by PyTorch's dotted names", () => {
  test("a DepthwiseSeparableConv2d's state dict is depthwise.weight, depthwise.bias, pointwise.weight, pointwise.bias", () => {
    const m = new DepthwiseSeparableConv2d(3, 4, 3);
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual(["depthwise.weight", "depthwise.bias", "pointwise.weight", "pointwise.bias"]);
    expect(sd["depthwise.weight"]).toBe(m.depthwise.weight);
    m.dispose();
  });

  test("non-persistent buffers are left out; a module registered twice is listed under both names (as torch does)", () => {
    const w = new WithBuffers();
    expect(Object.keys(w.stateDict())).toEqual(["scale", "running_mean"]);
    const conv = new Conv2d(1, 1, 1);
    const seq = new Sequential(conv, conv);
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    w.dispose();
    seq.dispose();
  });
});

describe("loadStateDict(state) copies tensors into the module, as load_state_dict does (what the conv fixture tests rely on)", () => {
  test("after loading another layer's state, both layers compute the same output, and the field is what parameters() lists", () => {
    tidy(() => {
      const a = new Conv2d(2, 3, 3, { padding: 1, generator: new Generator(1) });
      const b = new Conv2d(2, 3, 3, { padding: 1, generator: new Generator(2) });
      b.loadStateDict(a.stateDict());
      expect(b.namedParameters()[0][1]).toBe(b.weight);
      expect(b.weight.dataSync()).toEqual(a.weight.dataSync());
      const x = randn([1, 2, 5, 5], { seed: 4 });
      expect(b.forward(x).dataSync()).toEqual(a.forward(x).dataSync());
      a.dispose();
      b.dispose();
    });
  });

  test("buffers are loaded too, including fields named differently from the buffer", () => {
    const w = new WithBuffers();
    const state = { scale: tensor([3, 4]), running_mean: tensor([0.5, -0.5]) };
    w.loadStateDict(state);
    expect(w.runningMean.arraySync()).toEqual([0.5, -0.5]);
    expect(w.namedBuffers()[0][1]).toBe(w.runningMean);
    expect(w.scale.arraySync()).toEqual([3, 4]);
    for (const t of Object.values(state)) t.dispose();
    w.dispose();
  });

  test("strict (the default) rejects missing and unexpected keys, naming them, and changes nothing; strict: false reports them", () => {
    const m = new Conv2d(1, 2, 3);
    const weight = Array.from(m.weight.dataSync());
    const w = zeros([2, 1, 3, 3]);
    const extra = zeros([1]);
    expect(() => m.loadStateDict({ weight: w, extra })).toThrow(ArgumentError);
    expect(() => m.loadStateDict({ weight: w, extra })).toThrow(/missing key.*"bias"[\s\S]*unexpected key.*"extra"/);
    expect(Array.from(m.weight.dataSync())).toEqual(weight);
    const result = m.loadStateDict({ weight: w, extra }, { strict: false });
    expect(result).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(m.weight.dataSync().every((v) => v === 0)).toBe(true);
    for (const t of [w, extra]) t.dispose();
    m.dispose();
  });

  test("a shape mismatch is an error even when not strict", () => {
    const m = new Conv2d(1, 2, 3);
    const w = zeros([2, 1, 3, 2]);
    expect(() => m.loadStateDict({ weight: w }, { strict: false })).toThrow(/size mismatch for "weight".*\[2, 1, 3, 2\].*\[2, 1, 3, 3\]/);
    w.dispose();
    m.dispose();
  });

  test("a module shared under two names stays shared, and nothing leaks", () => {
    const before = memory().numTensors;
    const conv = new Conv2d(1, 1, 1);
    const seq = new Sequential(conv, conv);
    const state = { "0.weight": tensor([[[[2]]]]), "0.bias": tensor([1]), "1.weight": tensor([[[[3]]]]), "1.bias": tensor([5]) };
    seq.loadStateDict(state);
    expect(seq.at(0)).toBe(seq.at(1));
    expect(conv.weight.arraySync()).toEqual([[[[3]]]]);
    expect(conv.bias?.arraySync()).toEqual([5]);
    for (const t of Object.values(state)) t.dispose();
    seq.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
