/**
 * `convkit image`. The input picture is built here with pngjs from the fixture's seeded pixels (no
 * binary committed); expected outputs are PyTorch's convolution and pooling of those pixels
 * (test/fixtures/cli.json, tools/fixtures/generate_cli.py), mapped to bytes by the documented rule.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memory } from "@convkit/core";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type ImageKernel, NAMED_KERNELS, filterImage } from "../src/image-ops.js";
import type { Pixels } from "../src/png.js";
import { FIXTURES } from "./fixtures.js";
import { run } from "./run.js";

const { width, height, rgb } = FIXTURES.image;
const dir = mkdtempSync(join(tmpdir(), "convkit-image-"));
const inPng = join(dir, "in.png");
const source: Pixels = { width, height, channels: 3, data: Uint8Array.from(rgb) };

beforeAll(() => {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) png.data[4 * p + c] = rgb[3 * p + c];
    png.data[4 * p + 3] = 255;
  }
  writeFileSync(inPng, PNG.sync.write(png));
});

/** Runs `convkit image` and decodes what it wrote: bytes per pixel per channel (1 for gray, 3 for RGB). */
async function image(out: string, ...argv: string[]): Promise<{ width: number; height: number; colorType: number; bytes: number[]; line: string }> {
  const path = join(dir, out);
  const r = await run("image", inPng, "--out", path, ...argv);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const png = PNG.sync.read(readFileSync(path));
  const channels = png.colorType === 0 ? 1 : 3;
  const bytes: number[] = [];
  for (let p = 0; p < png.width * png.height; p++) {
    for (let c = 0; c < channels; c++) bytes.push(png.data[4 * p + c]);
    if (channels === 1) expect([png.data[4 * p + 1], png.data[4 * p + 2]]).toEqual([png.data[4 * p], png.data[4 * p]]);
  }
  return { width: png.width, height: png.height, colorType: png.colorType, bytes, line: r.out };
}

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
}

function named(name: string): ImageKernel {
  const k = NAMED_KERNELS[name].kernel;
  return { label: name, shape: [k.length, k[0].length], data: k.flat() };
}

describe("convkit image gives PyTorch's convolution of a real PNG", () => {
  for (const c of FIXTURES.image.cases) {
    it(`image in.png ${c.argv.join(" ")}`, async () => {
      const got = await image(`${c.id}.png`, ...c.argv);
      expect([got.width, got.height]).toEqual([c.width, c.height]);
      expect(got.colorType).toBe(c.channels === 1 ? 0 : 2);
      if (option(c.argv, "--mode") === "gray") {
        // Luminance (0.299 R + ...) is not exact in float32; a value within rounding of a .5 boundary
        // may land on either neighbouring byte.
        for (const [i, b] of got.bytes.entries()) expect(Math.abs(b - c.bytes[i]), `byte ${i}`).toBeLessThanOrEqual(1);
      } else expect(got.bytes).toEqual(c.bytes);
    });
  }

  it("the float outputs before normalisation equal PyTorch's (exactly: 8-bit pixels and these kernels keep every sum exact in float32)", () => {
    for (const c of FIXTURES.image.cases) {
      const pool = option(c.argv, "--pool");
      const img = filterImage(source, named(option(c.argv, "--kernel") ?? ""), {
        mode: option(c.argv, "--mode") as "gray" | "depthwise" | "sum",
        paddingMode: option(c.argv, "--padding-mode") as "zeros" | "replicate" | "reflect",
        pool: pool === undefined ? undefined : { kind: pool.startsWith("max") ? "max" : "avg", size: Number(pool.split(":")[1]) },
      });
      expect([img.channels, img.height, img.width]).toEqual(c.float.shape);
      if (option(c.argv, "--mode") === "gray") for (const [i, v] of img.data.entries()) expect(v, c.id).toBeCloseTo(c.float.data[i], 3);
      else expect(Array.from(img.data), c.id).toEqual(c.float.data);
    }
  });

  it("reports what it did: sizes, mode, padding and the normalisation with the output range", async () => {
    const got = await image("report.png", "--kernel", "sobel-x", "--pool", "max:2");
    expect(got.line).toMatch(
      /^wrote .*report\.png: 4x3 RGB from 8x6; sobel-x, one kernel per channel \(groups=3\), replicate padding, max pool 2; outputs -?\d+\.\.\d+ mapped by abs: \|v\| rounded, clipped to 255$/,
    );
  });
});

