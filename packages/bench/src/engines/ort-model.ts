/** A whole-model workload on onnxruntime-node: torch.onnx.export of the same network and weights. */
import type * as Ort from "onnxruntime-node";
import type { WorkloadData } from "../data.js";
import { missingModelFile, modelFile } from "../model-files.js";
import type { Workload } from "../workloads.js";
import { type PrepareResult, unavailable } from "./types.js";

/** The graph input and output names tools/models/export_torchvision.py gives torch.onnx.export. */
const INPUT = "input";
const OUTPUT = "logits";

export async function prepareOrtModel(ort: typeof Ort, threads: number, w: Workload, data: WorkloadData): Promise<PrepareResult> {
  const name = w.model as string;
  const missing = missingModelFile(name, "onnx");
  if (missing) return unavailable(missing);
  const session = await ort.InferenceSession.create(modelFile(name, "onnx"), {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const feeds = { [INPUT]: new ort.Tensor("float32", data.input, w.inputShape) };
  const expected = w.outputShape.join();
  return {
    ok: true,
    run: {
      run: async () => {
        const out = await session.run(feeds);
        out[OUTPUT].dispose();
      },
      read: async () => {
        const out = await session.run(feeds);
        const y = out[OUTPUT];
        try {
          if (y.dims.join() !== expected) throw new Error(`onnxruntime output shape [${y.dims}], expected [${expected}]`);
          return Float32Array.from(y.data as Float32Array);
        } finally {
          y.dispose();
        }
      },
      dispose: () => session.release(),
    },
  };
}
