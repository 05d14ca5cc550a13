/** A whole-model workload on a convkit backend: the @convkit/layers definition with torch's weights. */
import { readFileSync } from "node:fs";
import type * as Core from "@convkit/core";
import type { WorkloadData } from "../data.js";
import { missingModelFile, modelFile } from "../model-files.js";
import type { Workload } from "../workloads.js";
import type { ConvkitBackendEntry } from "./convkit.js";
import { type PrepareResult, unavailable } from "./types.js";

export async function prepareConvkitModel(core: typeof Core, entry: ConvkitBackendEntry, w: Workload, data: WorkloadData): Promise<PrepareResult> {
  const name = w.model as string;
  const missing = missingModelFile(name, "safetensors");
  if (missing) return unavailable(missing);
  const { loadSafetensors, models } = await import("@convkit/layers");
  await core.setBackend(entry.backend);
  // Inference: parameters that do not require grad keep forward from recording a graph.
  const model = models.createModel(name).eval().requiresGrad(false);
  const { tensors } = loadSafetensors(readFileSync(modelFile(name, "safetensors")));
  try {
    model.loadStateDict(tensors);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  const x = core.tensor(data.input, w.inputShape);
  const run = entry.awaitResult
    ? async (): Promise<void> => {
        const y = model.forward(x);
        await y.data();
        y.dispose();
      }
    : (): void => {
        model.forward(x).dispose();
      };
  return {
    ok: true,
    run: {
      run,
      read: async () => {
        const y = model.forward(x);
        try {
          if (y.shape.join() !== w.outputShape.join()) throw new Error(`convkit output shape [${y.shape}], expected [${w.outputShape}]`);
          return Float32Array.from(await y.data());
        } finally {
          y.dispose();
        }
      },
      dispose: () => {
        x.dispose();
        model.dispose();
      },
    },
  };
}
