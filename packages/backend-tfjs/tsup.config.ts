import { defineConfig } from "tsup";

// shims: the CommonJS build needs import.meta.url for createRequire (loading the optional native engines).
export default defineConfig({ entry: ["src/index.ts"], format: ["esm", "cjs"], dts: true, clean: true, sourcemap: true, target: "node20", shims: true });
