/**
 * Every model convkit defines, by name (torchvision's names for the torchvision models), with the input
 * shape it is meant for: what `convkit summary` / `convkit run` and the benchmark look models up in.
 */
import { ArgumentError, type Tensor } from "@convkit/core";
import type { Module } from "../module.js";
import { C3D } from "./c3d.js";
import { googlenet } from "./googlenet.js";
import { LeNet5 } from "./lenet5.js";
import { mobilenetV2 } from "./mobilenet-v2.js";
import { resnet18 } from "./resnet.js";
import { shufflenetV2X0_5, shufflenetV2X1_0 } from "./shufflenet-v2.js";
import { SPPNet } from "./sppnet.js";
import { squeezenet1_1 } from "./squeezenet.js";
import { UNet } from "./unet.js";
import { vgg11Bn } from "./vgg.js";

/** Options every registered model takes; each model also takes its own (see `optionNames`). */
export interface ModelOptions {
  numClasses?: number;
  [option: string]: unknown;
}

export interface ModelInfo {
  /** Registry name: torchvision's builder name (`resnet18`, `mobilenet_v2`) or convkit's (`lenet5`). */
  readonly name: string;
  readonly description: string;
  /** Where the definition's parameter names come from: torchvision 0.14, or convkit's own layout. */
  readonly source: "torchvision" | "convkit";
  /** The input shape it is built for (and `convkit summary` defaults to), batch included. */
  readonly inputShape: readonly number[];
  /** "classes": `(N, numClasses)` scores; "map": a per-pixel `(N, numClasses, H, W)` map. */
  readonly output: "classes" | "map";
  readonly defaultClasses: number;
  /** The constructor options it takes (camelCase), e.g. `["numClasses", "base", "depth"]` for unet. */
  readonly optionNames: readonly string[];
  /** Builds it with convkit's default initialisation; an option it does not take is an ArgumentError. */
  create(options?: ModelOptions): Module<[Tensor], Tensor>;
}

interface Entry extends Omit<ModelInfo, "create"> {
  build(options: ModelOptions): Module<[Tensor], Tensor>;
}

function register(entry: Entry): ModelInfo {
  const { build, ...info } = entry;
  return Object.freeze({
    ...info,
    create(options: ModelOptions = {}): Module<[Tensor], Tensor> {
      if (options === null || typeof options !== "object" || Array.isArray(options)) {
        throw new ArgumentError(`${info.name}: options must be an object such as { numClasses: 10 }, got ${JSON.stringify(options)}`);
      }
      const unknown = Object.keys(options).filter((k) => !info.optionNames.includes(k));
      if (unknown.length > 0) {
        throw new ArgumentError(`${info.name}: unknown option(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; it takes ${info.optionNames.join(", ")}`);
      }
      const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
      return build(given);
    },
  });
}

/** What every torchvision entry shares: ImageNet-sized input, 1000 class scores. */
const TV = { source: "torchvision", inputShape: [1, 3, 224, 224], output: "classes", defaultClasses: 1000 } as const;

export const MODELS: readonly ModelInfo[] = Object.freeze([
  register({ name: "resnet18", description: "ResNet-18 (torchvision resnet18)", ...TV, optionNames: ["numClasses"], build: resnet18 }),
  register({ name: "mobilenet_v2", description: "MobileNetV2 (torchvision mobilenet_v2)", ...TV, optionNames: ["numClasses", "widthMult", "dropout"], build: mobilenetV2 }),
  register({ name: "shufflenet_v2_x0_5", description: "ShuffleNetV2 0.5x (torchvision shufflenet_v2_x0_5)", ...TV, optionNames: ["numClasses"], build: shufflenetV2X0_5 }),
  register({ name: "shufflenet_v2_x1_0", description: "ShuffleNetV2 1.0x (torchvision shufflenet_v2_x1_0)", ...TV, optionNames: ["numClasses"], build: shufflenetV2X1_0 }),
  register({ name: "squeezenet1_1", description: "SqueezeNet 1.1 (torchvision squeezenet1_1)", ...TV, optionNames: ["numClasses", "dropout"], build: squeezenet1_1 }),
  register({ name: "vgg11_bn", description: "VGG-11 with batch norm (torchvision vgg11_bn)", ...TV, optionNames: ["numClasses", "dropout"], build: vgg11Bn }),
  register({ name: "googlenet", description: "GoogLeNet (torchvision googlenet, aux_logits=False)", ...TV, optionNames: ["numClasses", "dropout"], build: googlenet }),
  register({
    name: "lenet5",
    description: "LeNet-5 on 32x32 grayscale",
    source: "convkit",
    inputShape: [1, 1, 32, 32],
    output: "classes",
    defaultClasses: 10,
    optionNames: ["numClasses", "inChannels"],
    build: (o) => new LeNet5(o),
  }),
  register({
    name: "unet",
    description: "small U-Net (base 16, depth 4) for segmentation",
    source: "convkit",
    inputShape: [1, 3, 128, 128],
    output: "map",
    defaultClasses: 2,
    optionNames: ["numClasses", "inChannels", "base", "depth"],
    build: (o) => new UNet(o),
  }),
  register({
    name: "c3d",
    description: "small C3D for video clips (N, C, frames, H, W)",
    source: "convkit",
    inputShape: [1, 3, 16, 112, 112],
    output: "classes",
    defaultClasses: 10,
    optionNames: ["numClasses", "inChannels", "widths", "hidden", "dropout"],
    build: (o) => new C3D(o),
  }),
  register({
    name: "sppnet",
    description: "conv backbone + spatial pyramid pooling, any input size",
    source: "convkit",
    inputShape: [1, 3, 64, 64],
    output: "classes",
    defaultClasses: 10,
    optionNames: ["numClasses", "inChannels", "widths", "levels", "hidden", "dropout"],
    build: (o) => new SPPNet(o),
  }),
]);

/** The registered model called `name` (case and `-` / `_` insensitive); an ArgumentError listing the names otherwise. */
export function findModel(name: string): ModelInfo {
  const key = typeof name === "string" ? name.toLowerCase().replace(/-/g, "_") : "";
  const info = MODELS.find((m) => m.name === key);
  if (!info) throw new ArgumentError(`unknown model ${JSON.stringify(name)}; models are ${MODELS.map((m) => m.name).join(", ")}`);
  return info;
}

/** Builds the registered model `name` with convkit's default initialisation. */
export function createModel(name: string, options: ModelOptions = {}): Module<[Tensor], Tensor> {
  return findModel(name).create(options);
}
