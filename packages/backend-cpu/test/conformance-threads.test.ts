// The SIMD path with every multi-task job split across worker threads (threshold 0, 3 threads: more
// than CI's cores), so the suite's small problems run the threaded code, not only the calling thread.
import { defineConformanceSuite } from "@convkit/conformance";
import { beforeAll, describe, expect, it } from "vitest";
import { cpuKernelPath, setNumThreads, setParallelThreshold } from "../src/index.js";
import { wasmRuntime } from "../src/simd/runtime.js";

setParallelThreshold(0);
setNumThreads(3);
const rt = wasmRuntime();
if (rt === null) throw new Error("WebAssembly SIMD is unavailable in this Node");

beforeAll(async () => {
  for (let i = 0; i < 600 && cpuKernelPath().workersReady < 2; i++) await new Promise((r) => setTimeout(r, 50));
});

describe("worker threads", () => {
  it("cpuKernelPath() reports SIMD on 3 threads with both workers ready", () => {
    expect(cpuKernelPath()).toMatchObject({ simd: true, threads: 3, sharedMemory: true, workersReady: 2 });
  });
});

defineConformanceSuite("cpu");

describe("worker threads after the suite", () => {
  it("ran part of the suite's tasks on the worker threads", () => {
    expect(rt.workerTasks).toBeGreaterThan(100);
  });
});
