import "@convkit/backend-cpu";
import { ArgumentError, type Tensor, memory, ones, tensor, tidy, zeros } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { Flatten, Identity, MaxPool2d, Module, Sequential } from "../src/index.js";
import { fixtures } from "./layer-fixtures.js";

// The same tree as Net/Block/Leaf in tools/fixtures/generate_layers.py; PyTorch's facts about it are in fixtures.tree.
class Leaf extends Module<[Tensor], Tensor> {
  readonly scale = this.registerParameter("scale", ones([1]));
  forward(x: Tensor): Tensor {
    return x;
  }
  extraRepr(): string {
    return "scale=1";
  }
}

class Block extends Module<[Tensor], Tensor> {
  weight: Tensor;
  bias: Tensor | null;
  runningMean: Tensor;
  readonly pool: MaxPool2d;
  readonly inner: Sequential;

  constructor(channels: number) {
    super();
    this.weight = this.registerParameter("weight", zeros([channels, 3]));
    this.bias = this.registerParameter("bias", null);
    this.runningMean = this.registerBuffer("running_mean", zeros([channels]));
    this.registerBuffer("num_batches_tracked", tensor(0, [], "int32"));
    this.pool = this.registerModule("pool", new MaxPool2d(2));
    this.inner = this.registerModule("inner", new Sequential(new Identity(), new Leaf()));
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  extraRepr(): string {
    return `channels=${this.weight.shape[0]}`;
  }
}

class Net extends Module<[Tensor], Tensor> {
  readonly stem = this.registerModule("stem", new Block(2));
  readonly layers = this.registerModule("layers", new Sequential(new Block(4), new Block(8)));
  readonly head = this.registerModule("head", new Flatten());
  readonly alias = this.registerModule("alias", this.stem);
  forward(x: Tensor): Tensor {
    return x;
  }
}

const shapes = (named: [string, Tensor][]): [string, number[]][] => named.map(([n, t]) => [n, [...t.shape]]);
const typeNames = (named: [string, Module][]): [string, string][] => named.map(([n, m]) => [n, m.constructor.name]);

describe("a custom module tree is named, printed and traversed like PyTorch's", () => {
  const facts = fixtures.tree;

  test("toString() nests children by 2 spaces with each module's extraRepr, as repr(net)", () => {
    const net = new Net();
    expect(net.toString()).toBe(facts.repr);
    net.dispose();
  });

  test("namedModules() lists '' for self and dotted paths, each module once", () => {
    const net = new Net();
    expect(typeNames(net.namedModules())).toEqual(facts.namedModules);
    expect(net.modules().length).toBe(facts.namedModules.length);
    expect(typeNames(net.namedChildren())).toEqual(facts.namedChildren);
    expect(net.children().map((m) => m.constructor.name)).toEqual(facts.namedChildren.map(([, t]) => t));
    net.dispose();
  });

  test("namedParameters() and namedBuffers() use PyTorch's dotted names and skip null entries", () => {
    const net = new Net();
    expect(shapes(net.namedParameters())).toEqual(facts.namedParameters);
    expect(shapes(net.namedBuffers())).toEqual(facts.namedBuffers);
    expect(net.parameters()).toEqual(net.namedParameters().map(([, t]) => t));
    expect(net.buffers().length).toBe(facts.namedBuffers.length);
    net.dispose();
  });

  test("namedParameters({ prefix }) prefixes names; { recurse: false } lists only the module's own", () => {
    const net = new Net();
    expect(shapes(net.layers.namedParameters({ prefix: "layers" }))).toEqual(facts.layersNamedParameters);
    expect(shapes(net.stem.namedParameters({ recurse: false }))).toEqual(facts.stemOwnParameters);
    expect(net.stem.parameters({ recurse: false })).toEqual([net.stem.weight]);
    net.dispose();
  });

  test("eval() and train() set training on every descendant, as in PyTorch", () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.namedModules().map(([, m]) => m.training)).toEqual(facts.training.eval);
    net.layers.train();
    expect(net.namedModules().map(([, m]) => m.training)).toEqual(facts.training["layers.train"]);
    net.dispose();
  });

  test("dispose() releases every parameter and buffer, returning memory().numTensors to its baseline", () => {
    const before = memory().numTensors;
    const net = new Net();
    expect(memory().numTensors).toBe(before + facts.namedParameters.length + facts.namedBuffers.length);
    net.dispose();
    expect(memory().numTensors).toBe(before);
    expect(net.stem.weight.isDisposed).toBe(true);
  });
});

