import type { Tensor } from "@convkit/core";
import { runChain } from "./containers.js";
import { ConvNd } from "./conv.js";
import type { ConvCost } from "./count.js";
import { Module } from "./module.js";

/**
 * Base of the composite convolutions: named stages run in order (convolutions and shape-keeping
 * rearrangements such as a channel shuffle), with the output size and multiply-accumulates of the
 * whole chain summed stage by stage at each stage's own input size.
 */
export abstract class ConvChain extends Module<[Tensor], Tensor> implements ConvCost {
  readonly #stages: Module<[Tensor], Tensor>[] = [];

  /** Registers `module` as the next stage under `name` and returns it. */
  protected stage<M extends Module<[Tensor], Tensor>>(name: string, module: M): M {
    this.registerModule(name, module);
    this.#stages.push(module);
    return module;
  }

  /** Runs the stages in order, disposing each intermediate result once the next stage has consumed it. */
  forward(input: Tensor): Tensor {
    return runChain(this.#stages, input);
  }

  outputSize(inputSize: readonly number[]): number[] {
    let size = [...inputSize];
    for (const m of this.#stages) if (m instanceof ConvNd) size = m.outputSize(size);
    return size;
  }

  macs(inputSize: readonly number[], batch = 1): number {
    let size = [...inputSize];
    let total = 0;
    for (const m of this.#stages) {
      if (!(m instanceof ConvNd)) continue;
      total += m.macs(size, batch);
      size = m.outputSize(size);
    }
    return total;
  }
}
