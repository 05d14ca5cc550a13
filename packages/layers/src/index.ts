export { Module, type NamedMembersOptions, type RegisterBufferOptions } from "./module.js";
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
