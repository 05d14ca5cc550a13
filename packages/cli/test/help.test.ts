import { describe, expect, it } from "vitest";
import { CONV_OPS } from "../src/conv-ops.js";
import { NAMED_KERNELS } from "../src/image-ops.js";
import { LAYER_KINDS } from "../src/layers.js";
import { POOL_OPS } from "../src/pool-ops.js";
import { run } from "./run.js";

describe("convkit --help", () => {
  it("--help, -h and help print the root usage with every command", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: convkit <command>/);
      for (const c of ["demo", "pool", "conv", "image", "shape", "backends"]) expect(r.out).toMatch(new RegExp(`^  ${c} `, "m"));
    }
  });

  it("every command takes --help and -h, and help <command> prints the same", async () => {
    for (const c of ["demo", "pool", "conv", "image", "shape", "backends"]) {
      const long = await run(c, "--help");
      const short = await run(c, "-h");
      const viaHelp = await run("help", c);
      expect(long.code).toBe(0);
      expect(long.out).toMatch(new RegExp(`^Usage: convkit ${c}`));
      expect(short.out).toBe(long.out);
      expect(viaHelp.out).toBe(long.out);
    }
  });

  it("pool --help documents every op, and pool <op> --help names its core function and options", async () => {
    const r = await run("pool", "--help");
    for (const op of POOL_OPS) expect(r.out).toMatch(new RegExp(`^  ${op.name} `, "m"));
    const max = await run("pool", "max2d", "--help");
    expect(max.out).toContain("maxPool2d");
    expect(max.out).toContain("--kernel-size (required)");
  });

  it("conv --help documents every op, and conv <op> --help names its core function and options", async () => {
    const r = await run("conv", "--help");
    for (const op of CONV_OPS) expect(r.out).toMatch(new RegExp(`^  ${op.name} `, "m"));
    const t = await run("conv", "conv-transpose2d", "--help");
    expect(t.out).toContain("convTranspose2d");
    expect(t.out).toContain("--output-padding");
    expect(t.out).not.toContain("--padding-mode");
  });

  it("image --help documents every named kernel", async () => {
    const r = await run("image", "--help");
    for (const name of Object.keys(NAMED_KERNELS)) expect(r.out).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  it("shape --help documents every layer kind", async () => {
    const r = await run("shape", "--help");
    for (const k of LAYER_KINDS) expect(r.out).toContain(k.syntax);
  });
});

describe("convkit backends", () => {
  it("lists the registered cpu backend", async () => {
    const r = await run("backends");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^name\s+priority\s+status\s+active$/m);
    expect(r.out).toMatch(/^cpu\s+1\s+/m);
    const list = JSON.parse((await run("backends", "--json")).out) as { name: string }[];
    expect(list.map((b) => b.name)).toContain("cpu");
  });

  it("says which kernels the cpu backend runs (WebAssembly SIMD here) and lists the portable one", async () => {
    const r = await run("backends");
    expect(r.out).toMatch(/^cpu kernels: WebAssembly SIMD, \d+ threads?/m);
    expect(r.out).toMatch(/^cpu-portable\s+0\s+/m);
    const list = JSON.parse((await run("backends", "--json")).out) as { name: string; kernels?: { simd: boolean; threads: number } }[];
    expect(list.find((b) => b.name === "cpu")?.kernels).toMatchObject({ simd: true });
  });

  it("lists the TensorFlow.js backends with every engine and why an engine is unavailable", async () => {
    const r = await run("backends");
    expect(r.out).toMatch(/^tfjs-cpu\s+/m);
    expect(r.out).toMatch(/^tfjs engines \(best first\):$/m);
    for (const e of ["tfjs-node-gpu", "tfjs-node", "tfjs-wasm", "tfjs-cpu"]) expect(r.out).toMatch(new RegExp(`^  ${e}: `, "m"));
    const list = JSON.parse((await run("backends", "--json")).out) as { name: string; engines?: { engine: string; state: string }[] }[];
    expect(list.find((b) => b.name === "tfjs")?.engines?.map((e) => e.engine)).toEqual(["tfjs-node-gpu", "tfjs-node", "tfjs-wasm", "tfjs-cpu"]);
  });
});
