// The portable path: TypeScript kernels only, one thread, registered as "cpu-portable".
import "../src/index.js";
import { defineConformanceSuite } from "@convkit/conformance";

defineConformanceSuite("cpu-portable");
