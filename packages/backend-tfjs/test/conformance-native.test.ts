/**
 * The conformance suite on the native engines where they load. Where they do not (no libtensorflow here),
 * a skipped test says so, with the load error in its title.
 */
import { defineConformanceSuite } from "@convkit/conformance";
import { describe, it } from "vitest";
import { tfjsEngineReport } from "../src/index.js";

for (const engine of ["tfjs-node-gpu", "tfjs-node"] as const) {
  const status = tfjsEngineReport().engines.find((e) => e.engine === engine);
  if (status && status.state !== "unavailable") {
    defineConformanceSuite(engine);
  } else {
    describe(`convkit conformance: ${engine}`, () => {
      it.skip(`did not run: ${engine} does not load here (${status?.reason ?? "unknown engine"})`, () => undefined);
    });
  }
}
