export { Module, type NamedMembersOptions, type RegisterBufferOptions, type LoadStateDictOptions, type LoadStateDictResult } from "./module.js";
export { Sequential, type TensorModule } from "./containers.js";
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
