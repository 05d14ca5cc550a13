// The SIMD kernels over a plain (non-shared) memory: the path for environments without
// SharedArrayBuffer, where tensors stay in the JavaScript heap and are staged into linear memory.
import { registerBackend } from "@convkit/core";
import { defineConformanceSuite } from "@convkit/conformance";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { createRuntime } from "../src/simd/runtime.js";
import { SimdCpuBackend } from "../src/simd/simd-backend.js";

const rt = createRuntime(false);
registerBackend("cpu-simd-plain", () => new SimdCpuBackend("cpu-simd-plain", rt));

describe("plain-memory runtime", () => {
  it("runs on the calling thread only", () => {
    expect(rt.shared).toBe(false);
    expect(rt.numThreads).toBe(1);
  });
});

defineConformanceSuite("cpu-simd-plain");