describe("Sobel through SpatiallySeparableConv2d gives the same image as the full 3x3 kernel", () => {
  // Sobel factors into integer vectors ([1, 2, 1] and [-1, 0, 1]) and the pixels are integers, so every
  // partial sum of both paths is a small integer, exact in float32: the two must agree exactly, and so
  // must the PNG bytes. In gray mode the luminance is fractional, so the floats agree only to rounding.
  for (const kernel of ["sobel-x", "sobel-y"]) {
    for (const [mode, paddingMode] of [
      ["depthwise", "replicate"],
      ["sum", "zeros"],
      ["depthwise", "reflect"],
    ] as const) {
      it(`${kernel}, --mode ${mode}, --padding-mode ${paddingMode}: byte-identical PNG pixels and equal floats`, async () => {
        const argv = ["--kernel", kernel, "--mode", mode, "--padding-mode", paddingMode];
        const full = await image(`${kernel}-${mode}-full.png`, ...argv);
        const separable = await image(`${kernel}-${mode}-sep.png`, ...argv, "--separable");
        expect(separable.line).toContain("(separable: column then row pass)");
        expect(separable.bytes).toEqual(full.bytes);
        const opts = { mode, paddingMode };
        const a = filterImage(source, named(kernel), opts);
        const b = filterImage(source, named(kernel), { ...opts, separable: true });
        expect(Array.from(b.data)).toEqual(Array.from(a.data));
      });
    }
  }

  it("sobel-x in gray mode: separable floats within float32 rounding of the full kernel's", () => {
    const a = filterImage(source, named("sobel-x"), { mode: "gray", paddingMode: "replicate" });
    const b = filterImage(source, named("sobel-x"), { mode: "gray", paddingMode: "replicate", separable: true });
    for (const [i, v] of b.data.entries()) expect(Math.abs(v - a.data[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(a.data[i])));
  });

  it("a kernel that is not separable is refused with its residual, not run as if it were", async () => {
    const r = await run("image", inPng, "--out", join(dir, "x.png"), "--kernel", "sharpen", "--separable");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^convkit: separateKernel: the 3x3 kernel is not separable: .* differs by up to [\d.]+/);
  });
});

describe("convkit image modes and kernels", () => {
  it("a [3, kH, kW] kernel in sum mode adds each channel's own kernel: picking out R alone gives the red channel", async () => {
    const pickRed = JSON.stringify([[[1]], [[0]], [[0]]]);
    const got = await image("red.png", "--kernel", pickRed, "--mode", "sum", "--normalize", "clip");
    expect(got.colorType).toBe(0);
    expect(got.bytes).toEqual(rgb.filter((_, i) => i % 3 === 0));
  });

  it("the identity kernel in depthwise mode gives the picture back, byte for byte", async () => {
    const got = await image("identity.png", "--kernel", "[[0,0,0],[0,1,0],[0,0,0]]");
    expect(got.bytes).toEqual(rgb);
  });

  it("leaves no tensors behind, also when the kernel cannot be separated", async () => {
    await run("image", inPng, "--out", join(dir, "warm.png"), "--kernel", "blur");
    const before = memory().numTensors;
    await run("image", inPng, "--out", join(dir, "m1.png"), "--kernel", "sobel-y", "--separable", "--pool", "avg:2", "--mode", "gray");
    await run("image", inPng, "--out", join(dir, "m2.png"), "--kernel", "emboss", "--separable");
    expect(memory().numTensors).toBe(before);
  });
});

describe("convkit image reports bad input as one line on stderr with exit code 2", () => {
  const out = () => join(dir, "bad.png");
  const cases: [string, () => string[], RegExp][] = [
    ["a missing input file", () => [join(dir, "nope.png"), "--kernel", "blur", "--out", out()], /cannot read .*nope\.png: no such file/],
    ["a file that is not a PNG", () => [join(dir, "not.png"), "--kernel", "blur", "--out", out()], /not\.png is not a readable PNG/],
    [
      "an unknown kernel name",
      () => [inPng, "--kernel", "laplace", "--out", out()],
      /unknown kernel "laplace"; kernels are sobel-x, sobel-y, blur, sharpen, emboss/,
    ],
    [
      "a kernel of the wrong shape",
      () => [inPng, "--kernel", "[[[1]],[[1]]]", "--out", out()],
      /--kernel must be 2-D \[kH, kW\] or \[3, kH, kW\].*got shape \[2, 1, 1\]/,
    ],
    ["a per-channel kernel in gray mode", () => [inPng, "--kernel", "[[[1]],[[1]],[[1]]]", "--mode", "gray", "--out", out()], /needs --mode depthwise or sum/],
    ["a bad --pool", () => [inPng, "--kernel", "blur", "--pool", "min:2", "--out", out()], /--pool must be max:K or avg:K/],
    ["an unknown mode", () => [inPng, "--kernel", "blur", "--mode", "rgb", "--out", out()], /--mode must be one of depthwise, sum, gray, got "rgb"/],
    ["an unknown normalisation", () => [inPng, "--kernel", "blur", "--normalize", "log", "--out", out()], /--normalize must be one of auto, abs, clip, minmax/],
    ["no --out", () => [inPng, "--kernel", "blur"], /--out <out.png> is required/],
    ["a pool larger than the image", () => [inPng, "--kernel", "blur", "--pool", "max:9", "--out", out()], /^convkit: maxPool2d: /],
  ];
  beforeAll(() => writeFileSync(join(dir, "not.png"), "hello"));
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await run("image", ...argv());
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err.split("\n")).toHaveLength(1);
      expect(r.err).toMatch(message);
    });
  }
});
