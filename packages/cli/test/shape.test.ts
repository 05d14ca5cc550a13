import { describe, expect, it } from "vitest";
import { expectRefused, run } from "./run.js";

async function shapes(...argv: string[]): Promise<string[]> {
  const r = await run("shape", ...argv, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as { layer: string; shape: number[] }[]).map((row) => `${row.layer} ${row.shape.join("x")}`);
}

describe("convkit shape", () => {
  it("a 32x32 input through a 2x2, stride-2 max pool gives 16x16 (the tutorial's exercise)", async () => {
    const r = await run("shape", "--input", "1x1x32x32", "maxpool2d:k=2,s=2");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")).toEqual([
      "layer              output shape  params  MACs",
      "input              1x1x32x32",
      "maxpool2d:k=2,s=2  1x1x16x16     0       -",
      "total                            0       -",
    ]);
  });

  it("follows a chain of layers: maxpool2d, avgpool2d with padding, adaptive average to 1", async () => {
    expect(await shapes("--input", "1x3x32x32", "maxpool2d:k=2,s=2", "avgpool2d:k=3,s=1,p=1", "adaptiveavgpool2d:1")).toEqual([
      "input 1x3x32x32",
      "maxpool2d:k=2,s=2 1x3x16x16",
      "avgpool2d:k=3,s=1,p=1 1x3x16x16",
      "adaptiveavgpool2d:1 1x3x1x1",
    ]);
  });

  it("stride defaults to the kernel size, ceil rounds up, tuples use x, and unbatched inputs stay unbatched", async () => {
    expect(await shapes("--input", "3x5x5", "maxpool2d:2", "maxpool2d:k=2,ceil")).toEqual(["input 3x5x5", "maxpool2d:2 3x2x2", "maxpool2d:k=2,ceil 3x1x1"]);
    expect(await shapes("--input", "1x1x5x5", "maxpool2d:k=2,ceil")).toEqual(["input 1x1x5x5", "maxpool2d:k=2,ceil 1x1x3x3"]);
    expect(await shapes("--input", "1x1x8x6", "avgpool2d:k=1x2", "adaptivemaxpool2d:4xnone")).toEqual([
      "input 1x1x8x6",
      "avgpool2d:k=1x2 1x1x8x3",
      "adaptivemaxpool2d:4xnone 1x1x4x3",
    ]);
  });

  it("applies PyTorch's rule that padding is at most half the kernel, with core's message", async () => {
    const r = await run("shape", "--input", "1x1x8x8", "maxpool2d:k=3,p=2");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^convkit: maxPool2d: padding 2 must be at most half of kernelSize/);
  });

  it("adaptiveavgpool2d:100000 on a 3x3 input is refused with core's message, as adaptiveAvgPool2d refuses it", async () => {
    const r = await run("shape", "--input", "1x1x3x3", "adaptiveavgpool2d:100000");
    expectRefused(
      r,
      /^convkit: adaptiveAvgPool2d: the output plane of shape \[100000, 100000\] would hold 10000000000 elements, more than the 2147483647 a tensor can hold \(outputSize 100000, input shape \[1, 1, 3, 3\]\)$/,
    );
  });

  it("adaptivemaxpool2d:0x4 is refused with core's outputSize message", async () => {
    const r = await run("shape", "--input", "1x1x3x3", "adaptivemaxpool2d:0x4");
    expectRefused(r, /adaptiveMaxPool2d: outputSize must hold positive integers or null, got \[0, 4\] \(input shape \[1, 1, 3, 3\]\)$/);
  });

  it("adaptiveavgpool2d:10 on a 3x3 input gives 10x10: like PyTorch, an output larger than the input is allowed", async () => {
    expect(await shapes("--input", "2x3x3", "adaptiveavgpool2d:10", "adaptivemaxpool1d:5")).toEqual([
      "input 2x3x3",
      "adaptiveavgpool2d:10 2x10x10",
      "adaptivemaxpool1d:5 2x10x5",
    ]);
  });

  it("names the layer of a chain whose input is too small", async () => {
    const r = await run("shape", "--input", "1x1x4x4", "maxpool2d:k=2", "maxpool2d:k=2", "maxpool2d:k=2");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^convkit: shape: layer 3 \(maxpool2d:k=2\) on input 1x1x1x1: maxPool2d: output size/);
  });

  it("rejects unknown layer kinds, unknown arguments and inputs of the wrong rank", async () => {
    for (const [argv, message] of [
      [["--input", "1x1x8x8", "conv9d:k=2"], /unknown layer kind "conv9d"/],
      [["--input", "1x1x8x8", "maxpool2d:k=2,q=1"], /unknown argument q=/],
      [["--input", "1x1x8x8", "avgpool2d:k=2,d=2"], /unknown argument d=/],
      [["--input", "1x1x8x8", "maxpool2d:s=2"], /needs k=/],
      [["--input", "1x8", "maxpool2d:k=2"], /maxPool2d: input must be 3-D \(C, H, W\) or 4-D \(N, C, H, W\), got 2-D input of shape \[1, 8\]/],
      [["--input", "1xax8", "maxpool2d:k=2"], /--input must be positive integers joined by x/],
    ] as const) {
      const r = await run("shape", ...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
