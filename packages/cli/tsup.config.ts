import { defineConfig } from "tsup";

// The bin (src/cli.ts, which keeps its #!/usr/bin/env node line) needs no declarations; the library entry does.
export default defineConfig({
  entry: ["src/cli.ts", "src/index.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  target: "node20",
});
