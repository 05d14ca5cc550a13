/**
 * `convkit summary` and `convkit run`. Expected figures come from torch: parameter counts and
 * multiply-accumulates from packages/layers/test/fixtures/model-keys.json (tools/models/export_keys.py),
 * weights, inputs and outputs of the small models from packages/layers/test/fixtures/models/
 * (tools/models/export_small.py).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Tensor, memory, setBackend, tensor } from "@convkit/core";
import { loadSafetensors, models, saveSafetensors } from "@convkit/layers";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { IMAGENET_MEAN, IMAGENET_STD } from "../src/model-input.js";
import { run } from "./run.js";

const LAYERS_FIXTURES = new URL("../../layers/test/fixtures/", import.meta.url).pathname;
const SMALL = join(LAYERS_FIXTURES, "models");
const TORCH = JSON.parse(readFileSync(join(LAYERS_FIXTURES, "model-keys.json"), "utf8")) as {
  models: { name: string; inputShape: number[]; outputShape: number[]; params: number; macs: number }[];
};
const dir = mkdtempSync(join(tmpdir(), "convkit-models-"));
const count = (n: number): string => n.toLocaleString("en-US");

/** torch's tensors from a small-model fixture, as plain arrays. */
function torchIo(name: string): Record<string, { shape: number[]; data: number[] }> {
  const { tensors } = loadSafetensors(readFileSync(join(SMALL, `${name}.io.safetensors`)));
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [k, t] of Object.entries(tensors) as [string, Tensor][]) {
    out[k] = { shape: [...t.shape], data: Array.from(t.dataSync()) };
    t.dispose();
  }
  return out;
}

