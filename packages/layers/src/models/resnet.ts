/**
 * ResNet with basic blocks (He et al. 2015), structured and named as torchvision 0.14's `resnet18`, so its
 * state dict (`layer1.0.conv1.weight`, `layer2.0.downsample.1.running_var`, ...) loads strictly.
 */
import { type Tensor, add, flatten } from "@convkit/core";
import { ReLU } from "../activation.js";
import { BatchNorm2d } from "../batch-norm.js";
import { Sequential } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../pooling.js";
import { consume, pipe, positiveInt, positiveInts } from "./forward.js";

/**
 * torchvision's `BasicBlock`: two 3x3 convolutions with batch norm, added to the input (through a 1x1
 * strided convolution and batch norm, `downsample`, when the shape changes), then ReLU. The one ReLU
 * module runs twice, as in torchvision.
 */
export class BasicBlock extends Module<[Tensor], Tensor> {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  /** Brings the input to the output's shape, or null when it already has it (torchvision's None). */
  readonly downsample: Sequential | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = this.registerModule("conv1", new Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(planes));
    this.relu = this.registerModule("relu", new ReLU({ inplace: true }));
    this.conv2 = this.registerModule("conv2", new Conv2d(planes, planes, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(planes));
    // torchvision keeps a missing downsample as a plain None attribute: not a registered child.
    this.downsample = downsample === null ? null : this.registerModule("downsample", downsample);
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    const out = pipe(x, this.conv1, this.bn1, this.relu, this.conv2, this.bn2);
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    const sum = add(out, identity);
    out.dispose();
    if (identity !== x) identity.dispose();
    return consume(sum, (s) => this.relu.forward(s));
  }
}

export interface ResNetOptions {
  /** Size of the final linear layer's output (default 1000, ImageNet's classes). */
  numClasses?: number;
}

/** torchvision's `ResNet` with basic blocks: `layers` gives the number of blocks in each of the 4 stages. */
export class ResNet extends Module<[Tensor], Tensor> {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;
  #inplanes = 64;

  constructor(layers: readonly number[], options: ResNetOptions = {}) {
    super();
    const [n1, n2, n3, n4] = positiveInts("ResNet", "layers", layers, 4);
    const numClasses = positiveInt("ResNet", "numClasses", options.numClasses ?? 1000);
    this.conv1 = this.registerModule("conv1", new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(64));
    this.relu = this.registerModule("relu", new ReLU({ inplace: true }));
    this.maxpool = this.registerModule("maxpool", new MaxPool2d(3, { stride: 2, padding: 1 }));
    this.layer1 = this.registerModule("layer1", this.#makeLayer(64, n1, 1));
    this.layer2 = this.registerModule("layer2", this.#makeLayer(128, n2, 2));
    this.layer3 = this.registerModule("layer3", this.#makeLayer(256, n3, 2));
    this.layer4 = this.registerModule("layer4", this.#makeLayer(512, n4, 2));
    this.avgpool = this.registerModule("avgpool", new AdaptiveAvgPool2d([1, 1]));
    this.fc = this.registerModule("fc", new Linear(512 * BasicBlock.expansion, numClasses));
  }

  #makeLayer(planes: number, blocks: number, stride: number): Sequential {
    const out = planes * BasicBlock.expansion;
    const downsample =
      stride !== 1 || this.#inplanes !== out ? new Sequential(new Conv2d(this.#inplanes, out, 1, { stride, bias: false }), new BatchNorm2d(out)) : null;
    const seq = new Sequential(new BasicBlock(this.#inplanes, planes, stride, downsample));
    this.#inplanes = out;
    for (let i = 1; i < blocks; i++) seq.append(new BasicBlock(this.#inplanes, planes));
    return seq;
  }

  forward(x: Tensor): Tensor {
    const pooled = pipe(x, this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool);
    return consume(
      consume(pooled, (p) => flatten(p, 1)),
      (f) => this.fc.forward(f),
    );
  }
}

/** torchvision's `resnet18(weights=None)`: 11,689,512 parameters at 1000 classes, input (N, 3, 224, 224). */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet([2, 2, 2, 2], options);
}
