/** PyTorch's default parameter initialisation for convolution layers, drawn from a seedable core Generator. */
import { type Generator, type Tensor, checkElementCount, tensor } from "@convkit/core";

/**
 * torch.nn.init._calculate_fan_in_and_fan_out's fan_in: `shape[1] * prod(shape[2:])`. For a convolution
 * weight `[Cout, Cin / groups, ...k]` that is `(Cin / groups) * prod(k)`; for a transposed one
 * `[Cin, Cout / groups, ...k]` PyTorch uses the same formula, so it is `(Cout / groups) * prod(k)`.
 */
export function fanIn(weightShape: readonly number[]): number {
  let receptive = 1;
  for (let i = 2; i < weightShape.length; i++) receptive *= weightShape[i];
  return weightShape[1] * receptive;
}

/** A float32 tensor of `shape` drawn uniformly from [-bound, bound) by `generator`. */
export function uniformTensor(shape: readonly number[], bound: number, generator: Generator, owner = "uniformTensor"): Tensor {
  checkElementCount(owner, "parameter", shape);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (2 * generator.uniform() - 1) * bound;
  return tensor(data, shape);
}

/**
 * nn.ConvNd.reset_parameters: the weight by `kaiming_uniform_(a=sqrt(5))`, i.e. uniform in
 * ±gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)), which is ±1 / sqrt(fan_in); the bias (when
 * wanted) uniform in ±1 / sqrt(fan_in). The weight is drawn first, as PyTorch does.
 */
export function convDefaultInit(weightShape: readonly number[], biasLength: number | null, generator: Generator): { weight: Tensor; bias: Tensor | null } {
  const bound = 1 / Math.sqrt(fanIn(weightShape));
  const weight = uniformTensor(weightShape, bound, generator);
  const bias = biasLength === null ? null : uniformTensor([biasLength], bound, generator);
  return { weight, bias };
}
