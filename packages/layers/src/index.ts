export {
  Module,
  type NamedMembersOptions,
  type RegisterBufferOptions,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type ForwardHook,
  type ForwardPreHook,
  type RemovableHandle,
} from "./module.js";
export { type StateDict, StateDictError } from "./state-dict.js";
export { Sequential, ModuleList, ModuleDict, type TensorModule } from "./containers.js";
export { Linear, type LinearOptions } from "./linear.js";
export { ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, Hardswish, Softmax, LogSoftmax, type InplaceOptions } from "./activation.js";
export { Dropout, type DropoutLayerOptions } from "./dropout.js";
export { BatchNormNd, BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormLayerOptions } from "./batch-norm.js";
export { summary, type ModelSummary, type SummaryLayer, type SummaryOptions } from "./summary.js";
export { Optimizer, SGD, Adam, AdamW, type SGDOptions, type AdamOptions, type ParamGroup, type ParamGroupSpec, type ParamUpdate, type TensorState, type ZeroGradOptions } from "./optim/index.js";
export { crossEntropy, nllLoss, mseLoss, type Reduction, type LossOptions, type NllLossOptions, type CrossEntropyOptions } from "./loss.js";
export {
  DataLoader,
  type DataLoaderOptions,
  type Batch,
  type InMemoryDataset,
  tensorDataset,
  shapesDataset,
  SHAPE_CLASSES,
  type ShapesDataset,
  type ShapesDatasetOptions,
} from "./data/index.js";
/** Model definitions: `models.resnet18()`, `new models.UNet()`, `models.createModel("googlenet")` (see src/models/index.ts). */
export * as models from "./models/index.js";
export { Flatten } from "./flatten.js";
export { Identity } from "./identity.js";
export {
  type PoolOutput,
  type MaxPoolLayerOptions,
  type AvgPool1dLayerOptions,
  type AvgPoolLayerOptions,
  type AdaptiveMaxPoolLayerOptions,
  type MaxUnpoolLayerOptions,
  type LPPoolLayerOptions,
  MaxPoolNd,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  AvgPool1d,
  AvgPoolNd,
  AvgPool2d,
  AvgPool3d,
  AdaptiveAvgPoolNd,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPoolNd,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  MaxUnpoolNd,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  LPPoolNd,
  LPPool1d,
  LPPool2d,
} from "./pooling.js";
export { SpatialPyramidPooling, type SpatialPyramidPoolingOptions } from "./spp.js";
export { loadSafetensors, saveSafetensors, SafetensorsError, type SafetensorsContents } from "./safetensors.js";
export {
  type ConvLayerOptions,
  type ConvTransposeLayerOptions,
  ConvNd,
  Conv1d,
  Conv2d,
  Conv3d,
  GroupedConv2d,
  ConvTransposeNd,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
} from "./conv.js";
export { ChannelShuffle, PixelShuffle, PixelUnshuffle } from "./shuffle.js";
export { Unfold, Fold } from "./fold.js";
export { fanIn, convDefaultInit } from "./init.js";
export { parameterCount, type ConvCost } from "./count.js";
export { ConvChain } from "./conv-chain.js";
export type { CompositeConvOptions } from "./composite-options.js";
export {
  DepthwiseSeparableConv2d,
  type DepthwiseSeparableConv2dOptions,
  SpatiallySeparableConv2d,
  type SpatiallySeparableConv2dOptions,
  type FromKernelOptions,
} from "./separable.js";
export { separateKernel, type SeparatedKernel, type SeparateKernelOptions } from "./separate-kernel.js";
export { FlattenedConv2d } from "./flattened.js";
export { ShuffledGroupedConv2d } from "./shuffled-grouped.js";
