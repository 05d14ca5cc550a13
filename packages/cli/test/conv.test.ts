/**
 * `convkit conv`. Expected outputs are PyTorch's (test/fixtures/cli.json, tools/fixtures/generate_cli.py);
 * expected --explain lines are typed from the tutorial's inputs (its 3x3 grid, its Sobel kernel, its
 * 2x2 -> 4x4 transposed convolution) with the value after `=` taken from PyTorch's output.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memory } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { type ConvFixture, FIXTURES, type JsonTensor, fixture } from "./fixtures.js";
import { expectRefused, run } from "./run.js";

const flat = (t: JsonTensor) => JSON.stringify({ shape: t.shape, data: t.data });

/** The CLI arguments of a fixture case (tensors as {"shape", "data"} JSON). */
function argvOf(c: ConvFixture): string[] {
  return ["conv", c.op, "--input", flat(c.input), "--weight", flat(c.weight), ...(c.bias ? ["--bias", flat(c.bias)] : []), ...c.argv];
}

/** Evaluates an --explain expression (`a*b + (c*d + ...) + e (bias)`): a plain sum of products. */
function evaluate(expression: string): number {
  const plain = expression.replace(" (bias)", "").replace("0 (no input lands here)", "0").replace(/[()]/g, "");
  return plain.split(" + ").reduce((sum, term) => sum + term.split("*").reduce((p, f) => p * Number(f), 1), 0);
}

function explainLines(out: string): string[] {
  return out.split("\n").filter((l) => l.startsWith("  out["));
}

