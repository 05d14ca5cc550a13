import { convTranspose2d, maxPool2d, setBackend, tensor } from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";

for (const engine of ["tfjs-cpu", "tfjs-wasm"]) {
  describe(`${engine}: empty inputs`, () => {
    it("convTranspose2d of a batch of 0 gives an empty output of the right shape", async () => {
      await setBackend(engine);
      const x = tensor(new Float32Array(0), [0, 2, 3, 3]);
      const w = tensor(new Float32Array(2 * 3 * 2 * 2).fill(1), [2, 3, 2, 2]);
      const y = convTranspose2d(x, w, { stride: 2 });
      expect(y.shape).toEqual([0, 3, 6, 6]);
      expect(y.dataSync().length).toBe(0);
      for (const t of [x, w, y]) t.dispose();
    });

    it("maxPool2d of a batch of 0 with returnIndices gives empty values and indices (tfjs-wasm's transpose divides by zero on empty tensors)", async () => {
      await setBackend(engine);
      const x = tensor(new Float32Array(0), [0, 3, 4, 4]);
      const [v, i] = maxPool2d(x, 2, { returnIndices: true });
      expect([v.shape, i.shape, i.dtype]).toEqual([[0, 3, 2, 2], [0, 3, 2, 2], "int32"]);
      expect(v.dataSync().length + i.dataSync().length).toBe(0);
      for (const t of [x, v, i]) t.dispose();
    });
  });
}
