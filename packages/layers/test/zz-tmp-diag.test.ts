import { readFileSync } from "node:fs";
import "@convkit/backend-cpu";
import { type Tensor } from "@convkit/core";
import { test } from "vitest";
import { Adam, AdamW, SGD, crossEntropy, models } from "../src/index.js";
import { loadWeights, readTensors } from "./model-helpers.js";
const DIR = new URL("./fixtures/train/", import.meta.url);
const path = (f: string) => new URL(f, DIR).pathname;
const manifest = JSON.parse(readFileSync(path("train.json"), "utf8"));
test("diag", () => {
  const fx = manifest.models.lenet5;
  for (const v of fx.variants) {
    const model = new models.LeNet5({ numClasses: 4 });
    loadWeights(model, path(fx.init));
    const b = readTensors(path(fx.batches)); const e = readTensors(path(v.expected));
    const C = v.optimizer === "SGD" ? SGD : v.optimizer === "Adam" ? Adam : AdamW;
    const opt = new (C as any)(model.parameters(), v.options);
    let worstRel = 0, worstAbs = 0, lossRel = 0;
    for (let k = 0; k < fx.steps; k++) {
      opt.zeroGrad();
      const l = crossEntropy(model.forward(b[`input${k}`]), b[`target${k}`]);
      lossRel = Math.max(lossRel, Math.abs(l.dataSync()[0] - v.losses[k]) / v.losses[k]);
      l.backward(); opt.step();
      for (const [n, p] of model.namedParameters()) {
        const a = (p as Tensor).dataSync(), x = e[`step${k+1}.${n}`].dataSync();
        for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i]-x[i]); worstAbs = Math.max(worstAbs, d); if (Math.abs(x[i]) > 1e-3) worstRel = Math.max(worstRel, d/Math.abs(x[i])); }
      }
    }
    console.log(v.id, "loss rel", lossRel.toExponential(2), "max abs", worstAbs.toExponential(2), "max rel(|x|>1e-3)", worstRel.toExponential(2));
  }
});
