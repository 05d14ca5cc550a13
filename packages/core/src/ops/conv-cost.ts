/**
 * Parameter and multiply-accumulate counts of convolution layers, the one place these formulas live
 * (layers and the CLI report them). Pure arithmetic on the configuration; no tensors involved.
 */
import { positiveInt } from "../args.js";
import { ArgumentError, fmt } from "../errors.js";
import { sizeOf as product } from "../tensor.js";

export interface ConvCostConfig {
  inChannels: number;
  outChannels: number;
  /** Kernel size per spatial dim, e.g. `[3, 3]`. */
  kernelSize: readonly number[];
  /** Defaults to 1; must divide both channel counts. */
  groups?: number;
  /** Whether the layer has a bias (default true, as nn.ConvNd). */
  bias?: boolean;
  /** A transposed convolution (weight `[inChannels, outChannels / groups, ...k]`). */
  transposed?: boolean;
}

export interface ConvMacsConfig extends ConvCostConfig {
  /** Spatial input size; needed for a transposed convolution. */
  inputSize?: readonly number[];
  /** Spatial output size; needed for a convolution. */
  outputSize?: readonly number[];
  /** Batch size, default 1. */
  batch?: number;
}

function sizes(op: string, name: string, v: unknown, min: number): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < min)) {
    throw new ArgumentError(`${op}: ${name} must be a non-empty array of ${min > 0 ? "positive" : "non-negative"} integers, got ${fmt(v)}`);
  }
  return v as number[];
}

function checkConfig(op: string, c: ConvCostConfig): { cin: number; cout: number; kernel: number; groups: number } {
  const cin = positiveInt(op, "inChannels", c.inChannels);
  const cout = positiveInt(op, "outChannels", c.outChannels);
  const groups = positiveInt(op, "groups", c.groups ?? 1);
  const kernel = product(sizes(op, "kernelSize", c.kernelSize, 1));
  if (cin % groups !== 0 || cout % groups !== 0) {
    throw new ArgumentError(`${op}: groups=${groups} must divide inChannels (${cin}) and outChannels (${cout})`);
  }
  return { cin, cout, kernel, groups };
}

/**
 * Learnable parameters: `outChannels * (inChannels / groups) * prod(kernelSize)` weights, plus
 * `outChannels` biases when `bias` (default true). A transposed convolution has the same count: its
 * weight `[inChannels, outChannels / groups, ...k]` holds the same number of elements.
 */
export function convParameterCount(config: ConvCostConfig): number {
  const { cin, cout, kernel, groups } = checkConfig("convParameterCount", config);
  return cout * (cin / groups) * kernel + (config.bias === false ? 0 : cout);
}

/**
 * Multiply-accumulates of one forward pass (bias additions not counted; taps that land in the padding
 * are counted, as a dense implementation performs them):
 * - convolution: `batch * outChannels * prod(outputSize) * (inChannels / groups) * prod(kernelSize)`,
 *   one dot product of length `(inChannels / groups) * prod(kernelSize)` per output element;
 * - transposed: `batch * inChannels * prod(inputSize) * (outChannels / groups) * prod(kernelSize)`,
 *   every input element times every weight it meets (including contributions that fall outside the
 *   cropped output).
 */
export function convMacs(config: ConvMacsConfig): number {
  const op = "convMacs";
  const { cin, cout, kernel, groups } = checkConfig(op, config);
  const batch = config.batch ?? 1;
  if (typeof batch !== "number" || !Number.isInteger(batch) || batch < 0)
    throw new ArgumentError(`${op}: batch must be a non-negative integer, got ${fmt(batch)}`);
  const rank = config.kernelSize.length;
  if (config.transposed) {
    const input = sizes(op, "inputSize (required for a transposed convolution)", config.inputSize, 0);
    if (input.length !== rank)
      throw new ArgumentError(`${op}: inputSize ${fmt(input)} must have one entry per kernel dim (kernelSize ${fmt(config.kernelSize)})`);
    return batch * cin * product(input) * (cout / groups) * kernel;
  }
  const output = sizes(op, "outputSize (required for a convolution)", config.outputSize, 0);
  if (output.length !== rank)
    throw new ArgumentError(`${op}: outputSize ${fmt(output)} must have one entry per kernel dim (kernelSize ${fmt(config.kernelSize)})`);
  return batch * cout * product(output) * (cin / groups) * kernel;
}