describe("convkit conv gives PyTorch's outputs", () => {
  for (const c of FIXTURES.conv) {
    it(`conv ${c.op} ${c.argv.join(" ")} (${c.id})`, async () => {
      const r = await run(...argvOf(c), "--json");
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const got = JSON.parse(r.out) as { shape: number[]; data: number[] };
      expect(got.shape).toEqual(c.output.shape);
      if (c.exact) expect(got.data).toEqual(c.output.data);
      else for (const [i, v] of got.data.entries()) expect(Math.abs(v - c.output.data[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(c.output.data[i]));
    });
  }
});

describe("convkit conv --explain", () => {
  it("writes out the tutorial's grid through its Sobel kernel with zero padding 1 and a bias, as the tutorial sums it", async () => {
    const c = fixture("conv", "tutorial-sobel-x-padding-1-bias");
    const r = await run(...argvOf(c), "--explain");
    expect(r.code).toBe(0);
    expect(r.out).toContain("conv2d(x, weight, { bias, padding: 1 }) -> shape [1, 1, 3, 3]");
    const [y00, , , , y11] = c.output.data;
    const lines = explainLines(r.out);
    expect(lines).toHaveLength(9);
    // The corner's window reaches into the zero padding: those taps are 0.
    expect(lines[0]).toBe(`  out[0, 0, 0, 0] = 0*(-1) + 0*0 + 0*1 + 0*(-2) + 0*0 + 1*2 + 0*(-1) + 3*0 + 4*1 + 0.5 (bias) = ${y00}`);
    expect(lines[4]).toBe(`  out[0, 0, 1, 1] = 0*(-1) + 1*0 + 2*1 + 3*(-2) + 4*0 + 5*2 + 6*(-1) + 7*0 + 8*1 + 0.5 (bias) = ${y11}`);
  });

  it("sums a multi-channel kernel over the input channels, one (...) per channel, then adds the bias (tutorial 5.2.2, 5.10)", async () => {
    const c = fixture("conv", "three-channels-two-kernels-bias");
    const r = await run(...argvOf(c), "--explain");
    const lines = explainLines(r.out);
    expect(lines[0]).toBe(
      `  out[0, 0, 0, 0] = (0*(-1) + 1*1 + 3*0 + 4*0) + (10*(-2) + 20*(-2) + 40*(-2) + 50*(-2)) + (11*(-1) + 22*2 + 44*2 + 55*(-1)) + 1 (bias) = ${c.output.data[0]}`,
    );
  });

  it("lists the contributions that land on each element of the tutorial's 2x2 -> 4x4 transposed convolution", async () => {
    const c = fixture("conv", "tutorial-transposed-2x2-to-4x4");
    const r = await run(...argvOf(c), "--explain");
    expect(r.code).toBe(0);
    expect(r.out).toContain("convTranspose2d(x, weight) -> shape [1, 1, 4, 4]");
    const lines = explainLines(r.out);
    expect(lines).toHaveLength(16);
    // Input [[1, 2], [3, 4]], kernel [[1, 2, 3], [4, 5, 6], [7, 8, 9]]: x[i] * w[t] lands on i + t.
    expect(lines[0]).toBe(`  out[0, 0, 0, 0] = 1*1 = ${c.output.data[0]}`);
    expect(lines[5]).toBe(`  out[0, 0, 1, 1] = 1*5 + 2*4 + 3*2 + 4*1 = ${c.output.data[5]}`);
    expect(lines[15]).toBe(`  out[0, 0, 3, 3] = 4*9 = ${c.output.data[15]}`);
  });

  it("shows the values a reflect padding put in the padded taps", async () => {
    const c = fixture("conv", "conv1d-reflect-explained");
    const r = await run(...argvOf(c), "--explain");
    expect(r.code).toBe(0);
    const [y0, y1, y2] = c.output.data;
    // reflect pads [1, 2, 3] to [2, 1, 2, 3, 2] (F.pad(x, (1, 1), "reflect")); the kernel is [1, 10, 100].
    expect(explainLines(r.out)).toEqual([
      `  out[0, 0] = 2*1 + 1*10 + 2*100 = ${y0}`,
      `  out[0, 1] = 1*1 + 2*10 + 3*100 = ${y1}`,
      `  out[0, 2] = 2*1 + 3*10 + 2*100 = ${y2}`,
    ]);
  });

  it("every explained sum equals the op's output, for every fixture case (taps from the geometry, value from the op)", async () => {
    for (const c of FIXTURES.conv) {
      const r = await run(...argvOf(c), "--explain");
      expect(r.code, c.id).toBe(0);
      const lines = explainLines(r.out);
      expect(lines, c.id).toHaveLength(c.output.data.length);
      lines.forEach((line, i) => {
        const [, expression, value] = line.split(" = ");
        expect(Number(value), `${c.id}: ${line}`).toBeCloseTo(c.output.data[i], 4);
        expect(evaluate(expression), `${c.id}: ${line}`).toBeCloseTo(c.output.data[i], 3);
      });
    }
  });

  it("says so when no input lands on an output element (output padding past the last contribution)", async () => {
    const c = fixture("conv", "transposed1d-output-padding-bias-explained");
    const r = await run(...argvOf(c), "--explain");
    expect(r.code).toBe(0);
    const [y0, y1, y2, y3] = c.output.data;
    // Input [1, 2], kernel [1], stride 2: x[i] lands on 2i only; outputPadding 1 adds position 3.
    expect(explainLines(r.out)).toEqual([
      `  out[0, 0] = 1*1 + 0.5 (bias) = ${y0}`,
      `  out[0, 1] = 0 (no input lands here) + 0.5 (bias) = ${y1}`,
      `  out[0, 2] = 2*1 + 0.5 (bias) = ${y2}`,
      `  out[0, 3] = 0 (no input lands here) + 0.5 (bias) = ${y3}`,
    ]);
  });
});

describe("convkit conv reads its tensors", () => {
  it("--weight @file and --bias @file are read like --input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convkit-cli-"));
    writeFileSync(join(dir, "w.json"), "[[[[1, 1], [1, 1]]]]");
    writeFileSync(join(dir, "b.json"), "[100]");
    const r = await run("conv", "conv2d", "-i", "[[[0,1,2],[3,4,5],[6,7,8]]]", "-w", `@${join(dir, "w.json")}`, "-b", `@${join(dir, "b.json")}`, "--json");
    // 2x2 window sums of the grid (8, 12, 20, 24) plus the bias.
    expect(JSON.parse(r.out)).toEqual({ shape: [1, 2, 2], data: [108, 112, 120, 124] });
  });

  it("leaves no tensors behind, also when the op fails", async () => {
    const grid = "[[[0,1,2],[3,4,5],[6,7,8]]]";
    await run("conv", "conv2d", "-i", grid, "-w", "[[[[1]]]]"); // warm-up: backend initialised
    const before = memory().numTensors;
    await run("conv", "conv2d", "-i", grid, "-w", "[[[[1,2],[3,4]]]]", "-b", "[1]", "-p", "1", "--padding-mode", "circular", "--explain");
    await run("conv", "conv-transpose2d", "-i", grid, "-w", "[[[[1,2],[3,4]]]]", "--explain");
    await run("conv", "conv2d", "-i", grid, "-w", "[[[[1,2],[3,4]]]]", "-g", "2");
    await run("conv", "conv2d", "-i", grid, "-w", "[[[1,2],[3]]]");
    expect(memory().numTensors).toBe(before);
  });
});

