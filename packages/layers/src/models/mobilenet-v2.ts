/**
 * MobileNetV2 (Sandler et al. 2018), structured and named as torchvision 0.14's `mobilenet_v2` (width 1.0),
 * so its state dict (`features.2.conv.1.0.weight`, `classifier.1.bias`, ...) loads strictly.
 */
import { ArgumentError, type Tensor, adaptiveAvgPool2d, add, flatten } from "@convkit/core";
import { BatchNorm2d } from "../batch-norm.js";
import { Sequential, type TensorModule } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Dropout } from "../dropout.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { Conv2dNormActivation } from "./conv-norm-activation.js";
import { consume, positiveInt, probability } from "./forward.js";

/**
 * torchvision's mobilenetv2 `InvertedResidual`: a 1x1 expansion (skipped when the ratio is 1), a 3x3
 * depthwise convolution, both with ReLU6, and a linear 1x1 projection; the input is added back when the
 * stride is 1 and the channel count is unchanged.
 */
export class InvertedResidual extends Module<[Tensor], Tensor> {
  readonly stride: number;
  readonly useResConnect: boolean;
  readonly outChannels: number;
  readonly conv: Sequential;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    if (stride !== 1 && stride !== 2) throw new ArgumentError(`InvertedResidual: stride must be 1 or 2, got ${stride}`);
    this.stride = stride;
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: TensorModule[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hidden, { kernelSize: 1, activation: "relu6" }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, { stride, groups: hidden, activation: "relu6" }),
      new Conv2d(hidden, oup, 1, { bias: false }),
      new BatchNorm2d(oup),
    );
    this.conv = this.registerModule("conv", new Sequential(...layers));
    this.outChannels = oup;
  }

  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResConnect ? consume(y, (v) => add(x, v)) : y;
  }
}

/** torchvision's `_make_divisible`: `v` rounded to a multiple of `divisor`, never more than 10% below. */
function makeDivisible(v: number, divisor: number): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** [expansion t, channels c, repeats n, first stride s] per stage, as in the paper's Table 2. */
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options {
  numClasses?: number;
  /** Scales every layer's channel count (rounded to multiples of 8, as torchvision does). Default 1. */
  widthMult?: number;
  /** Dropout before the classifier's linear layer (default 0.2). */
  dropout?: number;
}

/** torchvision's `MobileNetV2`. */
export class MobileNetV2 extends Module<[Tensor], Tensor> {
  readonly lastChannel: number;
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const numClasses = positiveInt("MobileNetV2", "numClasses", options.numClasses ?? 1000);
    const widthMult = options.widthMult ?? 1;
    if (typeof widthMult !== "number" || !(widthMult > 0) || !Number.isFinite(widthMult)) {
      throw new ArgumentError(`MobileNetV2: widthMult must be a positive number, got ${String(widthMult)}`);
    }
    const dropout = probability("MobileNetV2", "dropout", options.dropout ?? 0.2);
    let inputChannel = makeDivisible(32 * widthMult, 8);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), 8);
    const features: TensorModule[] = [new Conv2dNormActivation(3, inputChannel, { stride: 2, activation: "relu6" })];
    for (const [t, c, n, s] of SETTINGS) {
      const outputChannel = makeDivisible(c * widthMult, 8);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, activation: "relu6" }));
    this.features = this.registerModule("features", new Sequential(...features));
    this.classifier = this.registerModule("classifier", new Sequential(new Dropout(dropout), new Linear(this.lastChannel, numClasses)));
  }

  forward(x: Tensor): Tensor {
    const f = this.features.forward(x);
    const pooled = consume(f, (v) => adaptiveAvgPool2d(v, [1, 1]));
    const flat = consume(pooled, (p) => flatten(p, 1));
    return consume(flat, (v) => this.classifier.forward(v));
  }
}

/** torchvision's `mobilenet_v2(weights=None)`: 3,504,872 parameters at 1000 classes, input (N, 3, 224, 224). */
export function mobilenetV2(options: MobileNetV2Options = {}): MobileNetV2 {
  return new MobileNetV2(options);
}