/** Class indices of a row, best first (ties: lower index first), as torch.topk orders distinct values. */
function ranking(row: readonly number[]): number[] {
  return row.map((_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
}

describe("convkit summary / run --help", () => {
  it("the root help lists summary and run; each takes --help, -h and help <command>, naming every model", async () => {
    const root = await run("--help");
    expect(root.out).toMatch(/^ {2}summary +a model's layers/m);
    expect(root.out).toMatch(/^ {2}run +run a model with PyTorch weights/m);
    for (const c of ["summary", "run"]) {
      const long = await run(c, "--help");
      expect(long.code).toBe(0);
      expect(long.out).toMatch(new RegExp(`^Usage: convkit ${c} <model>`));
      expect((await run(c, "-h")).out).toBe(long.out);
      expect((await run("help", c)).out).toBe(long.out);
      for (const m of TORCH.models) expect(long.out).toMatch(new RegExp(`^  ${m.name} +${m.inputShape.join("x")} `, "m"));
    }
  });
});

describe("convkit summary", () => {
  it("resnet18 --input 1x3x224x224 prints torchinfo's table with 11,689,512 parameters and 1.81 G mult-adds", async () => {
    const r = await run("summary", "resnet18", "--input", "1x3x224x224");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ResNet-18 \(torchvision resnet18\), input 1x3x224x224\n=+\nLayer \(type:depth-idx\) +Output Shape +Param # +Mult-Adds\n/);
    expect(r.out).toMatch(/^├─Conv2d: 1-1 +\[1, 64, 112, 112\] +9,408 +118,013,952$/m);
    expect(r.out).toContain("Total params: 11,689,512");
    expect(r.out).toContain("Total mult-adds (G): 1.81");
  });

  it.each(TORCH.models.map((m) => [m.name, m]))("%s at its default input gives torch's parameter count and MACs (--json)", async (name, torch) => {
    const r = await run("summary", name, "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { inputShape: number[]; totalParams: number; totalMacs: number; layers: { outputShapes: number[][] }[] };
    expect(s.inputShape).toEqual(torch.inputShape);
    expect(s.totalParams).toBe(torch.params);
    expect(s.totalMacs).toBe(torch.macs);
    expect(s.layers[0].outputShapes).toEqual([torch.outputShape]);
  });

  it("--depth 1 lists only the top-level layers; --options and --classes reach the model", async () => {
    const r = await run("summary", "unet", "--input", "1x3x32x32", "--depth", "1", "--options", '{"base": 4, "depth": 3}', "--classes", "5");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^├─Conv2d: 1-14 +\[1, 5, 32, 32\]/m);
    expect(r.out).not.toMatch(/└─/);
    expect(r.out).toContain(`Total params: ${count(30_546 + 3 * 4 + 3)}`);
  });

  it("sppnet gives 10 class scores for 64x64 and for 97x50 inputs", async () => {
    for (const input of ["1x3x64x64", "1x3x97x50"]) {
      const s = JSON.parse((await run("summary", "sppnet", "--input", input, "--json")).out) as { layers: { outputShapes: number[][] }[] };
      expect(s.layers[0].outputShapes).toEqual([[1, 10]]);
    }
  });

  it.each([
    [["summary"], /^convkit: summary: name a model: resnet18, mobilenet_v2, .*sppnet$/],
    [["summary", "resnet50"], /^convkit: unknown model "resnet50"; models are resnet18, /],
    [["summary", "resnet18", "--input", "1x3x224"], /^convkit: summary: running conv1 \(Conv2d\) on input shape\(s\) \[1, 3, 224\]: /],
    [["summary", "resnet18", "--input", "1x3xax224"], /^convkit: summary: --input must be positive integers joined by x, like 1x3x224x224, got "1x3xax224"$/],
    [["summary", "unet", "--input", "1x3x36x36"], /^convkit: summary: running UNet on input shape\(s\) \[1, 3, 36, 36\]: UNet: input height and width must be multiples of 2\^depth = 16/],
    [["summary", "unet", "--options", '{"width": 3}'], /^convkit: unet: unknown option\(s\) "width"; it takes numClasses, inChannels, base, depth$/],
    [["summary", "lenet5", "--classes", "0"], /^convkit: summary: --classes must be a positive integer, got 0$/],
  ])("%j fails with one line and exit code 2", async (argv, message) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
  });
});

describe("convkit run", () => {
  const lenet = torchIo("lenet5");
  const weights = (name: string): string => join(SMALL, `${name}.safetensors`);
  const lenetJson = join(dir, "lenet-input.json");
  beforeAll(() => writeFileSync(lenetJson, JSON.stringify(lenet.input0)));

  it("lenet5 with torch's weights on torch's input prints each sample's top 5 classes in torch's order, with progress on stderr", async () => {
    const input = join(dir, "lenet-input.safetensors");
    const x = tensor(lenet.input0.data, lenet.input0.shape);
    writeFileSync(input, saveSafetensors({ input: x }));
    x.dispose();
    const before = memory().numTensors;
    const r = await run("run", "lenet5", "--weights", weights("lenet5"), "--input", input);
    expect(r.code).toBe(0);
    const [n, classes] = lenet.output0.shape;
    expect(r.out).toMatch(/^lenet5 on cpu: input 2x1x32x32 -> output 2x10 in \d+\.\d\d s\n/);
    for (let s = 0; s < n; s++) {
      const row = lenet.output0.data.slice(s * classes, (s + 1) * classes);
      const top = ranking(row).slice(0, 5);
      const block = r.out.split(`sample ${s}:\n`)[1].split("\n").slice(1, 6);
      expect(block.map((l) => Number(l.trim().split(/\s+/)[1]))).toEqual(top);
      const scores = block.map((l) => Number(l.trim().split(/\s+/)[2]));
      for (const [i, v] of scores.entries()) expect(v).toBeCloseTo(row[top[i]], 4);
    }
    expect(r.err).toMatch(/^run: loaded 10 tensors from .*lenet5\.safetensors, \d+\.\d\d s$/m);
    expect(r.err).toMatch(/^run: \[1\/2\] features \(Sequential\) -> 2x16x5x5, \d+\.\d\d s$/m);
    expect(r.err).toMatch(/^run: \[2\/2\] classifier \(Sequential\) -> 2x10, \d+\.\d\d s$/m);
    expect(memory().numTensors).toBe(before);
  });

  it("a JSON tensor file gives the same classes, --top 3 --json lists 3 with softmax probabilities, --quiet prints no progress", async () => {
    const r = await run("run", "lenet5", "-w", weights("lenet5"), "-i", lenetJson, "--top", "3", "--json", "--quiet");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const out = JSON.parse(r.out) as { outputShape: number[]; top: { index: number; score: number; probability: number }[][] };
    expect(out.outputShape).toEqual([2, 10]);
    const row = lenet.output0.data.slice(0, 10);
    expect(out.top[0].map((c) => c.index)).toEqual(ranking(row).slice(0, 3));
    const sum = row.reduce((a, v) => a + Math.exp(v), 0);
    expect(out.top[0][0].probability).toBeCloseTo(Math.exp(row[out.top[0][0].index]) / sum, 5);
  });

  it("an unbatched (C, H, W) input runs as a batch of one", async () => {
    const path = join(dir, "lenet-one.json");
    writeFileSync(path, JSON.stringify({ shape: [1, 32, 32], data: lenet.input0.data.slice(0, 1024) }));
    const r = await run("run", "lenet5", "-w", weights("lenet5"), "-i", path, "-q", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { inputShape: number[]; top: { index: number }[][] };
    expect(out.inputShape).toEqual([1, 1, 32, 32]);
    expect(out.top[0].map((c) => c.index)).toEqual(ranking(lenet.output0.data.slice(0, 10)).slice(0, 5));
  });

  describe("PNG input", () => {
    const width = 32;
    const height = 24;
    const rgb = Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + 11) % 256);
    const png = join(dir, "picture.png");
    beforeAll(() => {
      const image = new PNG({ width, height });
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < 3; c++) image.data[4 * p + c] = rgb[3 * p + c];
        image.data[4 * p + 3] = 255;
      }
      writeFileSync(png, PNG.sync.write(image));
    });

    /** The documented preprocessing, written out: channel planes of (value / 255 - mean) / std. */
    function expected(_kind: "imagenet"): { shape: number[]; data: number[] } {
      const plane = width * height;
      const data: number[] = [];
      for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) data.push((rgb[3 * p + c] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]);
      return { shape: [1, 3, height, width], data };
    }

    const sppnet = ["sppnet", "-w", weights("sppnet"), "--options", '{"widths": [8, 16, 16], "hidden": 32}', "--classes", "5", "-q", "--json"];

    it("--normalize reads RGB normalised with ImageNet's mean and std: the same scores as that tensor given as JSON", async () => {
      const json = join(dir, "picture.json");
      writeFileSync(json, JSON.stringify(expected("imagenet")));
      const fromPng = await run("run", ...sppnet, "--normalize", "-i", png);
      expect(fromPng.code).toBe(0);
      expect((JSON.parse(fromPng.out) as { inputShape: number[] }).inputShape).toEqual([1, 3, height, width]);
      expect(JSON.parse(fromPng.out)).toEqual(JSON.parse((await run("run", ...sppnet, "-i", json)).out));
    });

    it("convkit's own models (and --no-normalize) read RGB in [0, 1]", async () => {
      const plain = join(dir, "plain.json");
      const plane = width * height;
      writeFileSync(plain, JSON.stringify({ shape: [1, 3, height, width], data: rgb.map((_, i) => rgb[3 * (i % plane) + Math.floor(i / plane)] / 255) }));
      const fromJson = JSON.parse((await run("run", ...sppnet, "-i", plain)).out);
      expect(JSON.parse((await run("run", ...sppnet, "-i", png)).out)).toEqual(fromJson);
      expect(JSON.parse((await run("run", ...sppnet, "--no-normalize", "-i", png)).out)).toEqual(fromJson);
    });

    it("torchvision models normalise with ImageNet's mean and std by default", async () => {
      await setBackend("cpu");
      const model = models.shufflenetV2X0_5();
      const path = join(dir, "shufflenet.safetensors");
      writeFileSync(path, saveSafetensors(model.stateDict()));
      model.dispose();
      const json = join(dir, "picture.json");
      writeFileSync(json, JSON.stringify(expected("imagenet")));
      const argv = ["shufflenet_v2_x0_5", "-w", path, "-q", "--json"];
      const fromPng = await run("run", ...argv, "-i", png);
      expect(fromPng.code).toBe(0);
      expect(JSON.parse(fromPng.out)).toEqual(JSON.parse((await run("run", ...argv, "-i", json)).out));
    });

    it("a 1-channel model (lenet5) reads luminance 0.299 R + 0.587 G + 0.114 B in [0, 1]", async () => {
      const square = new PNG({ width: 32, height: 32 });
      const sq: number[] = [];
      for (let p = 0; p < 32 * 32; p++) {
        for (let c = 0; c < 3; c++) {
          square.data[4 * p + c] = rgb[(3 * p + c) % rgb.length];
          sq.push(rgb[(3 * p + c) % rgb.length]);
        }
        square.data[4 * p + 3] = 255;
      }
      const squarePng = join(dir, "square.png");
      writeFileSync(squarePng, PNG.sync.write(square));
      const gray = join(dir, "gray.json");
      const luminance = Array.from({ length: 1024 }, (_, p) => (0.299 * sq[3 * p] + 0.587 * sq[3 * p + 1] + 0.114 * sq[3 * p + 2]) / 255);
      writeFileSync(gray, JSON.stringify({ shape: [1, 1, 32, 32], data: luminance }));
      const a = await run("run", "lenet5", "-w", weights("lenet5"), "-q", "--json", "-i", squarePng);
      expect(a.code).toBe(0);
      expect(JSON.parse(a.out)).toEqual(JSON.parse((await run("run", "lenet5", "-w", weights("lenet5"), "-q", "--json", "-i", gray)).out));
    });
  });

  it("unet prints its output map (torch's values) as a tensor", async () => {
    const io = torchIo("unet");
    writeFileSync(join(dir, "unet.json"), JSON.stringify(io.input1));
    const t = await run("run", "unet", "-w", weights("unet"), "--options", '{"base": 4, "depth": 3}', "-i", join(dir, "unet.json"), "-q", "--json");
    expect(t.code).toBe(0);
    const out = JSON.parse(t.out) as { output: { shape: number[]; data: number[] } };
    expect(out.output.shape).toEqual(io.output1.shape);
    const outside = out.output.data.filter((v, i) => !(Math.abs(v - io.output1.data[i]) <= 1e-4 + 1e-4 * Math.abs(io.output1.data[i])));
    expect(outside).toEqual([]);
    const text = await run("run", "unet", "-w", weights("unet"), "--options", '{"base": 4, "depth": 3}', "-i", join(dir, "unet.json"), "-q");
    expect(text.out).toMatch(/^unet on cpu: input 2x3x16x24 -> output 2x2x16x24 in \d+\.\d\d s\ntensor\(\[\[\[\[/);
  });

  it.each([
    [["run", "lenet5", "-i", "x.json"], /^convkit: run: --weights <file.safetensors> is required/],
    [["run", "lenet5", "-w", "w.safetensors"], /^convkit: run: --input <image.png \| tensor.json \| file.safetensors> is required$/],
    [["run", "lenet5", "-w", "nope.safetensors", "-i", "x.json"], /^convkit: run: cannot read weights nope.safetensors: no such file$/],
    [["run", "unet", "-w", "w.safetensors", "-i", "x.json", "--output", "top"], /^convkit: run: unet outputs a per-pixel map, not class scores; use --output tensor$/],
  ])("%j fails with one line and exit code 2", async (argv, message) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("weights of another model fail the strict load, listing the missing and unexpected keys", async () => {
    const r = await run("run", "sppnet", "-w", weights("lenet5"), "-i", lenetJson, "-q");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^convkit: SPPNet\.loadStateDict: 5 error\(s\) in loading the state dict: missing key\(s\) \(16\): "features\.1\.weight", .* unexpected key\(s\) \(7\): "classifier\.2\.bias", .* size mismatch for "features\.0\.weight": /);
  });

  it("weights for another class count fail with the size mismatch until --classes says it", async () => {
    const r = await run("run", "lenet5", "-w", weights("lenet5"), "-i", lenetJson, "-q", "--classes", "7");
    expect(r.code).toBe(2);
    expect(r.err).toContain('size mismatch for "classifier.4.weight": copying a tensor of shape [10, 84] from the state dict, the shape in the module is [7, 84]');
  });
});

