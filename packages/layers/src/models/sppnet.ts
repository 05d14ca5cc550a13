/** An SPP-net classifier (He et al. 2014), convkit's definition (torch twin in tools/models/modellib.py). */
import type { Tensor } from "@convkit/core";
import { ReLU } from "../activation.js";
import { BatchNorm2d } from "../batch-norm.js";
import { Sequential, type TensorModule } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Dropout } from "../dropout.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { MaxPool2d } from "../pooling.js";
import { SpatialPyramidPooling } from "../spp.js";
import { consume, pipe, positiveInt, positiveInts, probability } from "./forward.js";

export interface SPPNetOptions {
  /** Default 3. */
  inChannels?: number;
  /** Default 10. */
  numClasses?: number;
  /** Output channels of the backbone's 3x3 convolutions, a 2x2 max pool between consecutive ones (default [32, 64, 128]). */
  widths?: readonly number[];
  /** Pyramid levels, bins per side (default [1, 2, 4]: 21 bins per channel). */
  levels?: readonly number[];
  /** Units of the hidden linear layer (default 256). */
  hidden?: number;
  /** Dropout before the last linear layer (default 0.5). */
  dropout?: number;
}

/**
 * A convolutional backbone (3x3 convolution, batch norm, ReLU; 2x2 max pools in between), then spatial
 * pyramid pooling, which turns a feature map of any height and width into `channels * sum(n^2)` values,
 * then a fixed-size classifier. Input `(N, inChannels, H, W)` with H and W at least 2^(widths - 1);
 * output `(N, numClasses)` whatever the size.
 */
export class SPPNet extends Module<[Tensor], Tensor> {
  readonly features: Sequential;
  readonly spp: SpatialPyramidPooling;
  readonly classifier: Sequential;

  constructor(options: SPPNetOptions = {}) {
    super();
    const inChannels = positiveInt("SPPNet", "inChannels", options.inChannels ?? 3);
    const numClasses = positiveInt("SPPNet", "numClasses", options.numClasses ?? 10);
    const widths = positiveInts("SPPNet", "widths", options.widths ?? [32, 64, 128], null);
    const levels = positiveInts("SPPNet", "levels", options.levels ?? [1, 2, 4], null);
    const hidden = positiveInt("SPPNet", "hidden", options.hidden ?? 256);
    const dropout = probability("SPPNet", "dropout", options.dropout ?? 0.5);
    const layers: TensorModule[] = [];
    let cin = inChannels;
    widths.forEach((w, i) => {
      if (i > 0) layers.push(new MaxPool2d(2));
      layers.push(new Conv2d(cin, w, 3, { padding: 1, bias: false }), new BatchNorm2d(w), new ReLU({ inplace: true }));
      cin = w;
    });
    this.features = this.registerModule("features", new Sequential(...layers));
    this.spp = this.registerModule("spp", new SpatialPyramidPooling(levels));
    const features = cin * this.spp.binsPerChannel;
    this.classifier = this.registerModule(
      "classifier",
      new Sequential(new Linear(features, hidden), new ReLU({ inplace: true }), new Dropout(dropout), new Linear(hidden, numClasses)),
    );
  }

  forward(x: Tensor): Tensor {
    const pooled = pipe(x, this.features, this.spp);
    return consume(pooled, (v) => this.classifier.forward(v));
  }
}
