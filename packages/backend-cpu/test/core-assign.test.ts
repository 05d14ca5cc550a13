/** Tensor.assign: replacing a tensor's values in place, as layers and state-dict loading need. */
import { ArgumentError, BackendError, ShapeError, getBackend, memory, registerBackend, setBackend, tensor } from "@convkit/core";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/index.js";

describe("t.assign(source) replaces t's values and keeps the object", () => {
  it("returns t itself, now holding source's values; source stays independently usable", () => {
    const t = tensor([1, 2, 3, 4], [2, 2]);
    const s = tensor([5, 6, 7, 8], [2, 2]);
    expect(t.assign(s)).toBe(t);
    expect(t.arraySync()).toEqual([
      [5, 6],
      [7, 8],
    ]);
    s.dispose();
    expect(t.arraySync()).toEqual([
      [5, 6],
      [7, 8],
    ]);
    t.dispose();
  });

  it("keeps memory().numTensors unchanged and releases the old storage", () => {
    const before = memory();
    const t = tensor(new Float32Array(1000));
    const s = tensor(new Float32Array(1000).fill(1));
    t.assign(s);
    s.dispose();
    expect(memory().numTensors).toBe(before.numTensors + 1);
    expect(memory().numBytes).toBe(before.numBytes + 4000);
    t.dispose();
    expect(memory()).toEqual(before);
  });

  it("assigning a tensor to itself changes nothing; int32 tensors assign like float32 ones", () => {
    const t = tensor(3, [], "int32");
    t.assign(t);
    expect(t.dataSync()).toEqual(new Int32Array([3]));
    const s = tensor(7, [], "int32");
    t.assign(s);
    s.dispose();
    expect(t.arraySync()).toBe(7);
    t.dispose();
  });

  it("rejects a different shape (ShapeError) or dtype (ArgumentError), leaving t unchanged", () => {
    const t = tensor([1, 2, 3]);
    const wide = tensor([1, 2, 3, 4]);
    const ints = tensor(new Int32Array([1, 2, 3]));
    expect(() => t.assign(wide)).toThrow(new ShapeError("assign (target shape [3], float32): source shape [4] must equal the target shape"));
    expect(() => t.assign(ints)).toThrow(new ArgumentError("assign (target shape [3], float32): source dtype int32 must equal the target dtype"));
    expect(() => t.assign([1, 2, 3] as never)).toThrow(/assign \(target shape \[3\], float32\): source must be a Tensor, got \[1, 2, 3\]/);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    for (const x of [t, wide, ints]) x.dispose();
  });

  it("rejects a disposed target or source with a BackendError", () => {
    const t = tensor([1]);
    const s = tensor([2]);
    s.dispose();
    expect(() => t.assign(s)).toThrow(BackendError);
    expect(() => t.assign(s)).toThrow(/the source tensor of shape \[1\] was disposed/);
    t.dispose();
    const u = tensor([3]);
    expect(() => t.assign(u)).toThrow(/the target tensor was disposed/);
    u.dispose();
  });

  it("copies the values over from a tensor on another backend, keeping t on its own", async () => {
    const original = getBackend();
    const t = tensor([1, 2]);
    registerBackend("cpu-assign-other", () => new CpuBackend("cpu-assign-other"));
    await setBackend("cpu-assign-other");
    const s = tensor([9, 8]);
    await setBackend(original);
    t.assign(s);
    s.dispose();
    expect(t.backend).toBe(original);
    expect(Array.from(t.dataSync())).toEqual([9, 8]);
    t.dispose();
  });
});
