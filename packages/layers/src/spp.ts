import { ArgumentError, ShapeError, type Tensor, adaptiveAvgPool2d, adaptiveMaxPool2d, cat, optionsOf, tidy } from "@convkit/core";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

export interface SpatialPyramidPoolingOptions {
  /** Pool each bin by its maximum (default) or its mean. */
  mode?: "max" | "avg";
}

/**
 * Spatial pyramid pooling (He et al., 2014): pools the feature map into n x n bins for each pyramid
 * level n, flattens each level to `(N, C * n * n)` and concatenates them along dim 1. Any input size
 * gives the same `(N, C * sum(n^2))` vector, so a fixed-size classifier can follow. Equals PyTorch's
 * `torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)`. An unbatched `(C, H, W)`
 * input is pooled as a batch of one and gives `(C * sum(n^2))`.
 */
export class SpatialPyramidPooling extends Module<[Tensor], Tensor> {
  readonly levels: readonly number[];
  readonly mode: "max" | "avg";

  constructor(levels: readonly number[], options?: SpatialPyramidPoolingOptions) {
    super();
    if (!Array.isArray(levels) || levels.length === 0 || levels.some((n) => typeof n !== "number" || !Number.isInteger(n) || n < 1)) {
      throw new ArgumentError(`SpatialPyramidPooling: levels must be a non-empty array of positive integers (bins per side), got ${JSON.stringify(levels)}`);
    }
    const mode = optionsOf("SpatialPyramidPooling", options).mode ?? "max";
    if (mode !== "max" && mode !== "avg") throw new ArgumentError(`SpatialPyramidPooling: mode must be "max" or "avg", got ${JSON.stringify(mode)}`);
    this.levels = [...levels];
    this.mode = mode;
  }

  /** Output features per input channel: the sum of n^2 over the levels. */
  get binsPerChannel(): number {
    return this.levels.reduce((a, n) => a + n * n, 0);
  }

  forward(input: Tensor): Tensor {
    const rank = input?.shape?.length;
    if (rank !== 3 && rank !== 4) {
      const shape = input?.shape ? `${rank}-D input of shape [${input.shape.join(", ")}]` : String(input);
      throw new ShapeError(`SpatialPyramidPooling: input must be 3-D (C, H, W) or 4-D (N, C, H, W), got ${shape}`);
    }
    return tidy(() => {
      const x = rank === 3 ? input.reshape([1, ...input.shape]) : input;
      const [n, c] = x.shape;
      const parts = this.levels.map((level) => {
        const pooled = this.mode === "max" ? adaptiveMaxPool2d(x, level) : adaptiveAvgPool2d(x, level);
        return pooled.reshape([n, c * level * level]);
      });
      const out = cat(parts, 1);
      return rank === 3 ? out.reshape([out.shape[1]]) : out;
    });
  }

  extraRepr(): string {
    return pyKwargs([
      ["levels", this.levels],
      ["mode", this.mode],
    ]);
  }
}
