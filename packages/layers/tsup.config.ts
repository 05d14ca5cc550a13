import { defineConfig } from "tsup";

// keepNames: Module.toString() prints `constructor.name` (PyTorch's repr), which bundling must not rename.
export default defineConfig({ entry: ["src/index.ts"], format: ["esm", "cjs"], dts: true, clean: true, sourcemap: true, target: "node20", keepNames: true });
