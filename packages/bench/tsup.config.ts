import { defineConfig } from "tsup";

// The bench runs convkit from its workspace sources: @convkit/* is bundled through the "@convkit/source"
// export condition (so no build of core/backends is needed first), while tfjs and onnxruntime-node stay
// external (tfjs-backend-wasm finds its .wasm files next to its own dist; onnxruntime-node is native).
export default defineConfig({
  entry: ["src/bench.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  splitting: false,
  clean: true,
  dts: false,
  noExternal: [/^@convkit\//],
  esbuildOptions(options) {
    options.conditions = ["@convkit/source"];
  },
});
