/**
 * `convkit shape` with conv layers. Shapes, parameter counts and multiply-accumulates are PyTorch's
 * (test/fixtures/cli.json: the nn layers applied to the input; sum(p.numel()); MACs counted by torch
 * as the layer's all-ones convolution, see tools/fixtures/generate_cli.py).
 */
import { describe, expect, it } from "vitest";
import { FIXTURES } from "./fixtures.js";
import { run } from "./run.js";

interface Row {
  layer: string;
  shape: number[];
  params: number;
  macs: number | null;
}

async function rows(...argv: string[]): Promise<Row[]> {
  const r = await run("shape", ...argv, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

describe("convkit shape with conv layers matches PyTorch's shapes, parameter counts and MACs", () => {
  for (const c of FIXTURES.shape) {
    it(`${c.input.join("x")} through ${c.rows.map((r) => r.layer).join(" ")} (${c.id})`, async () => {
      const got = await rows("--input", c.input.join("x"), ...c.rows.map((r) => r.layer));
      expect(got).toEqual([{ layer: "input", shape: c.input, params: 0, macs: null }, ...c.rows]);
    });
  }
});

describe("convkit shape table", () => {
  it("prints params and MACs per layer and their totals, pooling as 0 and -", async () => {
    const c = FIXTURES.shape.find((s) => s.id === "conv2d-chain");
    if (!c) throw new Error("missing fixture");
    const [conv, , depthwise, , pool] = c.rows;
    const r = await run("shape", "--input", "1x3x32x32", conv.layer, depthwise.layer.replace("g=32", "g=16"), pool.layer);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^layer\s+output shape\s+params\s+MACs$/);
    expect(lines[2]).toMatch(new RegExp(`^conv2d:16,k=3,p=1\\s+1x16x32x32\\s+${conv.params}\\s+${(conv.macs ?? 0).toLocaleString("en-US")}$`));
    expect(lines[4]).toMatch(/^maxpool2d:k=2\s+1x32x16x16\s+0\s+-$/);
    expect(lines[5]).toMatch(/^total\s+\d/);
  });

  it("tracks channels: a depthwise layer needs groups equal to the channels the previous layer produced", async () => {
    const ok = await rows("--input", "1x3x8x8", "conv2d:12,k=1", "conv2d:12,k=3,p=1,g=12");
    expect(ok.map((r) => r.shape)).toEqual([
      [1, 3, 8, 8],
      [1, 12, 8, 8],
      [1, 12, 8, 8],
    ]);
    const bad = await run("shape", "--input", "1x3x8x8", "conv2d:12,k=1", "conv2d:12,k=3,p=1,g=8");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^convkit: shape: layer 2 \(conv2d:12,k=3,p=1,g=8\) on input 1x12x8x8: conv2d: inChannels \(12\) must be divisible by groups \(8\)/);
  });
});

describe("convkit shape rejects conv layers PyTorch rejects, as one line with exit code 2", () => {
  for (const [argv, message] of [
    [["--input", "1x3x8x8", "conv2d:8,k=3,s=2,p=same"], /conv2d: padding "same" needs stride 1 in every dim \(as in PyTorch\), got stride \[2, 2\]/],
    [
      ["--input", "1x4x8x8", "convtranspose2d:4,k=3,s=2,op=2"],
      /convTranspose2d: outputPadding \[2, 2\] must be smaller than either stride \[2, 2\] or dilation \[1, 1\]/,
    ],
    [["--input", "1x1x4x4", "conv2d:1,k=5"], /conv2d: kernel size \[5, 5\] \(dilation \[1, 1\], effective \[5, 5\]\) is larger than the padded input \[4, 4\]/],
    [["--input", "1x1x4x4", "conv2d:1,k=3x3x3"], /conv2d: kernelSize must be an integer or a tuple of 2 integers, got \[3, 3, 3\]/],
    [["--input", "1x1x4x4", "conv2d:k=3"], /needs its out channels first/],
    [["--input", "1x1x4x4", "conv2d:0,k=3"], /o \(out channels\) must be a positive integer, got "0"/],
    [["--input", "1x1x4x4", "conv2d:1,k=3,g=0"], /g \(groups\) must be a positive integer, got "0"/],
    [["--input", "1x1x4x4", "conv2d:1,k=3,op=1"], /unknown argument op= in layer "conv2d:1,k=3,op=1"/],
    [["--input", "1x1x4x4", "convtranspose2d:1,k=3,p=same"], /p must be an integer or integers joined by x/],
    [["--input", "1x4x4", "conv3d:1,k=1"], /conv3d: input must be 4-D \(C, D, H, W\) or 5-D \(N, C, D, H, W\), got 3-D input of shape \[1, 4, 4\]/],
  ] as const) {
    it(argv.slice(1).join(" "), async () => {
      const r = await run("shape", ...argv);
      expect(r.code).toBe(2);
      expect(r.err.split("\n")).toHaveLength(1);
      expect(r.err).toMatch(message);
    });
  }
});
