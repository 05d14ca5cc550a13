#!/usr/bin/env node
/**
 * CI check on the built package (dist/): a process that ran convolutions on the worker threads exits
 * by itself, with no shutdown call (the workers are unref'd). Run under `timeout`: a leaked worker
 * keeps the process alive and fails the step.
 */
import { conv2d, setBackend, tensor } from "@convkit/core";
import { cpuKernelPath, setNumThreads } from "../dist/index.js";

setNumThreads(2);
await setBackend("cpu");
const x = tensor(new Float32Array(64 * 56 * 56).fill(0.5), [1, 64, 56, 56]);
const w = tensor(new Float32Array(64 * 64 * 9).fill(0.25), [64, 64, 3, 3]);
for (let i = 0; i < 200 && cpuKernelPath().workersReady < 1; i++) {
  conv2d(x, w, { padding: 1 }).dispose();
  await new Promise((r) => setTimeout(r, 10));
}
const y = conv2d(x, w, { padding: 1 });
const path = cpuKernelPath();
const center = y.dataSync()[56 * 28 + 28];
if (!path.simd || path.workersReady < 1 || center !== 64 * 9 * 0.125) {
  console.error("exit-check: unexpected state", path, center);
  process.exit(1);
}
console.log(`exit-check: conv2d on ${path.threads} threads (${path.workersReady} worker ready); exiting without shutdown`);
