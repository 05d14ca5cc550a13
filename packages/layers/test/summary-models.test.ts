/**
 * summary() of every torchvision model convkit defines, at 1x3x224x224, against the rows torch's own
 * forward hooks record for torchvision 0.14 (fixtures/summary.json): each call's name, type, depth,
 * output shapes, parameter counts and multiply-accumulates.
 */
import "@convkit/backend-cpu";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { summary } from "../src/index.js";
import { createModel } from "../src/models/index.js";

interface ModelFacts {
  id: string;
  inputShape: number[];
  totalParams: number;
  totalMacs: number;
  rows: unknown[][];
}

const fixture: { torchvision: ModelFacts[] } = JSON.parse(readFileSync(new URL("./fixtures/summary.json", import.meta.url), "utf8"));

describe("summary(model, [1, 3, 224, 224]) of the torchvision models equals torch's per-call figures", () => {
  test("resnet18 has 11,689,512 parameters and 1,814,073,344 multiply-accumulates (1.81 G)", () => {
    const model = createModel("resnet18");
    const s = summary(model, [1, 3, 224, 224]);
    expect(s.totalParams).toBe(11_689_512);
    expect(s.totalMacs).toBe(1_814_073_344);
    expect(s.toString()).toContain("Total mult-adds (G): 1.81");
    model.dispose();
  });

  test.each(fixture.torchvision.map((m) => [m.id, m] as const))("%s", (id, facts) => {
    const model = createModel(id);
    const s = summary(model, facts.inputShape);
    expect(s.layers.map((l) => [l.name, l.type, l.depth, l.depthIndex, l.outputShapes, l.params, l.ownParams, l.macs, l.recursive])).toEqual(facts.rows);
    expect(s.totalParams).toBe(facts.totalParams);
    expect(s.totalMacs).toBe(facts.totalMacs);
    model.dispose();
  });
});
