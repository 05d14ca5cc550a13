import "../src/index.js";
import { defineConformanceSuite } from "@convkit/conformance";

defineConformanceSuite("tfjs-cpu");
