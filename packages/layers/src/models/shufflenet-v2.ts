/**
 * ShuffleNet V2 (Ma et al. 2018), structured and named as torchvision 0.14's `shufflenet_v2_x0_5` and
 * `shufflenet_v2_x1_0`, so their state dicts (`stage2.0.branch1.0.weight`, `conv5.1.running_mean`, ...)
 * load strictly.
 */
import { ArgumentError, type Tensor, cat, channelShuffle, chunk, mean } from "@convkit/core";
import { ReLU } from "../activation.js";
import { BatchNorm2d } from "../batch-norm.js";
import { Sequential } from "../containers.js";
import { Conv2d } from "../conv.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { MaxPool2d } from "../pooling.js";
import { consume, disposeAll, positiveInt, positiveInts } from "./forward.js";

function depthwise(channels: number, stride: number): Conv2d {
  return new Conv2d(channels, channels, 3, { stride, padding: 1, bias: false, groups: channels });
}

/**
 * torchvision's shufflenetv2 `InvertedResidual`. At stride 1 the channels split in two halves: the first
 * passes through, the second goes through `branch2` (1x1, depthwise 3x3, 1x1). At stride 2 both branches
 * see the whole input and halve its size (`branch1`: depthwise 3x3, 1x1). The halves are concatenated and
 * their channels shuffled in 2 groups. `branch1` is an empty Sequential at stride 1, as in torchvision.
 */
export class InvertedResidual extends Module<[Tensor], Tensor> {
  readonly stride: number;
  readonly branch1: Sequential;
  readonly branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!Number.isInteger(stride) || stride < 1 || stride > 3) throw new ArgumentError(`InvertedResidual: stride must be 1, 2 or 3, got ${stride}`);
    this.stride = stride;
    const branchFeatures = Math.floor(oup / 2);
    if (stride === 1 && inp !== branchFeatures * 2) {
      throw new ArgumentError(`InvertedResidual: at stride 1 inp must equal oup rounded down to even, got inp ${inp} and oup ${oup}`);
    }
    this.branch1 = this.registerModule(
      "branch1",
      stride > 1
        ? new Sequential(
            depthwise(inp, stride),
            new BatchNorm2d(inp),
            new Conv2d(inp, branchFeatures, 1, { bias: false }),
            new BatchNorm2d(branchFeatures),
            new ReLU({ inplace: true }),
          )
        : new Sequential(),
    );
    this.branch2 = this.registerModule(
      "branch2",
      new Sequential(
        new Conv2d(stride > 1 ? inp : branchFeatures, branchFeatures, 1, { bias: false }),
        new BatchNorm2d(branchFeatures),
        new ReLU({ inplace: true }),
        depthwise(branchFeatures, stride),
        new BatchNorm2d(branchFeatures),
        new Conv2d(branchFeatures, branchFeatures, 1, { bias: false }),
        new BatchNorm2d(branchFeatures),
        new ReLU({ inplace: true }),
      ),
    );
  }

  forward(x: Tensor): Tensor {
    let parts: Tensor[];
    if (this.stride === 1) {
      const [x1, x2] = chunk(x, 2, 1);
      parts = [x1, consume(x2, (v) => this.branch2.forward(v))];
    } else {
      parts = [this.branch1.forward(x), this.branch2.forward(x)];
    }
    const joined = cat(parts, 1);
    disposeAll(parts);
    return consume(joined, (v) => channelShuffle(v, 2));
  }
}

export interface ShuffleNetV2Options {
  numClasses?: number;
}

/** torchvision's `ShuffleNetV2`: blocks per stage (3 stages) and output channels (5: conv1, stages, conv5). */
export class ShuffleNetV2 extends Module<[Tensor], Tensor> {
  readonly conv1: Sequential;
  readonly maxpool: MaxPool2d;
  readonly stage2: Sequential;
  readonly stage3: Sequential;
  readonly stage4: Sequential;
  readonly conv5: Sequential;
  readonly fc: Linear;

  constructor(stagesRepeats: readonly number[], stagesOutChannels: readonly number[], options: ShuffleNetV2Options = {}) {
    super();
    const repeats = positiveInts("ShuffleNetV2", "stagesRepeats", stagesRepeats, 3);
    const channels = positiveInts("ShuffleNetV2", "stagesOutChannels", stagesOutChannels, 5);
    const numClasses = positiveInt("ShuffleNetV2", "numClasses", options.numClasses ?? 1000);
    let input = channels[0];
    this.conv1 = this.registerModule("conv1", new Sequential(new Conv2d(3, input, 3, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(input), new ReLU({ inplace: true })));
    this.maxpool = this.registerModule("maxpool", new MaxPool2d(3, { stride: 2, padding: 1 }));
    const stages = repeats.map((n, i) => {
      const output = channels[i + 1];
      const seq = new Sequential(new InvertedResidual(input, output, 2));
      for (let j = 1; j < n; j++) seq.append(new InvertedResidual(output, output, 1));
      input = output;
      return seq;
    });
    this.stage2 = this.registerModule("stage2", stages[0]);
    this.stage3 = this.registerModule("stage3", stages[1]);
    this.stage4 = this.registerModule("stage4", stages[2]);
    const last = channels[4];
    this.conv5 = this.registerModule("conv5", new Sequential(new Conv2d(input, last, 1, { bias: false }), new BatchNorm2d(last), new ReLU({ inplace: true })));
    this.fc = this.registerModule("fc", new Linear(last, numClasses));
  }

  forward(x: Tensor): Tensor {
    let y = this.conv1.forward(x);
    for (const m of [this.maxpool, this.stage2, this.stage3, this.stage4, this.conv5]) y = consume(y, (v) => m.forward(v));
    const pooled = consume(y, (v) => mean(v, [2, 3]));
    return consume(pooled, (v) => this.fc.forward(v));
  }
}

/** torchvision's `shufflenet_v2_x0_5(weights=None)`: 1,366,792 parameters at 1000 classes. */
export function shufflenetV2X0_5(options: ShuffleNetV2Options = {}): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], [24, 48, 96, 192, 1024], options);
}

/** torchvision's `shufflenet_v2_x1_0(weights=None)`: 2,278,604 parameters at 1000 classes. */
export function shufflenetV2X1_0(options: ShuffleNetV2Options = {}): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], [24, 116, 232, 464, 1024], options);
}
