/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2014), structured and named as torchvision 0.14's
 * `googlenet(weights=None, aux_logits=False)` (transform_input False), so its state dict
 * (`inception4a.branch2.1.conv.weight`, `conv1.bn.running_mean`, ...) loads strictly. Its max pools use
 * ceil mode, as torchvision's do. The auxiliary classifiers are not built: torchvision only runs them in
 * training mode, and without them (`aux_logits=False`) its state dict has no `aux1.*` / `aux2.*` keys.
 */
import { type Size2, type Tensor, cat, flatten, relu } from "@convkit/core";
import { BatchNorm2d } from "../batch-norm.js";
import { Sequential } from "../containers.js";
import { Conv2d, type ConvLayerOptions } from "../conv.js";
import { Dropout } from "../dropout.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../pooling.js";
import { consume, disposeAll, pipe, positiveInt, probability } from "./forward.js";

/** torchvision's googlenet `BasicConv2d`: a bias-free convolution, batch norm with eps 0.001, then ReLU (functional, not a module). */
export class BasicConv2d extends Module<[Tensor], Tensor> {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Omit<ConvLayerOptions<Size2>, "bias"> = {}) {
    super();
    this.conv = this.registerModule("conv", new Conv2d(inChannels, outChannels, kernelSize, { ...options, bias: false }));
    this.bn = this.registerModule("bn", new BatchNorm2d(outChannels, { eps: 0.001 }));
  }

  forward(x: Tensor): Tensor {
    return consume(pipe(x, this.conv, this.bn), relu);
  }
}

/**
 * torchvision's `Inception` block: four branches side by side, concatenated along channels: a 1x1
 * convolution; 1x1 then 3x3; 1x1 then another 3x3 (torchvision's known substitute for the paper's 5x5);
 * and a 3x3 stride-1 ceil-mode max pool then 1x1.
 */
export class Inception extends Module<[Tensor], Tensor> {
  readonly branch1: BasicConv2d;
  readonly branch2: Sequential;
  readonly branch3: Sequential;
  readonly branch4: Sequential;

  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = this.registerModule("branch1", new BasicConv2d(inChannels, ch1x1, 1));
    this.branch2 = this.registerModule("branch2", new Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 })));
    this.branch3 = this.registerModule("branch3", new Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 })));
    this.branch4 = this.registerModule(
      "branch4",
      new Sequential(new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1)),
    );
  }

  forward(x: Tensor): Tensor {
    const parts = [this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)];
    const out = cat(parts, 1);
    disposeAll(parts);
    return out;
  }
}

export interface GoogLeNetOptions {
  numClasses?: number;
  /** Dropout before the final linear layer (default 0.2). */
  dropout?: number;
}

/** torchvision's `GoogLeNet` with `aux_logits=False, transform_input=False`. */
export class GoogLeNet extends Module<[Tensor], Tensor> {
  readonly conv1: BasicConv2d;
  readonly maxpool1: MaxPool2d;
  readonly conv2: BasicConv2d;
  readonly conv3: BasicConv2d;
  readonly maxpool2: MaxPool2d;
  readonly inception3a: Inception;
  readonly inception3b: Inception;
  readonly maxpool3: MaxPool2d;
  readonly inception4a: Inception;
  readonly inception4b: Inception;
  readonly inception4c: Inception;
  readonly inception4d: Inception;
  readonly inception4e: Inception;
  readonly maxpool4: MaxPool2d;
  readonly inception5a: Inception;
  readonly inception5b: Inception;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly dropout: Dropout;
  readonly fc: Linear;

  constructor(options: GoogLeNetOptions = {}) {
    super();
    const numClasses = positiveInt("GoogLeNet", "numClasses", options.numClasses ?? 1000);
    const dropout = probability("GoogLeNet", "dropout", options.dropout ?? 0.2);
    const pool = (k: number): MaxPool2d => new MaxPool2d(k, { stride: 2, ceilMode: true });
    this.conv1 = this.registerModule("conv1", new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 }));
    this.maxpool1 = this.registerModule("maxpool1", pool(3));
    this.conv2 = this.registerModule("conv2", new BasicConv2d(64, 64, 1));
    this.conv3 = this.registerModule("conv3", new BasicConv2d(64, 192, 3, { padding: 1 }));
    this.maxpool2 = this.registerModule("maxpool2", pool(3));
    this.inception3a = this.registerModule("inception3a", new Inception(192, 64, 96, 128, 16, 32, 32));
    this.inception3b = this.registerModule("inception3b", new Inception(256, 128, 128, 192, 32, 96, 64));
    this.maxpool3 = this.registerModule("maxpool3", pool(3));
    this.inception4a = this.registerModule("inception4a", new Inception(480, 192, 96, 208, 16, 48, 64));
    this.inception4b = this.registerModule("inception4b", new Inception(512, 160, 112, 224, 24, 64, 64));
    this.inception4c = this.registerModule("inception4c", new Inception(512, 128, 128, 256, 24, 64, 64));
    this.inception4d = this.registerModule("inception4d", new Inception(512, 112, 144, 288, 32, 64, 64));
    this.inception4e = this.registerModule("inception4e", new Inception(528, 256, 160, 320, 32, 128, 128));
    this.maxpool4 = this.registerModule("maxpool4", pool(2));
    this.inception5a = this.registerModule("inception5a", new Inception(832, 256, 160, 320, 32, 128, 128));
    this.inception5b = this.registerModule("inception5b", new Inception(832, 384, 192, 384, 48, 128, 128));
    this.avgpool = this.registerModule("avgpool", new AdaptiveAvgPool2d([1, 1]));
    this.dropout = this.registerModule("dropout", new Dropout(dropout));
    this.fc = this.registerModule("fc", new Linear(1024, numClasses));
  }

  forward(x: Tensor): Tensor {
    const pooled = pipe(
      x,
      this.conv1,
      this.maxpool1,
      this.conv2,
      this.conv3,
      this.maxpool2,
      this.inception3a,
      this.inception3b,
      this.maxpool3,
      this.inception4a,
      this.inception4b,
      this.inception4c,
      this.inception4d,
      this.inception4e,
      this.maxpool4,
      this.inception5a,
      this.inception5b,
      this.avgpool,
    );
    const flat = consume(pooled, (v) => flatten(v, 1));
    return consume(flat, (v) => pipe(v, this.dropout, this.fc));
  }
}

/**
 * torchvision's `googlenet(weights=None, aux_logits=False, init_weights=True)`: 6,624,904 parameters at
 * 1000 classes, input (N, 3, 224, 224).
 */
export function googlenet(options: GoogLeNetOptions = {}): GoogLeNet {
  return new GoogLeNet(options);
}
