/**
 * convkit's WebAssembly SIMD kernels. The host (src/simd/) writes a parameter block into linear memory
 * and runs tasks 0..n-1 of a job on any thread: `runTask(kernel, params, task, thread)`. Each thread
 * has its own instance over one shared memory; `thread` picks its scratch. Kernel ids mirror
 * src/simd/params.ts; backward kernels join the same dispatch.
 */
import { convPackTask, convTask } from "./conv";
import { convTransposeTask } from "./conv-transpose";
import { depthwiseTask } from "./depthwise";
import { elementwiseTask } from "./elementwise";
import { poolTask } from "./pool";

export const KERNEL_CONV = 0;
export const KERNEL_CONV_TRANSPOSE = 1;
export const KERNEL_DEPTHWISE = 2;
export const KERNEL_POOL = 3;
export const KERNEL_ELEMENTWISE = 4;
export const KERNEL_CONV_PACK = 5;

export function runTask(kernel: i32, params: usize, task: i32, thread: i32): void {
  if (kernel == KERNEL_CONV) convTask(params, task, thread);
  else if (kernel == KERNEL_CONV_TRANSPOSE) convTransposeTask(params, task, thread);
  else if (kernel == KERNEL_DEPTHWISE) depthwiseTask(params, task, thread);
  else if (kernel == KERNEL_POOL) poolTask(params, task, thread);
  else if (kernel == KERNEL_ELEMENTWISE) elementwiseTask(params, task);
  else if (kernel == KERNEL_CONV_PACK) convPackTask(params, task, thread);
}

/** Runs tasks [first, end) of one job on this thread (one host call instead of one per task). */
export function runTasks(kernel: i32, params: usize, first: i32, end: i32, thread: i32): void {
  for (let t = first; t < end; t++) runTask(kernel, params, t, thread);
}
