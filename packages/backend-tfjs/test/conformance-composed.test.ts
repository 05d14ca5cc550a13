/**
 * The whole suite on tfjs-cpu with every engine-dependent composition switched on, as if tfjs-cpu had every
 * defect the start-up probe looks for. Engines here need only some of them; this keeps the others (the
 * paths a native engine may take: pre-padding instead of explicit pads, NaN fixes, 3-D workarounds, the
 * tap-by-tap average pooling) correct too.
 */
import { defineConformanceSuite } from "@convkit/conformance";
import { registerBackend } from "@convkit/core";
import { type EngineCaps, TfjsBackend, createTfjsBackend } from "../src/index.js";

const EVERY_DEFECT: EngineCaps = {
  maxPoolNaN: { 2: false, 3: false },
  maxPool3d: false,
  avgPoolNaN: { 2: "other", 3: "other" },
  maximumNaN: false,
  minimumNaN: false,
  reduceNaN: false,
  reluNaN: false,
  relu6NaN: false,
  clipNaN: false,
  explicitPads: { maxPool: false, conv2d: false, depthwise: false, conv2dTranspose: false },
  sign: false,
  conv3dTranspose: false,
};

registerBackend("tfjs-cpu-composed", async () => {
  await createTfjsBackend("tfjs-cpu"); // initialises the engine
  return new TfjsBackend("tfjs-cpu-composed", "tfjs-cpu", EVERY_DEFECT);
});

defineConformanceSuite("tfjs-cpu-composed");
