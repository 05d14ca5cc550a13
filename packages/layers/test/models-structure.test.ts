/**
 * Every model definition against what torch says about the same model (test/fixtures/model-keys.json,
 * written by tools/models/export_keys.py from torchvision 0.14 and from the torch twins of convkit's own
 * models): state-dict keys in order with shapes and dtypes, parameter count, output shape, the
 * multiply-accumulates of its conv and linear layers, and repr.
 */
import { readFileSync } from "node:fs";
import "@convkit/backend-cpu";
import { ArgumentError, type Tensor, memory, setBackend } from "@convkit/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Module, models, parameterCount, summary } from "../src/index.js";

interface TorchModel {
  name: string;
  source: string;
  inputShape: number[];
  outputShape: number[];
  params: number;
  macs: number;
  keys: [string, number[], "float32" | "int64"][];
  repr: string;
}

const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/model-keys.json", import.meta.url), "utf8")) as { torchvision: string; models: TorchModel[] };

beforeAll(async () => {
  await setBackend("cpu");
});

describe.each(FIXTURE.models)("models.createModel($name) matches $source", (torch) => {
  let model: Module<[Tensor], Tensor>;
  beforeAll(() => {
    model = models.createModel(torch.name);
  });
  afterAll(() => model.dispose());

  test("stateDict() has torch's keys in torch's order, with torch's shapes (int64 buffers as int32)", () => {
    const ours = Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape], t.dtype]);
    const theirs = torch.keys.map(([k, shape, dtype]) => [k, shape, dtype === "int64" ? "int32" : dtype]);
    expect(ours).toEqual(theirs);
  });

  test("parameterCount(model) equals torch's sum(p.numel() for p in model.parameters())", () => {
    expect(parameterCount(model)).toBe(torch.params);
  });

  test("toString() prints torch's repr(model)", () => {
    expect(model.toString()).toBe(torch.repr);
  });

  test("summary(model, inputShape) gives torch's output shape, parameter total and conv + linear multiply-accumulates", () => {
    const before = memory().numTensors;
    const s = summary(model, torch.inputShape);
    expect(s.layers[0].outputShapes).toEqual([torch.outputShape]);
    expect(s.totalParams).toBe(torch.params);
    expect(s.totalMacs).toBe(torch.macs);
    expect(memory().numTensors).toBe(before);
  });
});

describe("the figures the issue quotes", () => {
  test("ResNet-18 at 1x3x224x224 has 11,689,512 parameters and about 1.82 G multiply-accumulates", () => {
    const model = models.resnet18();
    const s = summary(model, [1, 3, 224, 224]);
    expect(s.totalParams).toBe(11_689_512);
    // 1,814,073,344: torchvision lists 1.81 GFLOPS (multiply-accumulates) for it; "about 1.82 G" within 0.5%.
    expect(s.totalMacs).toBe(FIXTURE.models.find((m) => m.name === "resnet18")?.macs);
    expect(Math.abs(s.totalMacs / 1.82e9 - 1)).toBeLessThan(0.005);
    expect(String(s)).toContain("Total params: 11,689,512");
    model.dispose();
  });
});

describe("the model registry", () => {
  test("MODELS lists every model the fixture describes, with the input shape torch was run at", () => {
    expect(models.MODELS.map((m) => m.name)).toEqual(FIXTURE.models.map((m) => m.name));
    for (const m of FIXTURE.models) expect(models.findModel(m.name).inputShape).toEqual(m.inputShape);
  });

  test("findModel accepts dashes and capitals (ShuffleNet-V2-x1-0) and names every model when it knows none", () => {
    expect(models.findModel("ShuffleNet-V2-x1_0").name).toBe("shufflenet_v2_x1_0");
    expect(() => models.findModel("resnet50")).toThrow(ArgumentError);
    expect(() => models.findModel("resnet50")).toThrow(/unknown model "resnet50"; models are resnet18, mobilenet_v2, .*, sppnet/);
  });

  test("numClasses sets the classifier's outputs (resnet18 with 10 classes has fc.weight [10, 512])", () => {
    const m = models.resnet18({ numClasses: 10 });
    expect(m.fc.weight.shape).toEqual([10, 512]);
    m.dispose();
  });

  test.each([
    ["resnet18", () => models.resnet18({ numClasses: 0 }), /ResNet: numClasses must be a positive integer, got 0/],
    ["UNet", () => new models.UNet({ depth: 1.5 }), /UNet: depth must be a positive integer, got 1.5/],
    ["C3D", () => new models.C3D({ widths: [8, 16] }), /C3D: widths must be an array of 4 positive integers, got \[8,16\]/],
    ["SPPNet", () => new models.SPPNet({ levels: [] }), /SPPNet: levels must be a non-empty array of positive integers, got \[\]/],
    ["MobileNetV2", () => models.mobilenetV2({ dropout: 2 }), /MobileNetV2: dropout must be a probability between 0 and 1, got 2/],
  ])("%s rejects a bad option with an ArgumentError naming it", (_name, make, message) => {
    expect(make).toThrow(ArgumentError);
    expect(make).toThrow(message);
  });
});
