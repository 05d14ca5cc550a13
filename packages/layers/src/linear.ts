import { ArgumentError, type Generator, type Tensor, defaultGenerator, linear, optionsOf } from "@convkit/core";
import { uniformTensor } from "./init.js";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Draws the initial weights (default: core's `defaultGenerator`, reseeded by `manualSeed`). */
  generator?: Generator;
}

function features(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ArgumentError(`Linear: ${name} must be a non-negative integer, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

/**
 * Like `torch.nn.Linear`: `y = x @ weight^T + bias` over the last dim of an `(*, inFeatures)` input.
 * Initialised as PyTorch's `reset_parameters`: the weight by `kaiming_uniform_(a=sqrt(5))`, which is
 * uniform in ±1/sqrt(inFeatures), then the bias uniform in the same range (0 when inFeatures is 0).
 * The numbers come from convkit's seedable generator, not PyTorch's stream; load PyTorch's weights
 * with `loadStateDict` to reproduce a torch model.
 */
export class Linear extends Module<[Tensor], Tensor> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  readonly weight: Tensor;
  /** `[outFeatures]`, or null (registered as a null parameter) with `bias: false`. */
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options?: LinearOptions) {
    super();
    this.inFeatures = features("inFeatures", inFeatures);
    this.outFeatures = features("outFeatures", outFeatures);
    const o = optionsOf("Linear", options);
    if (o.bias !== undefined && typeof o.bias !== "boolean") throw new ArgumentError(`Linear: bias must be a boolean, got ${String(o.bias)}`);
    const generator = o.generator ?? defaultGenerator;
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = this.registerParameter("weight", uniformTensor([outFeatures, inFeatures], bound, generator, "Linear"));
    this.bias = this.registerParameter("bias", o.bias === false ? null : uniformTensor([outFeatures], bound, generator, "Linear"));
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return pyKwargs([
      ["in_features", this.inFeatures],
      ["out_features", this.outFeatures],
      ["bias", this.bias !== null],
    ]);
  }
}
