/** loadStateDict: in-place copies, one error listing every problem, Map input, dtype conversion. */
import "@convkit/backend-cpu";
import { ArgumentError, Generator, type Tensor, memory, ones, tensor, zeros } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { BatchNorm2d, Conv2d, Linear, Sequential, StateDictError } from "../src/index.js";

const net = () => new Sequential(new Conv2d(1, 2, 3, { generator: new Generator(1) }), new BatchNorm2d(2), new Linear(4, 3, { generator: new Generator(2) }));

function errorOf(fn: () => unknown): StateDictError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StateDictError) return e;
    throw e;
  }
  throw new Error("expected a StateDictError");
}

describe("loadStateDict(state) copies in place", () => {
  test("parameters and buffers keep their identity: fields, parameters() and an earlier stateDict() see the new values", () => {
    const m = net();
    const lin = m.at(2) as Linear;
    const weight = lin.weight;
    const earlier = m.stateDict();
    const state = new Map<string, Tensor>(Object.entries(m.stateDict()).map(([k, t]) => [k, k === "2.weight" ? ones([3, 4]) : t]));
    m.loadStateDict(state);
    expect(lin.weight).toBe(weight);
    expect(m.parameters()).toContain(weight);
    expect(Array.from(earlier["2.weight"].dataSync())).toEqual(new Array(12).fill(1));
    state.get("2.weight")?.dispose();
    expect(Array.from(lin.weight.dataSync())).toEqual(new Array(12).fill(1));
    m.dispose();
  });

  test("disposing the loaded tensors afterwards leaves the module intact, and nothing leaks", () => {
    const before = memory().numTensors;
    const m = new Linear(2, 1);
    const state = { weight: tensor([[3, 4]]), bias: tensor([5]) };
    m.loadStateDict(state);
    for (const t of Object.values(state)) t.dispose();
    expect(m.weight.arraySync()).toEqual([[3, 4]]);
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });

  test("an int32 tensor loads into a float32 parameter as torch's copy_ converts it", () => {
    const m = new Linear(2, 1);
    const state = { weight: tensor(new Int32Array([7, -2]), [1, 2]), bias: tensor([0]) };
    m.loadStateDict(state);
    expect(m.weight.dtype).toBe("float32");
    expect(m.weight.arraySync()).toEqual([[7, -2]]);
    for (const t of Object.values(state)) t.dispose();
    m.dispose();
  });
});

describe("a failing loadStateDict reports every problem in one StateDictError and changes nothing", () => {
  test("strict: each missing key, each unexpected key and each size mismatch, in one message and as fields", () => {
    const m = net();
    const before = Array.from((m.at(0) as Conv2d).weight.dataSync());
    const state: Record<string, Tensor> = {
      "0.weight": zeros([2, 1, 3, 3]),
      "0.bias": zeros([3]),
      "1.weight": ones([2]),
      "1.running_mean": zeros([2]),
      "2.weight": zeros([4, 3]),
      "2.bias": zeros([3]),
      "3.weight": zeros([1]),
      extra: zeros([1]),
    };
    const err = errorOf(() => m.loadStateDict(state));
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err.missingKeys).toEqual(["1.bias", "1.running_var"]);
    expect(err.unexpectedKeys).toEqual(["3.weight", "extra"]);
    expect(err.message).toBe(
      [
        "Sequential.loadStateDict: 4 error(s) in loading the state dict:",
        '  missing key(s) (2): "1.bias", "1.running_var"',
        '  unexpected key(s) (2): "3.weight", "extra"',
        '  size mismatch for "0.bias": copying a tensor of shape [3] from the state dict, the shape in the module is [2]',
        '  size mismatch for "2.weight": copying a tensor of shape [4, 3] from the state dict, the shape in the module is [3, 4]',
      ].join("\n"),
    );
    expect(Array.from((m.at(0) as Conv2d).weight.dataSync())).toEqual(before);
    expect(Array.from((m.at(1) as BatchNorm2d).weight?.dataSync() ?? [])).toEqual([1, 1]);
    for (const t of Object.values(state)) t.dispose();
    m.dispose();
  });

  test("strict: false returns the missing and unexpected keys and loads the rest; size mismatches still throw", () => {
    const m = new Linear(2, 1);
    const w = tensor([[1, 2]]);
    const extra = zeros([1]);
    expect(m.loadStateDict({ weight: w, extra }, { strict: false })).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(m.weight.arraySync()).toEqual([[1, 2]]);
    const wide = zeros([1, 3]);
    const err = errorOf(() => m.loadStateDict({ weight: wide }, { strict: false }));
    expect(err.missingKeys).toEqual([]);
    expect(err.mismatches).toEqual(['size mismatch for "weight": copying a tensor of shape [1, 3] from the state dict, the shape in the module is [1, 2]']);
    for (const t of [w, extra, wide]) t.dispose();
    m.dispose();
  });

  test("values that are not tensors, or disposed ones, are listed too", () => {
    const m = new Linear(2, 1);
    const gone = zeros([1]);
    gone.dispose();
    const err = errorOf(() => m.loadStateDict({ weight: [[1, 2]], bias: gone } as unknown as Record<string, Tensor>));
    expect(err.mismatches).toEqual(['"weight" must be a Tensor, got Array', '"bias" was given a disposed tensor']);
    m.dispose();
  });

  test("a state that is not a record or Map, or a non-boolean strict, is an ArgumentError", () => {
    const m = new Linear(1, 1);
    expect(() => m.loadStateDict(null as never)).toThrow(new ArgumentError("Linear.loadStateDict: state must be a record or Map of tensors by name, got null"));
    expect(() => m.loadStateDict({}, { strict: "no" as never })).toThrow(/strict must be a boolean, got "no"/);
    m.dispose();
  });
});
