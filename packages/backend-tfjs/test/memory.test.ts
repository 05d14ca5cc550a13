import * as tf from "@tensorflow/tfjs-core";
import { allCases } from "@convkit/conformance";
import { conv2d, maxPool2d, relu, setBackend, tensor, tidy } from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";

/** Kernel names tfjs runs inside `fn` (tf.profile records every kernel call). */
async function kernelsRun(fn: () => unknown): Promise<string[]> {
  const info = await tf.profile(() => {
    fn();
    return [] as tf.Tensor[];
  });
  return info.kernels.map((k) => k.name);
}

for (const engine of ["tfjs-cpu", "tfjs-wasm"]) {
  describe(`${engine}: tfjs memory`, () => {
    it("tf.memory().numTensors returns to its baseline after every conformance case (every op the suite covers)", async () => {
      await setBackend(engine);
      const leaks: string[] = [];
      for (const c of allCases()) {
        const before = tf.memory().numTensors;
        const outs = tidy(() => c.run());
        for (const t of outs) {
          t.dataSync();
          t.dispose();
        }
        const after = tf.memory().numTensors;
        if (after !== before) leaks.push(`${c.id}: ${after - before} tfjs tensors`);
      }
      expect(leaks).toEqual([]);
    });

    it("conv2d -> relu -> maxPool2d keeps data channels-last: no Transpose runs between the ops once the weight is cached", async () => {
      await setBackend(engine);
      const x = tensor(Float32Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i)), [2, 3, 8, 8]);
      const w = tensor(Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), [4, 3, 3, 3]);
      const chain = () => tidy(() => maxPool2d(relu(conv2d(conv2d(x, w, { padding: 1 }), tensor(Float32Array.from({ length: 4 * 4 * 1 * 1 }, (_, i) => i / 7), [4, 4, 1, 1]))), 2));
      const first = chain();
      first.dispose();
      const kernels = await kernelsRun(() => chain().dispose());
      expect(kernels).toContain("Conv2D");
      // The 1x1 weight is a new tensor each call: its one permute is the only Transpose.
      expect(kernels.filter((k) => k === "Transpose")).toHaveLength(1);
      x.dispose();
      w.dispose();
    });

    it("a conv weight is permuted to tfjs's filter layout once and reused, and released with the weight", async () => {
      await setBackend(engine);
      const x = tensor(Float32Array.from({ length: 1 * 2 * 5 * 5 }, (_, i) => i), [1, 2, 5, 5]);
      const w = tensor(Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => i % 5), [3, 2, 3, 3]);
      conv2d(x, w).dispose();
      const base = tf.memory().numTensors;
      const kernels = await kernelsRun(() => conv2d(x, w).dispose());
      expect(kernels).not.toContain("Transpose");
      expect(tf.memory().numTensors).toBe(base);
      const before = tf.memory().numTensors;
      w.dispose();
      x.dispose();
      expect(tf.memory().numTensors).toBeLessThan(before - 2);
    });
  });
}
