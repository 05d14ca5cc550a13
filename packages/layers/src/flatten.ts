import { type Tensor, flatten } from "@convkit/core";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

/**
 * Like `torch.nn.Flatten`: merges dims `startDim..endDim` (negative counts from the end) into one,
 * as a reshape of the same data (core's `flatten`; a 0-d input becomes shape [1] as in PyTorch).
 */
export class Flatten extends Module<[Tensor], Tensor> {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  extraRepr(): string {
    return pyKwargs([
      ["start_dim", this.startDim],
      ["end_dim", this.endDim],
    ]);
  }
}