describe("Module registration", () => {
  class Empty extends Module<[Tensor], Tensor> {
    forward(x: Tensor): Tensor {
      return x;
    }
  }

  test("registerParameter/registerBuffer/registerModule return their argument", () => {
    const m = new Empty();
    const w = zeros([2]);
    const child = new Identity();
    expect(m.registerParameter("w", w)).toBe(w);
    expect(m.registerBuffer("b", null)).toBeNull();
    expect(m.registerModule("child", child)).toBe(child);
    expect(m.namedParameters()).toEqual([["w", w]]);
    m.dispose();
  });

  test("registering a name again replaces the entry in place and keeps its position", () => {
    const m = new Empty();
    const [a, b, c] = [zeros([1]), zeros([2]), zeros([3])];
    m.registerParameter("a", a);
    m.registerParameter("b", b);
    m.registerParameter("a", c);
    expect(m.namedParameters()).toEqual([
      ["a", c],
      ["b", b],
    ]);
    for (const t of [a, b, c]) t.dispose();
  });

  test("a name may be registered in only one of parameters, buffers and modules", () => {
    const m = new Empty();
    m.registerBuffer("stats", null);
    expect(() => m.registerParameter("stats", null)).toThrow(new ArgumentError('Empty.registerParameter: "stats" is already registered as a buffer'));
    expect(() => m.registerModule("stats", new Identity())).toThrow(/already registered as a buffer/);
  });

  test("names must be non-empty, dot-free and must not shadow an existing attribute", () => {
    const m = new Empty();
    expect(() => m.registerParameter("a.b", null)).toThrow(/parameter name must be non-empty and cannot contain "\.", got "a\.b"/);
    expect(() => m.registerBuffer("", null)).toThrow(/buffer name must be non-empty/);
    expect(() => m.registerModule("forward", new Identity())).toThrow(/attribute "forward" already exists on Empty/);
    expect(() => m.registerParameter("training", null)).toThrow(/attribute "training" already exists/);
  });

  test("registered values must be tensors (or null) and modules", () => {
    const m = new Empty();
    expect(() => m.registerParameter("w", [1, 2] as unknown as Tensor)).toThrow(/parameter "w" must be a Tensor or null, got Array/);
    expect(() => m.registerModule("c", {} as Module)).toThrow(/Object is not a Module/);
  });

  test("train(mode) rejects a non-boolean mode", () => {
    expect(() => new Empty().train(1 as unknown as boolean)).toThrow(/Empty\.train: mode must be a boolean, got 1/);
  });

  test("apply(fn) visits children before their parent", () => {
    const seq = new Sequential(new Identity(), new Sequential(new Flatten()));
    const seen: string[] = [];
    seq.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(["Identity", "Flatten", "Sequential", "Sequential"]);
  });

  test("a null child prints as None and is skipped by children()", () => {
    const m = new Empty();
    m.registerModule("maybe", null);
    expect(m.toString()).toBe("Empty(\n  (maybe): None\n)");
    expect(m.children()).toEqual([]);
  });
});

describe("Sequential", () => {
  test("names children by position, indexes with at(i) (negative from the end) and reports length", () => {
    const a = new MaxPool2d(2);
    const b = new Flatten();
    const seq = new Sequential(a, b);
    expect(seq.length).toBe(2);
    expect(seq.at(0)).toBe(a);
    expect(seq.at(-1)).toBe(b);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(["0", "1"]);
    expect([...seq]).toEqual([a, b]);
    expect(() => seq.at(2)).toThrow(/Sequential\.at: index 2 is out of range for a Sequential of length 2 \(allowed: integers from -2 to 1\)/);
  });

  test("append(module) adds the next numbered child", () => {
    const seq = new Sequential().append(new Identity());
    expect(seq.length).toBe(1);
    expect(seq.toString()).toBe("Sequential(\n  (0): Identity()\n)");
  });

  test("new Sequential({ name: module }) names children by the object's keys", () => {
    expect(new Sequential({ pool: new MaxPool2d(2), flat: new Flatten() }).namedChildren().map(([n]) => n)).toEqual(["pool", "flat"]);
  });

  test("forward chains the modules; an empty Sequential returns its input", () => {
    tidy(() => {
      const x = tensor(
        new Float32Array(32).map((_, i) => i),
        [2, 1, 4, 4],
      );
      expect(new Sequential().forward(x)).toBe(x);
      const pool = new MaxPool2d(2);
      // The same module twice runs twice, as iterating torch's Sequential does.
      expect(new Sequential(pool, pool, new Flatten()).forward(x).arraySync()).toEqual([[15], [31]]);
    });
  });
});

describe("Flatten", () => {
  test("new Flatten() keeps dim 0 and merges the rest; a 0-d input becomes shape [1]", () => {
    tidy(() => {
      expect(new Flatten().forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
      expect(new Flatten(0).forward(tensor(5, [])).shape).toEqual([1]);
      expect(new Flatten(-2, -1).forward(zeros([0, 3, 4])).shape).toEqual([0, 12]);
    });
  });

  test("rejects dims outside the input's rank and a start after the end, with core flatten's errors", () => {
    tidy(() => {
      expect(() => new Flatten().forward(zeros([3]))).toThrow(/flatten: startDim must be an integer in \[-1, 0\] for a 1-D input of shape \[3\], got 1/);
      expect(() => new Flatten(2, 0).forward(zeros([2, 3, 4]))).toThrow(/flatten: startDim \(2, dim 2\) must not come after endDim \(0, dim 0\)/);
    });
  });
});
