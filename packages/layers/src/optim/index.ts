/** Optimizers with torch.optim's update rules: `new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })`. */
export { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamUpdate, type TensorState } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export type { ZeroGradOptions } from "./zero-grad.js";
