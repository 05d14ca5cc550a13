/**
 * Quick timing of the CPU convolution kernels on the `pnpm bench` workloads (batch 1, float32), for
 * development only: `node packages/backend-cpu/scripts/quick-bench.mjs [W1 W2 ...]` after bundling
 * (see run-quick-bench.sh). Each workload runs in its own process for clean V8 state. Prints medians.
 */
import { type ConvGeometry, type KernelTensor, resolveConv, resolveConvTranspose } from "@convkit/core";
import { CpuBackend } from "../src/cpu-backend.js";

interface Workload {
  name: string;
  transposed: boolean;
  input: number[];
  weight: number[];
  stride: number;
  pad: number;
  groups: number;
}

const WORKLOADS: Workload[] = [
  { name: "W1", transposed: false, input: [1, 64, 56, 56], weight: [64, 64, 3, 3], stride: 1, pad: 1, groups: 1 },
  { name: "W2", transposed: false, input: [1, 256, 14, 14], weight: [256, 256, 3, 3], stride: 1, pad: 1, groups: 1 },
  { name: "W3", transposed: false, input: [1, 3, 224, 224], weight: [64, 3, 7, 7], stride: 2, pad: 3, groups: 1 },
  { name: "W4", transposed: false, input: [1, 256, 56, 56], weight: [256, 1, 3, 3], stride: 1, pad: 1, groups: 256 },
  { name: "W5", transposed: false, input: [1, 64, 56, 56], weight: [256, 64, 1, 1], stride: 1, pad: 0, groups: 1 },
  { name: "W8", transposed: true, input: [1, 64, 32, 32], weight: [64, 32, 4, 4], stride: 2, pad: 1, groups: 1 },
  { name: "W9", transposed: false, input: [1, 16, 16, 32, 32], weight: [16, 16, 3, 3, 3], stride: 1, pad: 1, groups: 1 },
];

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

interface Timing {
  /** Median wall-clock ms per call. */
  wall: number;
  /** Median CPU ms per call (user + system): robust when other processes share the cores. */
  cpu: number;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
}

function run(w: Workload, rounds: number, reps: number): Timing {
  const be = new CpuBackend();
  const x: KernelTensor = { handle: be.upload(random(size(w.input), 1), w.input, "float32"), shape: w.input, dtype: "float32" };
  const wt: KernelTensor = { handle: be.upload(random(size(w.weight), 2), w.weight, "float32"), shape: w.weight, dtype: "float32" };
  // The geometry core's ops would hand the kernel.
  const options = { stride: w.stride, padding: w.pad, groups: w.groups };
  const g: ConvGeometry = (w.transposed ? resolveConvTranspose(w.input, w.weight, options) : resolveConv(w.input, w.weight, options)).geometry;
  const once = (): void => {
    const h = w.transposed ? be.convTranspose(x, wt, null, g) : be.conv(x, wt, null, g);
    be.release(h);
  };
  for (let i = 0; i < 5; i++) once();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < rounds * reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    once();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    walls.push(t1 - t0);
    cpus.push((c1.user + c1.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const names = process.argv.slice(2);
for (const w of WORKLOADS) {
  if (names.length > 0 && !names.includes(w.name)) continue;
  const t = run(w, 3, 10);
  console.log(`${w.name} wall ${t.wall.toFixed(2)} ms, cpu ${t.cpu.toFixed(2)} ms`);
}
