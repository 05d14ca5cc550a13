import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@convkit/source", "module", "node", "development|production"] } },
  test: { name: "cli", include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 },
});
