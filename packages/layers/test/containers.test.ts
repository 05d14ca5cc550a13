import "@convkit/backend-cpu";
import { ArgumentError, ShapeError, memory, ones } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { Linear, ModuleDict, ModuleList, ReLU, ReLU6, Sequential, Sigmoid, Tanh } from "../src/index.js";

describe("ModuleList", () => {
  test("names its modules 0, 1, ... so their parameters are 'i.weight'; at(i) takes negative indices", () => {
    const a = new Linear(2, 3);
    const b = new ReLU();
    const list = new ModuleList([a, b]);
    expect(list.length).toBe(2);
    expect(list.at(0)).toBe(a);
    expect(list.at(-1)).toBe(b);
    expect([...list]).toEqual([a, b]);
    expect(Object.keys(list.stateDict())).toEqual(["0.weight", "0.bias"]);
    expect(() => list.at(2)).toThrow(new ArgumentError("ModuleList.at: index 2 is out of range for a ModuleList of length 2 (allowed: integers from -2 to 1)"));
    list.dispose();
  });

  test("insert(i, m) and pop(i) renumber the modules after i, as torch's list operations do", () => {
    const [r, s, t] = [new ReLU(), new Sigmoid(), new Tanh()];
    const list = new ModuleList([r, t]).insert(1, s);
    expect(list.namedChildren()).toEqual([
      ["0", r],
      ["1", s],
      ["2", t],
    ]);
    expect(list.pop(0)).toBe(r);
    expect(list.namedChildren()).toEqual([
      ["0", s],
      ["1", t],
    ]);
    expect(list.insert(-1, r).namedChildren().map(([, m]) => m)).toEqual([s, r, t]);
    expect(list.insert(3, r).length).toBe(4);
    expect(list.pop()).toBe(r);
  });

  test("set(i, m) replaces in place; append/extend add at the end", () => {
    const list = new ModuleList<ReLU | Sigmoid>().append(new ReLU()).extend([new ReLU(), new ReLU()]);
    const s = new Sigmoid();
    list.set(1, s);
    expect(list.at(1)).toBe(s);
    expect(list.toString()).toBe("ModuleList(\n  (0): ReLU()\n  (1): Sigmoid()\n  (2): ReLU()\n)");
  });

  test("has no forward: calling it is an ArgumentError saying to iterate it", () => {
    expect(() => new ModuleList().forward()).toThrow(/ModuleList has no forward: iterate it/);
  });
});

describe("ModuleDict", () => {
  test("registers modules under their keys, in insertion order; set on an existing key keeps its position", () => {
    const head = new Linear(3, 1);
    const d = new ModuleDict({ head, act: new ReLU() });
    expect(d.keys()).toEqual(["head", "act"]);
    expect(d.get("head")).toBe(head);
    expect(d.has("act")).toBe(true);
    expect(d.get("missing")).toBeUndefined();
    const r6 = new ReLU6();
    d.set("head", r6);
    expect(d.entries()).toEqual([
      ["head", r6],
      ["act", d.get("act")],
    ]);
    head.dispose();
  });

  test("accepts [key, module] pairs (or a Map); delete(key) removes and returns the module; clear() empties it", () => {
    const r = new ReLU();
    const d = new ModuleDict(
      new Map<string, ReLU | Sigmoid>([
        ["a", r],
        ["b", new Sigmoid()],
      ]),
    );
    expect(d.size).toBe(2);
    expect(d.delete("a")).toBe(r);
    expect(d.delete("a")).toBeUndefined();
    expect(d.keys()).toEqual(["b"]);
    d.clear();
    expect(d.size).toBe(0);
    expect(d.toString()).toBe("ModuleDict()");
  });

  test("keys follow torch's module-name rules: no dots, no clash with a ModuleDict member", () => {
    expect(() => new ModuleDict({ "a.b": new ReLU() })).toThrow(/module name must be non-empty and cannot contain "\."/);
    expect(() => new ModuleDict({ keys: new ReLU() })).toThrow(/attribute "keys" already exists on ModuleDict/);
  });

  test("has no forward: calling it is an ArgumentError saying to look modules up", () => {
    expect(() => new ModuleDict().forward()).toThrow(/ModuleDict has no forward: look modules up with get\(key\)/);
  });
});

describe("Sequential", () => {
  test("a module that throws mid-chain leaves no intermediate tensor behind", () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(4, 1));
    const x = ones([5, 2]);
    const before = memory().numTensors;
    expect(() => seq.forward(x)).toThrow(ShapeError);
    expect(memory().numTensors).toBe(before);
    x.dispose();
    seq.dispose();
  });
});
