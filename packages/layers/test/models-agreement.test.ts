/**
 * The PyTorch agreement test (the real-client test): full-size torchvision models with torch's seeded
 * weights, loaded strictly from safetensors, must reproduce torch's logits on every backend.
 *
 * The weights are too large to commit (vgg11_bn is 530 MB). Generate them with Debian's torch, then point
 * CONVKIT_MODEL_FIXTURES at the directory:
 *
 *   /usr/bin/python3 tools/models/export_torchvision.py --out /tmp/model-fixtures
 *   CONVKIT_MODEL_FIXTURES=/tmp/model-fixtures npx vitest run test/models-agreement.test.ts
 *
 * Without the variable every test here is skipped, and the describe title says why. CI (.ci/run) runs it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import "@convkit/backend-cpu";
import "@convkit/backend-tfjs";
import { type Tensor, memory, noGrad, setBackend } from "@convkit/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Module, models } from "../src/index.js";
import { AGREEMENT, expectAllClose, loadWeights, readTensors } from "./model-helpers.js";

const DIR = process.env.CONVKIT_MODEL_FIXTURES ?? "";
const TORCHVISION_MODELS = models.MODELS.filter((m) => m.source === "torchvision").map((m) => m.name);
const BACKENDS = ["cpu", "tfjs-wasm"];

const title = DIR
  ? `torchvision models with torch's weights from ${DIR} reproduce torch's logits`
  : "torchvision models reproduce torch's logits (skipped: set CONVKIT_MODEL_FIXTURES to a directory written by tools/models/export_torchvision.py)";

describe.skipIf(!DIR)(title, () => {
  test("the fixture directory holds every model's weights and torch's input and logits", () => {
    const missing = TORCHVISION_MODELS.flatMap((name) => [`${name}.safetensors`, `${name}.io.safetensors`]).filter((f) => !existsSync(join(DIR, f)));
    expect(missing, `missing from ${DIR}: run tools/models/export_torchvision.py --out ${DIR}`).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")) as { torchvision: string };
    expect(manifest.torchvision).toMatch(/^0\.14\./);
  });

  describe.each(BACKENDS)("on %s", (backend) => {
    describe.each(TORCHVISION_MODELS)("%s", (name) => {
      let model: Module<[Tensor], Tensor> | null = null;
      let io: Record<string, Tensor> = {};
      beforeAll(async () => {
        await setBackend(backend);
        io = readTensors(join(DIR, `${name}.io.safetensors`));
      });
      afterAll(() => {
        model?.dispose();
        for (const t of Object.values(io)) t.dispose();
      });

      test("loads torch's state dict strictly (every key, torch's shapes, I64 num_batches_tracked)", () => {
        model = models.createModel(name).eval();
        loadWeights(model, join(DIR, `${name}.safetensors`));
      });

      test("matches torch's logits for torch's seeded input (rtol 1e-4, atol 1e-4)", () => {
        expect(model, "the model did not load").not.toBeNull();
        const m = model as Module<[Tensor], Tensor>;
        const before = memory().numTensors;
        const logits = noGrad(() => m.forward(io.input));
        try {
          expectAllClose(logits, io.logits, AGREEMENT, `${name} on ${backend}`);
        } finally {
          logits.dispose();
        }
        expect(memory().numTensors, "tensors left by forward").toBe(before);
      });
    });
  });
});
