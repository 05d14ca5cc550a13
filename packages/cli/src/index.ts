export { main, rootHelp, type CliIO } from "./main.js";
export { LAYER_KINDS, parseLayer, type Layer, type LayerCost, type LayerKind, type LayerSpec } from "./layers.js";
export { POOL_OPS, findPoolOp, type PoolArgs, type PoolOp, type PoolOption, type PoolResult } from "./pool-ops.js";
export { CONV_OPS, findConvOp, type ConvArgs, type ConvOp, type ConvOption } from "./conv-ops.js";
