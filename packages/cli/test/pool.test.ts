/** `convkit pool`: expected values were checked against torch 1.13 (F.max_pool2d, F.avg_pool2d, ...). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memory } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { run } from "./run.js";

const GRID = "[[[[0,1,2],[3,4,5],[6,7,8]]]]";

async function json(...argv: string[]): Promise<{ shape: number[]; data: (number | string)[]; indices?: number[] }> {
  const r = await run(...argv, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

describe("convkit pool", () => {
  it("pool max2d --json prints {shape, data} of the tutorial's example 1", async () => {
    expect(await json("pool", "max2d", "--input", GRID, "--kernel-size", "2", "--stride", "1")).toEqual({ shape: [1, 1, 2, 2], data: [4, 5, 7, 8] });
  });

  it("pool max2d --return-indices --json adds the flat argmax indices", async () => {
    expect(await json("pool", "max2d", "-i", GRID, "-k", "2", "-s", "1", "--return-indices")).toEqual({ shape: [1, 1, 2, 2], data: [4, 5, 7, 8], indices: [4, 5, 7, 8] });
  });

  it("pool avg2d --count-include-pad=false averages over real inputs only", async () => {
    const r = await json("pool", "avg2d", "-i", GRID, "-k", "2", "-s", "1", "-p", "1", "--count-include-pad=false");
    expect(r.data).toEqual([0, 0.5, 1.5, 2, 1.5, 2, 3, 3.5, 4.5, 5, 6, 6.5, 6, 6.5, 7.5, 8]);
    const explained = await run("pool", "avg2d", "-i", GRID, "-k", "2", "-s", "1", "-p", "1", "--count-include-pad=false", "--explain");
    expect(explained.out).toContain("out[0, 0, 0, 1] = mean(0, 1) = 0.5");
  });

  it("pool avg2d --divisor-override 3 lists sum(...) / 3", async () => {
    const r = await run("pool", "avg2d", "-i", GRID, "-k", "2", "-s", "1", "-p", "1", "--divisor-override", "3", "--explain");
    expect(r.code).toBe(0);
    expect(r.out).toContain("out[0, 0, 1, 1] = sum(0, 1, 3, 4) / 3 = 2.66667");
  });

  it("tuples are written 1,2: pool avg2d -k 1,2 on 3x3 gives shape [1, 1, 3, 1]", async () => {
    expect((await json("pool", "avg2d", "-i", GRID, "-k", "1,2")).shape).toEqual([1, 1, 3, 1]);
  });

  it("pool adaptive-avg2d --output-size 2,none keeps the width (PyTorch's None) and explains its windows", async () => {
    const r = await run("pool", "adaptive-avg2d", "-i", GRID, "--output-size", "2,none", "--explain");
    expect(r.code).toBe(0);
    expect(r.out).toContain("shape [1, 1, 2, 3]");
    expect(r.out).toContain("out[0, 0, 0, 0] = mean(0, 3) = 1.5");
    expect(r.out).toContain("out[0, 0, 1, 2] = mean(5, 8) = 6.5");
  });

  it("pool lp2d --norm-type 2 explains each window as lp2(...)", async () => {
    const r = await run("pool", "lp2d", "-i", GRID, "--norm-type", "2", "-k", "2", "-s", "1", "--explain");
    expect(r.code).toBe(0);
    expect(r.out).toContain("out[0, 0, 0, 0] = lp2(0, 1, 3, 4) = 5.09902");
  });

  it("--json writes non-finite values as strings, and --input takes them as strings", async () => {
    expect(await json("pool", "max1d", "-i", '[[1, "-Infinity", "NaN"]]', "-k", "1")).toEqual({ shape: [1, 3], data: [1, "-Infinity", "NaN"] });
  });

  it("--input {shape, data} and --input @file are read like nested arrays", async () => {
    const flat = JSON.stringify({ shape: [1, 3, 3], data: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
    expect(await json("pool", "max2d", "-i", flat, "-k", "2", "-s", "1")).toEqual({ shape: [1, 2, 2], data: [4, 5, 7, 8] });
    const file = join(mkdtempSync(join(tmpdir(), "convkit-cli-")), "x.json");
    writeFileSync(file, GRID);
    expect(await json("pool", "max2d", "-i", `@${file}`, "-k", "2", "-s", "1")).toEqual({ shape: [1, 1, 2, 2], data: [4, 5, 7, 8] });
  });

  it("leaves no tensors behind, also when the op fails", async () => {
    await run("pool", "max2d", "-i", GRID, "-k", "2"); // warm-up: backend initialised
    const before = memory().numTensors;
    await run("pool", "max2d", "-i", GRID, "-k", "2", "-s", "1", "--return-indices", "--explain");
    await run("pool", "max2d", "-i", GRID, "-k", "5");
    expect(memory().numTensors).toBe(before);
  });
});