describe("convkit conv reports bad input as one line on stderr with exit code 2", () => {
  const x = "[[[[0,1,2],[3,4,5],[6,7,8]]]]";
  const w = "[[[[1,0],[0,1]]]]";
  const cases: [string, string[], RegExp][] = [
    [
      "a weight of the wrong rank",
      ["conv", "conv2d", "-i", x, "-w", "[[[1,0],[0,1]]]"],
      /^convkit: conv2d: weight must be 4-D \[Cout, Cin \/ groups, kH, kW\], got 3-D weight/,
    ],
    [
      "a weight whose channels do not match the input's",
      ["conv", "conv2d", "-i", x, "-w", "[[[[1]],[[1]]]]"],
      /conv2d: weight of shape \[1, 2, 1, 1\] with groups=1 expects 2 input channels .* got input of shape \[1, 1, 3, 3\] with 1 channels/,
    ],
    [
      "groups that do not divide the channels",
      ["conv", "conv2d", "-i", "[[[[1]],[[2]],[[3]]]]", "-w", "[[[[1]]],[[[1]]],[[[1]]]]", "-g", "2"],
      /conv2d: groups=2 must divide the weight's output channels/,
    ],
    ["a bias of the wrong length", ["conv", "conv2d", "-i", x, "-w", w, "-b", "[1, 2]"], /conv2d: bias must be 1-D with 1 elements/],
    ["padding same with stride 2", ["conv", "conv2d", "-i", x, "-w", w, "-p", "same", "-s", "2"], /conv2d: padding "same" needs stride 1/],
    [
      "a kernel larger than the padded input",
      ["conv", "conv1d", "-i", "[[1, 2]]", "-w", "[[[1, 1, 1]]]"],
      /conv1d: kernel size \[3\] .* is larger than the padded input \[2\]/,
    ],
    [
      "output padding not below stride or dilation",
      ["conv", "conv-transpose2d", "-i", x, "-w", w, "--output-padding", "1"],
      /convTranspose2d: outputPadding \[1, 1\] must be smaller than either stride/,
    ],
    ["padding same on a transposed conv", ["conv", "conv-transpose2d", "-i", x, "-w", w, "-p", "same"], /--padding same applies to convolutions only/],
    [
      "a padding mode on a transposed conv",
      ["conv", "conv-transpose2d", "-i", x, "-w", w, "--padding-mode", "reflect"],
      /--padding-mode does not apply to conv-transpose2d/,
    ],
    ["output padding on a conv", ["conv", "conv2d", "-i", x, "-w", w, "--output-padding", "1"], /--output-padding does not apply to conv2d/],
    [
      "an unknown padding mode",
      ["conv", "conv2d", "-i", x, "-w", w, "--padding-mode", "mirror"],
      /--padding-mode must be one of zeros, reflect, replicate, circular, got "mirror"/,
    ],
    ["a missing weight", ["conv", "conv2d", "-i", x], /conv conv2d: --weight is required/],
    ["a ragged weight", ["conv", "conv2d", "-i", x, "-w", "[[[[1,0],[0]]]]"], /conv conv2d: --weight: tensor: nested arrays are ragged/],
    ["a weight that is not JSON", ["conv", "conv2d", "-i", x, "-w", "[[1,"], /--weight is not valid JSON/],
    ["a missing weight file", ["conv", "conv2d", "-i", x, "-w", "@/nonexistent/w.json"], /cannot read weight file \/nonexistent\/w.json: no such file/],
    ["an unknown op", ["conv", "conv4d", "-i", x, "-w", w], /unknown op "conv4d"; ops are conv1d, conv2d, conv3d, conv-transpose1d/],
    ["non-integer groups", ["conv", "conv2d", "-i", x, "-w", w, "-g", "1.5"], /--groups must be an integer, got "1.5"/],
    ["--explain with --json", ["conv", "conv2d", "-i", x, "-w", w, "--explain", "--json"], /--explain and --json cannot be combined/],
    [
      "--explain on an op with more products than it will print",
      ["conv", "conv2d", "-i", JSON.stringify({ shape: [1, 1, 100, 100], data: new Array(10_000).fill(0) }), "-w", JSON.stringify({ shape: [1, 1, 5, 5], data: new Array(25).fill(1) }), "--explain"],
      /--explain would list 230400 products \(limit 200000\)/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      expectRefused(await run(...argv), message);
    });
  }
});
