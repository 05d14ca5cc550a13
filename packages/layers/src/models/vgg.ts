/**
 * VGG (Simonyan & Zisserman 2014) with batch norm, structured and named as torchvision 0.14's `vgg11_bn`,
 * so its state dict (`features.4.running_var`, `classifier.6.weight`, ...) loads strictly.
 */
import { type Tensor, flatten } from "@convkit/core";
import { ReLU } from "../activation.js";
import { BatchNorm2d } from "../batch-norm.js";
import { Sequential, type TensorModule } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Dropout } from "../dropout.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../pooling.js";
import { consume, pipe, positiveInt, probability } from "./forward.js";

/** A torchvision VGG configuration: output channels of each 3x3 convolution, "M" for a 2x2 max pool. */
export type VggConfig = readonly (number | "M")[];

/** torchvision's `cfgs["A"]`, VGG-11. */
export const VGG11: VggConfig = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"];

/** torchvision's `make_layers`: each convolution (padding 1) followed by batch norm when asked, then ReLU. */
export function makeVggLayers(config: VggConfig, batchNorm: boolean): Sequential {
  const layers: TensorModule[] = [];
  let inChannels = 3;
  for (const v of config) {
    if (v === "M") {
      layers.push(new MaxPool2d(2, { stride: 2 }));
      continue;
    }
    layers.push(new Conv2d(inChannels, v, 3, { padding: 1 }));
    if (batchNorm) layers.push(new BatchNorm2d(v));
    layers.push(new ReLU({ inplace: true }));
    inChannels = v;
  }
  return new Sequential(...layers);
}

export interface VggOptions {
  numClasses?: number;
  /** Dropout in the classifier (default 0.5). */
  dropout?: number;
}

/** torchvision's `VGG`: the feature layers, a 7x7 adaptive average pool and a 3-layer classifier. */
export class VGG extends Module<[Tensor], Tensor> {
  readonly features: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly classifier: Sequential;

  constructor(features: Sequential, options: VggOptions = {}) {
    super();
    const numClasses = positiveInt("VGG", "numClasses", options.numClasses ?? 1000);
    const dropout = probability("VGG", "dropout", options.dropout ?? 0.5);
    this.features = this.registerModule("features", features);
    this.avgpool = this.registerModule("avgpool", new AdaptiveAvgPool2d([7, 7]));
    this.classifier = this.registerModule(
      "classifier",
      new Sequential(
        new Linear(512 * 7 * 7, 4096),
        new ReLU({ inplace: true }),
        new Dropout(dropout),
        new Linear(4096, 4096),
        new ReLU({ inplace: true }),
        new Dropout(dropout),
        new Linear(4096, numClasses),
      ),
    );
  }

  forward(x: Tensor): Tensor {
    const pooled = pipe(x, this.features, this.avgpool);
    const flat = consume(pooled, (v) => flatten(v, 1));
    return consume(flat, (v) => this.classifier.forward(v));
  }
}

/** torchvision's `vgg11_bn(weights=None)`: 132,868,840 parameters at 1000 classes, input (N, 3, 224, 224). */
export function vgg11Bn(options: VggOptions = {}): VGG {
  return new VGG(makeVggLayers(VGG11, true), options);
}
