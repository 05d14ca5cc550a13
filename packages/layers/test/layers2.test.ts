/** Linear, activation, dropout, batch-norm and container modules against real PyTorch (fixtures/layers2.json). */
import "@convkit/backend-cpu";
import { type Tensor, memory } from "@convkit/core";
import { DEFAULT_TOLERANCE, compareOutput, fromJson } from "@convkit/conformance";
import { describe, expect, test } from "vitest";
import { type Module, parameterCount } from "../src/index.js";
import { build, fixtures2 } from "./layers2-fixtures.js";

function stateOf(json: Record<string, Parameters<typeof fromJson>[0]>): Map<string, Tensor> {
  return new Map(Object.entries(json).map(([k, v]) => [k, fromJson(v)]));
}

function disposeAll(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.dispose();
}

describe("toString() equals PyTorch's repr", () => {
  test.each(fixtures2.reprs.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const m = build(c.module);
    expect(m.toString()).toBe(c.repr);
    m.dispose();
  });
});

describe("forward with PyTorch's weights loaded by loadStateDict gives PyTorch's output", () => {
  test.each(fixtures2.forwards.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const before = memory().numTensors;
    const m = build(c.module) as Module<Tensor[], Tensor>;
    const state = stateOf(c.state);
    m.loadStateDict(state);
    disposeAll(state.values());
    m.train(c.mode === "train");
    const inputs = c.inputs.map(fromJson);
    const output = m.forward(...inputs);
    const mismatch = compareOutput(output, { name: c.id, expected: c.outputs[0], compare: c.compare[0] }, DEFAULT_TOLERANCE);
    expect(mismatch).toBeNull();
    disposeAll([output, ...inputs]);
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("stateDict() has torch's state_dict() keys, shapes and order; namedParameters/namedBuffers match too", () => {
  test.each(fixtures2.stateKeys.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const m = build(c.module);
    const sd = m.stateDict();
    // torch's int64 num_batches_tracked is convkit's int32.
    expect(Object.entries(sd).map(([k, t]) => [k, [...t.shape], t.dtype])).toEqual(c.stateDict.map(([k, shape, dtype]) => [k, shape, dtype === "int64" ? "int32" : dtype]));
    expect(m.namedParameters().map(([n]) => n)).toEqual(c.namedParameters);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(c.namedBuffers);
    expect(parameterCount(m)).toBe(c.parameterCount);
    m.dispose();
  });
});
