/**
 * summary(model, inputShape) against PyTorch: per-call output shapes and parameter counts recorded with
 * torch's own forward hooks, multiply-accumulates by the formulas in tools/fixtures/generate_summary.py.
 */
import "@convkit/backend-cpu";
import { ArgumentError, ShapeError, type Tensor, memory } from "@convkit/core";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, Module, ReLU, Sequential, type SummaryLayer, summary } from "../src/index.js";
import type { ModuleSpec } from "./layer-fixtures.js";
import { build } from "./layers2-fixtures.js";

type Row = [string, string, number, number, number[][], number, number, number, boolean];

interface NetFacts {
  id: string;
  module?: ModuleSpec;
  custom?: string;
  inputShape: number[];
  totalParams: number;
  totalMacs: number;
  rows: Row[];
}

const fixture: { nets: NetFacts[]; torchvision: NetFacts[] } = JSON.parse(readFileSync(new URL("./fixtures/summary.json", import.meta.url), "utf8"));

// The same modules as Block / Reused in tools/fixtures/generate_summary.py.
class Block extends Module<[Tensor], Tensor> {
  readonly conv1: Conv2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;

  constructor(channels: number) {
    super();
    this.conv1 = this.registerModule("conv1", new Conv2d(channels, channels, 3, { padding: 1, bias: false }));
    this.relu = this.registerModule("relu", new ReLU({ inplace: true }));
    this.conv2 = this.registerModule("conv2", new Conv2d(channels, channels, 3, { padding: 1 }));
  }

  forward(x: Tensor): Tensor {
    return this.relu.forward(this.conv2.forward(this.relu.forward(this.conv1.forward(x))));
  }
}

class Reused extends Module<[Tensor], Tensor> {
  readonly stem = this.registerModule("stem", new Conv2d(1, 4, 3, { stride: 2 }));
  readonly block = this.registerModule("block", new Block(4));
  readonly head = this.registerModule("head", new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, 3)));

  forward(x: Tensor): Tensor {
    return this.head.forward(this.block.forward(this.block.forward(this.stem.forward(x))));
  }
}

function buildNet(facts: NetFacts): Module {
  if (facts.custom === "Reused") return new Reused();
  if (!facts.module) throw new Error(`fixture ${facts.id} has neither a module spec nor a known custom net`);
  return build(facts.module);
}

const asRow = (l: SummaryLayer): Row => [l.name, l.type, l.depth, l.depthIndex, l.outputShapes, l.params, l.ownParams, l.macs, l.recursive];

describe("summary(model, inputShape) records every module call as torch's hooks see it", () => {
  test.each(fixture.nets.map((n) => [n.id, n] as const))("%s: rows, parameter counts and multiply-accumulates equal PyTorch's", (_id, facts) => {
    const model = buildNet(facts);
    const before = memory().numTensors;
    const s = summary(model, facts.inputShape);
    expect(memory().numTensors).toBe(before);
    expect(s.layers.map(asRow)).toEqual(facts.rows);
    expect(s.totalParams).toBe(facts.totalParams);
    expect(s.trainableParams).toBe(facts.totalParams);
    expect(s.totalMacs).toBe(facts.totalMacs);
    expect(s.inputShape).toEqual(facts.inputShape);
    model.dispose();
  });
});

