/** A small U-Net (Ronneberger et al. 2015), convkit's definition (torch twin in tools/models/modellib.py). */
import { ShapeError, type Tensor, cat } from "@convkit/core";
import { ReLU } from "../activation.js";
import { BatchNorm2d } from "../batch-norm.js";
import { ModuleList, Sequential } from "../containers.js";
import { Conv2d, ConvTranspose2d } from "../conv.js";
import { Module } from "../module.js";
import { MaxPool2d } from "../pooling.js";
import { consume, positiveInt } from "./forward.js";

/** Two 3x3 convolutions (padding 1, so the size is kept), each with batch norm and ReLU. */
export class DoubleConv extends Sequential {
  constructor(inChannels: number, outChannels: number) {
    super(
      new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false }),
      new BatchNorm2d(outChannels),
      new ReLU({ inplace: true }),
      new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false }),
      new BatchNorm2d(outChannels),
      new ReLU({ inplace: true }),
    );
  }
}

export interface UNetOptions {
  /** Default 3. */
  inChannels?: number;
  /** Output channels: one score map per class (default 2). */
  numClasses?: number;
  /** Channels of the first level; each level down doubles them (default 16). */
  base?: number;
  /** Number of 2x down-samplings (default 4); height and width must be multiples of 2^depth. */
  depth?: number;
}

/**
 * U-Net: an encoder of DoubleConv blocks each followed by 2x2 max pooling, a bottleneck DoubleConv, and a
 * decoder that up-samples with 2x2 stride-2 transposed convolutions, concatenates the encoder's output of
 * the same size (skip connection: `cat([skip, upsampled], 1)`) and applies a DoubleConv; a 1x1
 * convolution gives the per-pixel class scores. Same-padded convolutions keep sizes aligned, so the
 * output has the input's height and width: `(N, numClasses, H, W)`.
 */
export class UNet extends Module<[Tensor], Tensor> {
  readonly depth: number;
  readonly encoders: ModuleList<DoubleConv>;
  readonly pool: MaxPool2d;
  readonly bottleneck: DoubleConv;
  readonly upsamplers: ModuleList<ConvTranspose2d>;
  readonly decoders: ModuleList<DoubleConv>;
  readonly head: Conv2d;

  constructor(options: UNetOptions = {}) {
    super();
    const inChannels = positiveInt("UNet", "inChannels", options.inChannels ?? 3);
    const numClasses = positiveInt("UNet", "numClasses", options.numClasses ?? 2);
    const base = positiveInt("UNet", "base", options.base ?? 16);
    const depth = positiveInt("UNet", "depth", options.depth ?? 4);
    this.depth = depth;
    const widths = Array.from({ length: depth + 1 }, (_, i) => base * 2 ** i);
    const levels = Array.from({ length: depth }, (_, i) => i);
    const upward = [...levels].reverse();
    this.encoders = this.registerModule("encoders", new ModuleList(levels.map((i) => new DoubleConv(i === 0 ? inChannels : widths[i - 1], widths[i]))));
    this.pool = this.registerModule("pool", new MaxPool2d(2));
    this.bottleneck = this.registerModule("bottleneck", new DoubleConv(widths[depth - 1], widths[depth]));
    this.upsamplers = this.registerModule("upsamplers", new ModuleList(upward.map((i) => new ConvTranspose2d(widths[i + 1], widths[i], 2, { stride: 2 }))));
    this.decoders = this.registerModule("decoders", new ModuleList(upward.map((i) => new DoubleConv(2 * widths[i], widths[i]))));
    this.head = this.registerModule("head", new Conv2d(base, numClasses, 1));
  }

  forward(x: Tensor): Tensor {
    const shape = x?.shape;
    const multiple = 2 ** this.depth;
    if (Array.isArray(shape) && shape.length >= 2 && shape.slice(-2).some((d) => d % multiple !== 0)) {
      throw new ShapeError(
        `UNet: input height and width must be multiples of 2^depth = ${multiple} (depth ${this.depth}), so each skip connection meets an up-sampled map of its size; got input shape [${shape.join(", ")}]`,
      );
    }
    const skips: Tensor[] = [];
    let y = x;
    for (const encoder of this.encoders) {
      const e = encoder.forward(y);
      if (y !== x) y.dispose();
      skips.push(e);
      y = this.pool.forward(e);
    }
    y = consume(y, (v) => this.bottleneck.forward(v));
    [...this.upsamplers].forEach((up, i) => {
      const skip = skips[this.depth - 1 - i];
      const upsampled = consume(y, (v) => up.forward(v));
      const joined = cat([skip, upsampled], 1);
      skip.dispose();
      upsampled.dispose();
      y = consume(joined, (v) => this.decoders.at(i).forward(v));
    });
    return consume(y, (v) => this.head.forward(v));
  }
}
