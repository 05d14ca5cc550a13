/** LeNet-5 (LeCun et al. 1998), convkit's definition (torch twin in tools/models/modellib.py). */
import { type Tensor, flatten } from "@convkit/core";
import { Tanh } from "../activation.js";
import { Sequential } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { AvgPool2d } from "../pooling.js";
import { consume, positiveInt } from "./forward.js";

export interface LeNet5Options {
  /** Image channels (default 1, grayscale digits). */
  inChannels?: number;
  /** Default 10. */
  numClasses?: number;
}

/**
 * LeNet-5 on 32x32 inputs, as in the paper: two 5x5 convolutions (6 and 16 maps) each followed by tanh and
 * 2x2 average-pool subsampling, then fully connected layers of 120 and 84 units with tanh, then the class
 * scores. (The paper's subsampling layers also had a learned scale and bias, and C3 a sparse connection
 * table; like most modern re-implementations this uses plain pooling and a dense convolution.)
 * 61,706 parameters at 1 channel and 10 classes; input `(N, inChannels, 32, 32)`.
 */
export class LeNet5 extends Module<[Tensor], Tensor> {
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(options: LeNet5Options = {}) {
    super();
    const inChannels = positiveInt("LeNet5", "inChannels", options.inChannels ?? 1);
    const numClasses = positiveInt("LeNet5", "numClasses", options.numClasses ?? 10);
    this.features = this.registerModule(
      "features",
      new Sequential(new Conv2d(inChannels, 6, 5), new Tanh(), new AvgPool2d(2), new Conv2d(6, 16, 5), new Tanh(), new AvgPool2d(2)),
    );
    this.classifier = this.registerModule(
      "classifier",
      new Sequential(new Linear(16 * 5 * 5, 120), new Tanh(), new Linear(120, 84), new Tanh(), new Linear(84, numClasses)),
    );
  }

  forward(x: Tensor): Tensor {
    const flat = consume(this.features.forward(x), (v) => flatten(v, 1));
    return consume(flat, (v) => this.classifier.forward(v));
  }
}