describe("summary's table is laid out like torchinfo's", () => {
  const facts = fixture.nets.find((n) => n.id === "small-convnet") as NetFacts;

  const line = (...cells: string[]): string => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(i === 0 ? 40 : 25) : c)).join("");

  test("a header, one line per call up to depth 3 with tree marks and depth-idx, then the totals", () => {
    const model = buildNet(facts);
    const lines = summary(model, facts.inputShape).toString().split("\n");
    expect(lines[0]).toBe("=".repeat(115));
    expect(lines[1]).toBe(line("Layer (type:depth-idx)", "Output Shape", "Param #", "Mult-Adds"));
    expect(lines[3]).toBe(line("Sequential", "[2, 10]", "--", "--"));
    expect(lines[4]).toBe(line("├─Sequential: 1-1", "[2, 8, 6, 6]", "--", "--"));
    expect(lines[5]).toBe(line("│    └─Conv2d: 2-1", "[2, 8, 16, 16]", "224", "110,592"));
    expect(lines[7]).toBe(line("│    └─ReLU: 2-3", "[2, 8, 16, 16]", "--", "--"));
    expect(lines.length).toBe(3 + facts.rows.length + 9);
    expect(lines.slice(-9)).toEqual([
      "=".repeat(115),
      "Total params: 1,426",
      "Trainable params: 1,426",
      "Non-trainable params: 0",
      "Total mult-adds (M): 0.13",
      "=".repeat(115),
      "Input size (MB): 0.01",
      "Params size (MB): 0.01",
      "=".repeat(115),
    ]);
    model.dispose();
  });

  test("a module with parameters that already ran shows (recursive) instead of its parameters again", () => {
    const model = new Reused();
    const lines = summary(model, [1, 1, 9, 9]).toString().split("\n");
    expect(lines).toContain(line("├─Block: 1-3", "[1, 4, 4, 4]", "(recursive)", "--"));
    expect(lines).toContain(line("│    └─Conv2d: 2-5", "[1, 4, 4, 4]", "(recursive)", "2,304"));
    expect(lines).toContain(line("│    └─ReLU: 2-6", "[1, 4, 4, 4]", "--", "--"));
    model.dispose();
  });

  test("calls deeper than { depth } fold into the row at that depth, which shows their parameters and MACs", () => {
    const deep = fixture.nets.find((n) => n.id === "deep-nesting") as NetFacts;
    const model = buildNet(deep);
    const s = summary(model, deep.inputShape, { depth: 2 });
    const folded = deep.rows.find((r) => r[2] === 2) as Row;
    const lines = s.toString().split("\n");
    expect(lines.slice(3, 6)).toEqual([
      line("Sequential", "[1, 2, 4, 4]", "--", "--"),
      line("├─Sequential: 1-1", "[1, 2, 4, 4]", "--", "--"),
      line("│    └─Sequential: 2-1", `[${folded[4][0].join(", ")}]`, String(folded[5]), folded[7].toLocaleString("en-US")),
    ]);
    expect(lines[6]).toBe("=".repeat(115));
    expect(s.layers.length).toBe(deep.rows.length);
    model.dispose();
  });
});

describe("summary leaves the model as it was", () => {
  test("runs in eval mode (BatchNorm statistics untouched) and restores each module's training flag; hooks are removed", () => {
    const bn = new BatchNorm2d(2);
    const model = new Sequential(new Conv2d(1, 2, 1), bn, new Dropout(0.5));
    (model.at(2) as Module).eval();
    summary(model, [1, 1, 2, 2]);
    expect(model.namedModules().map(([, m]) => m.training)).toEqual([true, true, true, false]);
    expect(bn.numBatchesTracked?.arraySync()).toBe(0);
    expect(model.modules().some((m) => Object.hasOwn(m, "forward"))).toBe(false);
    model.dispose();
  });

  test("a forward failure names the layer and its input shapes, keeps the error class, and still restores the model", () => {
    const model = new Sequential(new Flatten(), new Linear(5, 2));
    let err: unknown;
    try {
      summary(model, [1, 2, 2]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toMatch(/^summary: running 1 \(Linear\) on input shape\(s\) \[1, 4\]: linear: input's last dim must equal in_features 5/);
    expect(model.modules().some((m) => Object.hasOwn(m, "forward"))).toBe(false);
    expect(model.training).toBe(true);
    model.dispose();
  });

  test("an invalid inputShape or depth is an ArgumentError", () => {
    const model = new Sequential(new ReLU());
    expect(() => summary(model, [1, 0, 3])).toThrow(new ArgumentError("summary: inputShape must be a non-empty array of positive integers such as [1, 3, 224, 224], got [1,0,3]"));
    expect(() => summary(model, [1], { depth: -1 })).toThrow(/summary: depth must be a non-negative integer, got -1/);
  });
});
