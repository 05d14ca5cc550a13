/** Sliding-block layers mirroring `torch.nn.Unfold` (im2col) and `torch.nn.Fold` (col2im). */
import { type FoldOptions, type Size2, type Tensor, fold, optionsOf, unfold } from "@convkit/core";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

/**
 * Like `torch.nn.Unfold`: `(N, C, H, W)` to `(N, C * kH * kW, L)`, one column per block position.
 * Sizes are kept as given (an int or a pair), as torch keeps and prints them.
 */
export class Unfold extends Module<[Tensor], Tensor> {
  readonly kernelSize: Size2;
  readonly dilation: Size2;
  readonly padding: Size2;
  readonly stride: Size2;

  constructor(kernelSize: Size2, opts?: FoldOptions) {
    super();
    const options = optionsOf("Unfold", opts);
    this.kernelSize = kernelSize;
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }

  forward(input: Tensor): Tensor {
    return unfold(input, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  extraRepr(): string {
    return pyKwargs([
      ["kernel_size", this.kernelSize],
      ["dilation", this.dilation],
      ["padding", this.padding],
      ["stride", this.stride],
    ]);
  }
}

/** Like `torch.nn.Fold`: sums `(N, C * kH * kW, L)` blocks back into `(N, C, outputSize[0], outputSize[1])`. */
export class Fold extends Module<[Tensor], Tensor> {
  readonly outputSize: Size2;
  readonly kernelSize: Size2;
  readonly dilation: Size2;
  readonly padding: Size2;
  readonly stride: Size2;

  constructor(outputSize: Size2, kernelSize: Size2, opts?: FoldOptions) {
    super();
    const options = optionsOf("Fold", opts);
    this.outputSize = outputSize;
    this.kernelSize = kernelSize;
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }

  forward(input: Tensor): Tensor {
    return fold(input, this.outputSize, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  extraRepr(): string {
    return pyKwargs([
      ["output_size", this.outputSize],
      ["kernel_size", this.kernelSize],
      ["dilation", this.dilation],
      ["padding", this.padding],
      ["stride", this.stride],
    ]);
  }
}
