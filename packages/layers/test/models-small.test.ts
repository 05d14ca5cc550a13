/**
 * convkit's own models (LeNet5, UNet, C3D, SPPNet) end to end on every backend, against their torch twins
 * (tools/models/export_small.py): torch's seeded weights load strictly, and the outputs for torch's inputs
 * agree with torch's (rtol 1e-4, atol 1e-4) in shape and value, leaving no tensor behind.
 */
import { readFileSync } from "node:fs";
import "@convkit/backend-cpu";
import "@convkit/backend-tfjs";
import { ShapeError, type Tensor, memory, randn, setBackend, tidy } from "@convkit/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Module, models } from "../src/index.js";
import { AGREEMENT, expectAllClose, loadWeights, readTensors } from "./model-helpers.js";

interface SmallModel {
  name: string;
  options: Record<string, unknown>;
  inputShapes: number[][];
  outputShapes: number[][];
  params: number;
}

const DIR = new URL("./fixtures/models/", import.meta.url);
const INDEX = JSON.parse(readFileSync(new URL("small-models.json", DIR), "utf8")) as { models: SmallModel[] };
const path = (file: string): string => new URL(file, DIR).pathname;

const BUILD: Record<string, (options: Record<string, unknown>) => Module<[Tensor], Tensor>> = {
  lenet5: (o) => new models.LeNet5(o),
  unet: (o) => new models.UNet(o),
  c3d: (o) => new models.C3D(o),
  sppnet: (o) => new models.SPPNet(o),
};

describe.each(["cpu", "tfjs-wasm"])("on the %s backend", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  describe.each(INDEX.models)("$name with options $options", (m) => {
    let model: Module<[Tensor], Tensor>;
    let io: Record<string, Tensor>;
    beforeAll(async () => {
      await setBackend(backend);
      model = BUILD[m.name](m.options).eval();
      io = readTensors(path(`${m.name}.io.safetensors`));
    });
    afterAll(() => {
      model.dispose();
      for (const t of Object.values(io)) t.dispose();
    });

    test("loads the torch twin's state dict strictly", () => {
      loadWeights(model, path(`${m.name}.safetensors`));
    });

    test.each(m.inputShapes.map((shape, i) => ({ i, shape, out: m.outputShapes[i] })))("input $shape gives torch's output $out", ({ i }) => {
      const before = memory().numTensors;
      const y = model.forward(io[`input${i}`]);
      expectAllClose(y, io[`output${i}`], AGREEMENT, `${m.name} on ${backend}, input ${i}`);
      y.dispose();
      expect(memory().numTensors, "tensors left by forward").toBe(before);
    });
  });
});

describe("shapes through convkit's own models", () => {
  beforeAll(async () => {
    await setBackend("cpu");
  });

  test("SPPNet gives the same output length for 64x64 and 97x50 inputs (the pyramid pools any size to 21 bins)", () => {
    const model = new models.SPPNet({ numClasses: 7 }).eval();
    expect(tidy(() => model.forward(randn([1, 3, 64, 64])).shape)).toEqual([1, 7]);
    expect(tidy(() => model.forward(randn([1, 3, 97, 50])).shape)).toEqual([1, 7]);
    model.dispose();
  });

  test("UNet output keeps the input's height and width: (2, 3, 64, 32) -> (2, numClasses, 64, 32)", () => {
    const model = new models.UNet({ base: 4, depth: 3, numClasses: 5 }).eval();
    expect(tidy(() => model.forward(randn([2, 3, 64, 32])).shape)).toEqual([2, 5, 64, 32]);
    model.dispose();
  });

  test("UNet rejects a size that is not a multiple of 2^depth with a ShapeError naming it", () => {
    const model = new models.UNet({ base: 4, depth: 3 }).eval();
    const x = randn([1, 3, 36, 32]);
    expect(() => model.forward(x)).toThrow(ShapeError);
    expect(() => model.forward(x)).toThrow("UNet: input height and width must be multiples of 2^depth = 8 (depth 3)");
    x.dispose();
    model.dispose();
  });

  test("C3D maps a (1, 3, 16, 112, 112) clip to (1, numClasses), its first pool keeping all 16 frames", () => {
    const model = new models.C3D({ numClasses: 4 }).eval();
    const shapes: number[][] = [];
    model.pool1.registerForwardHook((_m, _inputs, out) => shapes.push([...(out as Tensor).shape]));
    expect(tidy(() => model.forward(randn([1, 3, 16, 112, 112])).shape)).toEqual([1, 4]);
    expect(shapes).toEqual([[1, 16, 16, 56, 56]]);
    model.dispose();
  });

  test("LeNet5 maps (4, 1, 32, 32) to (4, 10)", () => {
    const model = new models.LeNet5().eval();
    expect(tidy(() => model.forward(randn([4, 1, 32, 32])).shape)).toEqual([4, 10]);
    model.dispose();
  });
});
