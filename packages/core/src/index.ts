export { ConvkitError, ArgumentError, ShapeError, BackendError, GraphError } from "./errors.js";
export type { DType, TypedArray } from "./dtype.js";
export type {
  Backend,
  BackendMemory,
  DataHandle,
  KernelTensor,
  PoolGeometry,
  AvgPoolGeometry,
  AdaptivePoolGeometry,
  MaxUnpoolGeometry,
  ConvGeometry,
  ConvTransposeGeometry,
  PadMode,
  MaxPoolResult,
  UnaryOp,
  BinaryOp,
  ReduceOp,
  ArgReduceResult,
  Im2ColGeometry,
  AutogradKernels,
  CompareOp,
  AccumulatingPadMode,
} from "./backend.js";
export {
  registerBackend,
  removeBackend,
  setBackend,
  getBackend,
  listBackends,
  findBackend,
  ready,
  type BackendFactory,
  type BackendInfo,
  type BackendStatus,
  type RegisterOptions,
} from "./registry.js";
export { tidy, keep, memory, type MemoryInfo } from "./engine.js";
export { Tensor, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, arange, rand, randn, type TensorLike, type TensorOptions, type RandomOptions } from "./create.js";
export { noGrad, isGradEnabled, type GradFn } from "./autograd/graph.js";
export { backward, type BackwardOptions } from "./autograd/backward.js";
export { Generator, manualSeed, defaultGenerator } from "./random.js";
export { formatTensor } from "./format.js";
export {
  type Size1,
  type Size2,
  type Size3,
  type SizeN,
  type BatchedShape,
  type IntRule,
  POSITIVE,
  NON_NEGATIVE,
  MAX_ELEMENTS,
  checkElementCount,
  expandInts,
  batchShape,
  optionsOf,
} from "./args.js";
export { poolOutputSize, windowEndPadding, convOutputSize, convTransposeOutputSize, adaptiveWindows, maxUnpoolOutputSize, effectiveKernel } from "./pool-output-size.js";
export { samePadding, splitPads, type Pads } from "./padding.js";
export { resolveWindow, checkHalfKernelPadding, type PadsN, type WindowArgs } from "./ops/pool-window.js";
export { maxPool1d, maxPool2d, maxPool3d, maxPoolNd, type MaxPoolOptions, type MaxPoolNdOptions, type MaxPoolFn } from "./ops/max-pool.js";
export { avgPool1d, avgPool2d, avgPool3d, avgPoolNd, type AvgPoolOptions, type AvgPool1dOptions, type AvgPoolNdOptions } from "./ops/avg-pool.js";
export {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  globalAvgPool,
  globalMaxPool,
  adaptivePoolOutputShape,
  type AdaptivePoolOp,
  type AdaptiveSizeN,
  type AdaptiveSize1,
  type AdaptiveSize2,
  type AdaptiveSize3,
  type AdaptiveMaxPoolOptions,
  type AdaptiveMaxPoolFn,
} from "./ops/adaptive-pool.js";
export { maxUnpool1d, maxUnpool2d, maxUnpool3d, type MaxUnpoolOptions } from "./ops/max-unpool.js";
export { lpPool1d, lpPool2d, lpPoolNd, type LpPoolOptions, type LpPoolNdOptions } from "./ops/lp-pool.js";
export { conv1d, conv2d, conv3d, convNd, type ConvOptions, type ConvNdOptions, type PaddingMode } from "./ops/conv.js";
export {
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  convTransposeNd,
  type ConvTransposeOptions,
  type ConvTransposeNdOptions,
} from "./ops/conv-transpose.js";
export { pad } from "./ops/pad.js";
export {
  resolveConv,
  resolveConvTranspose,
  convOutputShape,
  convTransposeOutputShape,
  convWeightShape,
  checkPaddingMode,
  checkOutputPadding,
  checkSamePaddingStride,
  type ConvShapeOptions,
  type ConvTransposeShapeOptions,
  type ConvResolution,
  type ConvTransposeResolution,
  type ConvWeightConfig,
} from "./ops/conv-shape.js";
export { convParameterCount, convMacs, type ConvCostConfig, type ConvMacsConfig } from "./ops/conv-cost.js";
export { abs, neg, sign, relu, sqrt, exp, log, pow, mulScalar, addScalar } from "./ops/unary.js";
export { add, sub, mul, div, maximum, minimum, type Operand } from "./ops/binary.js";
export { relu6, leakyRelu, sigmoid, tanh, hardswish, hardsigmoid, gelu, softmax, logSoftmax, type GeluOptions } from "./ops/activation.js";
export { cat, stack } from "./ops/concat.js";
export { split, chunk, narrow, slice } from "./ops/split.js";
export { permute, transpose } from "./ops/permute.js";
export { reshape, flatten, squeeze, unsqueeze } from "./ops/view.js";
export { sum, mean, amax, amin, max, min, argmax, argmin, type ReduceOptions, type ReduceDims, type ExtremeFn } from "./ops/reduce.js";
export { matmul, linear } from "./ops/matmul.js";
export { gather } from "./ops/gather.js";
export { unfold, fold, type FoldOptions } from "./ops/fold.js";
export { channelShuffle, pixelShuffle, pixelUnshuffle } from "./ops/shuffle.js";
export { batchNorm, batchNormTrain, type BatchNormOptions, type BatchNormTrainOptions } from "./ops/batch-norm.js";
export { dropout, type DropoutOptions } from "./ops/dropout.js";
