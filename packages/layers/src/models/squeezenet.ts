/**
 * SqueezeNet 1.1 (Iandola et al. 2016), structured and named as torchvision 0.14's `squeezenet1_1`, so its
 * state dict (`features.3.squeeze.weight`, `classifier.1.bias`, ...) loads strictly.
 */
import { type Tensor, cat, flatten } from "@convkit/core";
import { ReLU } from "../activation.js";
import { Sequential } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Dropout } from "../dropout.js";
import { Module } from "../module.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../pooling.js";
import { consume, disposeAll, pipe, positiveInt, probability } from "./forward.js";

/** torchvision's `Fire`: a 1x1 squeeze, then 1x1 and 3x3 expansions side by side, concatenated. */
export class Fire extends Module<[Tensor], Tensor> {
  readonly inplanes: number;
  readonly squeeze: Conv2d;
  readonly squeezeActivation: ReLU;
  readonly expand1x1: Conv2d;
  readonly expand1x1Activation: ReLU;
  readonly expand3x3: Conv2d;
  readonly expand3x3Activation: ReLU;

  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = this.registerModule("squeeze", new Conv2d(inplanes, squeezePlanes, 1));
    this.squeezeActivation = this.registerModule("squeeze_activation", new ReLU({ inplace: true }));
    this.expand1x1 = this.registerModule("expand1x1", new Conv2d(squeezePlanes, expand1x1Planes, 1));
    this.expand1x1Activation = this.registerModule("expand1x1_activation", new ReLU({ inplace: true }));
    this.expand3x3 = this.registerModule("expand3x3", new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 }));
    this.expand3x3Activation = this.registerModule("expand3x3_activation", new ReLU({ inplace: true }));
  }

  forward(x: Tensor): Tensor {
    const s = pipe(x, this.squeeze, this.squeezeActivation);
    const parts = [pipe(s, this.expand1x1, this.expand1x1Activation), pipe(s, this.expand3x3, this.expand3x3Activation)];
    s.dispose();
    const out = cat(parts, 1);
    disposeAll(parts);
    return out;
  }
}

export interface SqueezeNetOptions {
  numClasses?: number;
  /** Dropout before the final convolution (default 0.5). */
  dropout?: number;
}

/** torchvision's `SqueezeNet(version="1_1")`: the classifier is a 1x1 convolution, ReLU and global average. */
export class SqueezeNet extends Module<[Tensor], Tensor> {
  readonly numClasses: number;
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(options: SqueezeNetOptions = {}) {
    super();
    this.numClasses = positiveInt("SqueezeNet", "numClasses", options.numClasses ?? 1000);
    const dropout = probability("SqueezeNet", "dropout", options.dropout ?? 0.5);
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2, ceilMode: true });
    this.features = this.registerModule(
      "features",
      new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }),
        new ReLU({ inplace: true }),
        pool(),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        pool(),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        pool(),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      ),
    );
    this.classifier = this.registerModule(
      "classifier",
      new Sequential(new Dropout(dropout), new Conv2d(512, this.numClasses, 1), new ReLU({ inplace: true }), new AdaptiveAvgPool2d([1, 1])),
    );
  }

  forward(x: Tensor): Tensor {
    const y = pipe(x, this.features, this.classifier);
    return consume(y, (v) => flatten(v, 1));
  }
}

/** torchvision's `squeezenet1_1(weights=None)`: 1,235,496 parameters at 1000 classes, input (N, 3, 224, 224). */
export function squeezenet1_1(options: SqueezeNetOptions = {}): SqueezeNet {
  return new SqueezeNet(options);
}
