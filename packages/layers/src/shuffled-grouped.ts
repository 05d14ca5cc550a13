import type { Size2 } from "@convkit/core";
import type { CompositeConvOptions } from "./composite-options.js";
import { Conv2d } from "./conv.js";
import { ConvChain } from "./conv-chain.js";
import { ChannelShuffle } from "./shuffle.js";

/**
 * Shuffled grouped convolution (ShuffleNet; the tutorial's 5.9): `conv`, a grouped convolution
 * (`groups` independent convolutions over `inChannels / groups` channels each), then `shuffle`, a
 * channel shuffle with the same `groups`, so each group of the next grouped layer receives channels
 * from every group of this one instead of only its own. Weights and multiply-accumulates are those of
 * the grouped convolution, `1 / groups` of the dense layer's; the shuffle only moves data.
 */
export class ShuffledGroupedConv2d extends ConvChain {
  readonly conv: Conv2d;
  readonly shuffle: ChannelShuffle;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, groups: number, options: CompositeConvOptions = {}) {
    super();
    this.conv = this.stage("conv", new Conv2d(inChannels, outChannels, kernelSize, { ...options, groups }));
    this.shuffle = this.stage("shuffle", new ChannelShuffle(groups));
  }
}
