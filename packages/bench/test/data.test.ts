import { describe, expect, it } from "vitest";
import { kernelAxesFirst, permute, toChannelsFirst, toChannelsLast, workloadData } from "../src/data.js";
import { WORKLOADS } from "../src/workloads.js";

describe("layout conversion for channels-last engines", () => {
  it("toChannelsLast turns (1, 2, 2, 3) NCHW into NHWC", () => {
    // x[0, c, h, w] = 100c + 10h + w
    const nchw = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    expect(Array.from(toChannelsLast(nchw, [1, 2, 2, 3]))).toEqual([0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112]);
  });

  it("toChannelsFirst undoes toChannelsLast for a 3-d (NCDHW) shape", () => {
    const shape = [1, 3, 2, 4, 5];
    const x = Float32Array.from({ length: 120 }, (_, i) => i);
    expect(Array.from(toChannelsFirst(toChannelsLast(x, shape), [1, 2, 4, 5, 3]))).toEqual(Array.from(x));
  });

  it("kernelAxesFirst turns a PyTorch (Cout, Cin, kh, kw) weight into HWIO", () => {
    // w[o, i, kh, kw] = 1000o + 100i + 10kh + kw with Cout 2, Cin 1, 2x1 kernel
    const oihw = Float32Array.from([0, 10, 1000, 1010]);
    // HWIO [kh, kw, i, o]: (0,0,0,0)=0, (0,0,0,1)=1000, (1,0,0,0)=10, (1,0,0,1)=1010
    expect(Array.from(kernelAxesFirst(oihw, [2, 1, 2, 1]))).toEqual([0, 1000, 10, 1010]);
  });

  it("permute rejects a permutation whose length differs from the shape's", () => {
    expect(() => permute(new Float32Array(4), [2, 2], [0])).toThrow(/disagree/);
  });
});

describe("workloadData", () => {
  it("regenerates identical data for the same workload, as child processes rely on", () => {
    const w = WORKLOADS.find((x) => x.id === "W8");
    if (!w) throw new Error("W8 missing");
    const a = workloadData(w);
    const b = workloadData(w);
    const same = (x: Float32Array | undefined, y: Float32Array | undefined): boolean => !!x && !!y && x.length === y.length && x.every((v, i) => v === y[i]);
    expect(same(a.input, b.input)).toBe(true);
    expect(same(a.weight, b.weight)).toBe(true);
    expect(a.weight?.length).toBe(64 * 32 * 4 * 4);
    expect(a.input.length).toBe(64 * 32 * 32);
  });

  it("keeps weights within PyTorch's default init bound 1/sqrt(fan-in)", () => {
    const w = WORKLOADS.find((x) => x.id === "W1");
    if (!w) throw new Error("W1 missing");
    const bound = 1 / Math.sqrt(64 * 9);
    const weight = workloadData(w).weight ?? new Float32Array();
    expect(Math.max(...weight.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...weight.map(Math.abs))).toBeGreaterThan(0.9 * bound);
  });
});
