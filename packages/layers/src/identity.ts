import type { Tensor } from "@convkit/core";
import { Module } from "./module.js";

/** Like `torch.nn.Identity`: returns its input itself (not a copy). */
export class Identity extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return input;
  }
}
