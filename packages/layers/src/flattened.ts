import { type Size2, optionsOf } from "@convkit/core";
import { type CompositeConvOptions, axisStages } from "./composite-options.js";
import { Conv2d } from "./conv.js";
import { ConvChain } from "./conv-chain.js";

/**
 * Flattened convolution (Jin et al., 2014; the tutorial's 5.7): each 3-D filter `C x Y x X` is the
 * outer product of three 1-D filters, one across channels, one vertical, one horizontal, run as
 * three convolutions in that order:
 * - `channel`: 1x1, inChannels -> outChannels (filter o's channel vector, C weights);
 * - `vertical`: `Y x 1` depthwise (groups = outChannels; Y weights per filter), with the vertical
 *   stride, padding and dilation;
 * - `horizontal`: `1 x X` depthwise (X weights per filter), with the horizontal ones, and the bias.
 *
 * So a filter has C + Y + X weights instead of C * Y * X, and at stride 1 with size-preserving
 * padding an M x N output costs M * N * (C + Y + X) multiply-accumulates per filter instead of
 * M * N * C * Y * X (the tutorial's formulas). The result is exactly the dense convolution with
 * `W[o, c, y, x] = channel[o, c] * vertical[o, y] * horizontal[o, x]`, with zero padding or any
 * paddingMode (the 1x1 stage commutes with padding); the bias sits on the last stage only, since an
 * earlier one would leak into the zero-padded border.
 */
export class FlattenedConv2d extends ConvChain {
  readonly channel: Conv2d;
  readonly vertical: Conv2d;
  readonly horizontal: Conv2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts?: CompositeConvOptions) {
    super();
    const options = optionsOf("FlattenedConv2d", opts);
    const [v, h] = axisStages("FlattenedConv2d", kernelSize, options);
    const { bias, paddingMode, generator } = options;
    this.channel = this.stage("channel", new Conv2d(inChannels, outChannels, 1, { bias: false, generator }));
    this.vertical = this.stage(
      "vertical",
      new Conv2d(outChannels, outChannels, v.kernelSize, { ...v, groups: outChannels, bias: false, paddingMode, generator }),
    );
    this.horizontal = this.stage("horizontal", new Conv2d(outChannels, outChannels, h.kernelSize, { ...h, groups: outChannels, bias, paddingMode, generator }));
  }
}
