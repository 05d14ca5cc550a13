/**
 * Model definitions. The torchvision ones (`resnet18`, `mobilenetV2`, `shufflenetV2X0_5`,
 * `shufflenetV2X1_0`, `squeezenet1_1`, `vgg11Bn`, `googlenet`) use torchvision 0.14's module names, so a
 * torchvision `state_dict` saved as safetensors loads strictly; convkit's own (`LeNet5`, `UNet`, `C3D`,
 * `SPPNet`) are classes with options. `MODELS` / `findModel` / `createModel` look them up by name.
 */
export { pipe, consume } from "./forward.js";
export { Conv2dNormActivation, type Conv2dNormActivationOptions } from "./conv-norm-activation.js";
export { BasicBlock, ResNet, type ResNetOptions, resnet18 } from "./resnet.js";
export { InvertedResidual as MobileNetV2InvertedResidual, MobileNetV2, type MobileNetV2Options, mobilenetV2 } from "./mobilenet-v2.js";
export { InvertedResidual as ShuffleNetV2InvertedResidual, ShuffleNetV2, type ShuffleNetV2Options, shufflenetV2X0_5, shufflenetV2X1_0 } from "./shufflenet-v2.js";
export { Fire, SqueezeNet, type SqueezeNetOptions, squeezenet1_1 } from "./squeezenet.js";
export { VGG, type VggConfig, VGG11, makeVggLayers, type VggOptions, vgg11Bn } from "./vgg.js";
export { BasicConv2d, Inception, GoogLeNet, type GoogLeNetOptions, googlenet } from "./googlenet.js";
export { LeNet5, type LeNet5Options } from "./lenet5.js";
export { DoubleConv, UNet, type UNetOptions } from "./unet.js";
export { C3D, type C3DOptions } from "./c3d.js";
export { SPPNet, type SPPNetOptions } from "./sppnet.js";
export { MODELS, type ModelInfo, type ModelOptions, findModel, createModel } from "./registry.js";
