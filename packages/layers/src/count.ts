/** Size accounting shared by the layers: parameter counts and the cost interface conv layers implement. */
import type { Module } from "./module.js";

/** Number of learnable values in `module` and its descendants (each shared tensor once, as PyTorch's `sum(p.numel() for p in m.parameters())`). */
export function parameterCount(module: Module): number {
  let n = 0;
  for (const p of module.parameters()) n += p.size;
  return n;
}

/** What convolution layers and the composite convolutions report about a forward pass over a spatial input size. */
export interface ConvCost {
  /** Spatial output size for spatial input size `inputSize` (e.g. `[H, W]`). */
  outputSize(inputSize: readonly number[]): number[];
  /** Multiply-accumulates of one forward pass over a batch of `batch` inputs of that size. */
  macs(inputSize: readonly number[], batch?: number): number;
}
