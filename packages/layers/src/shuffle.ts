/** Channel and pixel rearrangement layers mirroring `torch.nn.ChannelShuffle`, `PixelShuffle`, `PixelUnshuffle`. */
import { type Tensor, channelShuffle, pixelShuffle, pixelUnshuffle } from "@convkit/core";
import { Module } from "./module.js";
import { pyKwargs } from "./repr.js";

/**
 * Like `torch.nn.ChannelShuffle`: splits the channels of `(N, C, *)` into `groups` groups and
 * interleaves them (ShuffleNet's shuffle), so the next grouped convolution sees every group.
 */
export class ChannelShuffle extends Module<[Tensor], Tensor> {
  readonly groups: number;

  constructor(groups: number) {
    super();
    this.groups = groups;
  }

  forward(input: Tensor): Tensor {
    return channelShuffle(input, this.groups);
  }

  extraRepr(): string {
    return pyKwargs([["groups", this.groups]]);
  }
}

/** Like `torch.nn.PixelShuffle`: `(*, C * r², H, W)` to `(*, C, H * r, W * r)`. */
export class PixelShuffle extends Module<[Tensor], Tensor> {
  readonly upscaleFactor: number;

  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = upscaleFactor;
  }

  forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }

  extraRepr(): string {
    return pyKwargs([["upscale_factor", this.upscaleFactor]]);
  }
}

/** Like `torch.nn.PixelUnshuffle`: `(*, C, H * r, W * r)` to `(*, C * r², H, W)`. */
export class PixelUnshuffle extends Module<[Tensor], Tensor> {
  readonly downscaleFactor: number;

  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = downscaleFactor;
  }

  forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }

  extraRepr(): string {
    return pyKwargs([["downscale_factor", this.downscaleFactor]]);
  }
}
