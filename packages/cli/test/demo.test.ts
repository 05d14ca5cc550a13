/**
 * `convkit demo` against the tutorial (section 3). Expected windows and values are typed from the
 * tutorial text (its window lists, e.g. "max(0, 1, 3, 4)") and from the issue (example 3's full
 * outputs); printed tensors are in PyTorch's repr as torch 1.13 prints them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { run } from "./run.js";

let sections: string[] = [];

/** The part of an example's section for one pooling kind. */
function part(example: number, kind: "max" | "average"): string {
  const s = sections[example];
  const avgAt = s.indexOf("average pooling:");
  return kind === "max" ? s.slice(s.indexOf("max pooling:"), avgAt < 0 ? undefined : avgAt) : s.slice(avgAt);
}

beforeAll(async () => {
  const r = await run("demo");
  expect(r.code).toBe(0);
  expect(r.err).toBe("");
  sections = r.out.split("== Example ");
});

describe("convkit demo", () => {
  it("runs the tutorial's four examples", () => {
    expect(sections).toHaveLength(5);
    expect(sections.slice(1).map((s) => s.slice(0, 1))).toEqual(["1", "2", "3", "4"]);
  });

  it("example 1 (kernel 2, stride 1): max(0, 1, 3, 4) = 4 ... and mean(0, 1, 3, 4) = 2 ...", () => {
    for (const w of ["max(0, 1, 3, 4) = 4", "max(1, 2, 4, 5) = 5", "max(3, 4, 6, 7) = 7", "max(4, 5, 7, 8) = 8"]) expect(part(1, "max")).toContain(w);
    for (const w of ["mean(0, 1, 3, 4) = 2", "mean(1, 2, 4, 5) = 3", "mean(3, 4, 6, 7) = 5", "mean(4, 5, 7, 8) = 6"]) expect(part(1, "average")).toContain(w);
    expect(part(1, "max")).toContain("tensor([[[[4., 5.],\n          [7., 8.]]]])");
  });

  it("example 2 (stride 2): max(0, 1, 4, 5) = 5 ... and mean(0, 1, 4, 5) = 2.5 ...", () => {
    for (const w of ["max(0, 1, 4, 5) = 5", "max(2, 3, 6, 7) = 7", "max(8, 9, 12, 13) = 13", "max(10, 11, 14, 15) = 15"]) expect(part(2, "max")).toContain(w);
    for (const w of ["mean(0, 1, 4, 5) = 2.5", "mean(2, 3, 6, 7) = 4.5", "mean(8, 9, 12, 13) = 10.5", "mean(10, 11, 14, 15) = 12.5"]) {
      expect(part(2, "average")).toContain(w);
    }
    expect(sections[2]).toContain("tensor([[[[ 0.,  1.,  2.,  3.],");
  });

  it("example 3 (padding 1): max pooling gives [[0,1,2,2],[3,4,5,5],[6,7,8,8],[6,7,8,8]] and lists pads as -inf", () => {
    const max = part(3, "max");
    expect(max).toContain("tensor([[[[0., 1., 2., 2.],\n          [3., 4., 5., 5.],\n          [6., 7., 8., 8.],\n          [6., 7., 8., 8.]]]])");
    // The tutorial's max(0, 0, 0, 0), max(0, 0, 0, 1), max(0, 0, 1, 2), max(0, 0, 2, 0), with PyTorch's -inf pads.
    for (const w of ["max(-inf, -inf, -inf, 0) = 0", "max(-inf, -inf, 0, 1) = 1", "max(-inf, -inf, 1, 2) = 2", "max(-inf, -inf, 2, -inf) = 2"]) expect(max).toContain(w);
    expect(max).toMatch(/tutorial pictures zero padding/);
    expect(max).toMatch(/pads with -inf/);
  });

  it("example 3 (padding 1): average pooling counts the zero pads, mean(0, 0, 0, 1) = 0.25, as in the tutorial", () => {
    const avg = part(3, "average");
    expect(avg).toContain(
      "tensor([[[[0.0000, 0.2500, 0.7500, 0.5000],\n          [0.7500, 2.0000, 3.0000, 1.7500],\n          [2.2500, 5.0000, 6.0000, 3.2500],\n          [1.5000, 3.2500, 3.7500, 2.0000]]]])",
    );
    for (const w of ["mean(0, 0, 0, 0) = 0", "mean(0, 0, 0, 1) = 0.25", "mean(0, 0, 1, 2) = 0.75", "mean(0, 0, 2, 0) = 0.5"]) expect(avg).toContain(w);
    expect(avg).toMatch(/count_include_pad=True/);
  });

  it("example 4 (3 channels): each channel is pooled separately and the channel count is kept", () => {
    const max = part(4, "max");
    expect(sections[4]).toContain("input, shape [1, 3, 3, 3]");
    expect(max).toContain("shape [1, 3, 2, 2]");
    expect(max).toContain(
      "tensor([[[[ 4.,  5.],\n          [ 7.,  8.]],\n\n         [[50., 60.],\n          [80., 90.]],\n\n         [[55., 66.],\n          [88., 99.]]]])",
    );
    for (const w of ["max(0, 1, 3, 4) = 4", "max(10, 20, 40, 50) = 50", "max(50, 60, 80, 90) = 90", "max(11, 22, 44, 55) = 55", "max(55, 66, 88, 99) = 99"]) {
      expect(max).toContain(w);
    }
  });

  it("convkit demo --backend cpu runs on the named backend", async () => {
    const r = await run("demo", "--backend", "cpu");
    expect(r.code).toBe(0);
    expect(r.out).toContain('on backend "cpu"');
  });

  it.each(["tfjs", "tfjs-cpu", "tfjs-wasm"])("convkit demo --backend %s prints the same numbers as on cpu", async (backend) => {
    const onCpu = await run("demo", "--backend", "cpu");
    const r = await run("demo", "--backend", backend);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`on backend "${backend}"`);
    // Everything but the backend's name must be identical: inputs, outputs and every window listing.
    expect(r.out.replaceAll(`"${backend}"`, '"cpu"')).toBe(onCpu.out);
  });
});
