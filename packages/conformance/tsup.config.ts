import { defineConfig } from "tsup";

// ESM only: the suite reads its fixture files relative to import.meta.url.
export default defineConfig({ entry: ["src/index.ts"], format: ["esm"], dts: true, clean: true, sourcemap: true, target: "node20", external: ["vitest"] });
