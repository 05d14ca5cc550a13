import { ArgumentError, Generator, type Tensor, defaultGenerator, dropout, optionsOf } from "@convkit/core";
import type { InplaceOptions } from "./activation.js";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

export interface DropoutLayerOptions extends InplaceOptions {
  /** Seed for a generator this layer owns, so its masks are reproducible (successive calls still differ). */
  seed?: number;
  /** The generator masks are drawn from (default: core's `defaultGenerator`, reseeded by `manualSeed`). */
  generator?: Generator;
}

/**
 * Like `torch.nn.Dropout(p)`: in training mode zeroes each element with probability `p` and scales the
 * rest by `1 / (1 - p)` (core's `dropout`); after `eval()` it returns its input's values unchanged. The
 * masks come from convkit's seeded generator, reproducible but not PyTorch's random stream. `inplace`
 * only shows in the repr.
 */
export class Dropout extends Module<[Tensor], Tensor> {
  readonly p: number;
  readonly inplace: boolean;
  readonly #generator: Generator;

  constructor(p = 0.5, options?: DropoutLayerOptions) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ArgumentError(`Dropout: probability p must be between 0 and 1, got ${String(p)}`);
    const o = optionsOf("Dropout", options);
    const inplace = o.inplace ?? false;
    if (typeof inplace !== "boolean") throw new ArgumentError(`Dropout: inplace must be a boolean, got ${String(inplace)}`);
    if (o.seed !== undefined && o.generator !== undefined) throw new ArgumentError("Dropout: pass either seed or generator, not both");
    if (o.seed !== undefined && (typeof o.seed !== "number" || !Number.isSafeInteger(o.seed))) throw new ArgumentError(`Dropout: seed must be an integer, got ${String(o.seed)}`);
    this.p = p;
    this.inplace = inplace;
    this.#generator = o.generator ?? (o.seed !== undefined ? new Generator(o.seed) : defaultGenerator);
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, { training: this.training, generator: this.#generator });
  }

  extraRepr(): string {
    return pyKwargs([
      ["p", this.p],
      ["inplace", this.inplace],
    ]);
  }
}
