/**
 * The tutorial's separable convolutions (section 5.6): depthwise separable (a depthwise convolution,
 * then a 1x1 convolution across channels) and spatially separable (a k x 1, then a 1 x k pass).
 */
import { ArgumentError, Generator, type PaddingMode, type Size2, optionsOf, tensor } from "@convkit/core";
import { type CompositeConvOptions, axisStages } from "./composite-options.js";
import { Conv2d } from "./conv.js";
import { ConvChain } from "./conv-chain.js";
import { type SeparateKernelOptions, separateKernel } from "./separate-kernel.js";

export interface DepthwiseSeparableConv2dOptions extends CompositeConvOptions {
  /** Depthwise output channels per input channel (default 1): the depthwise stage has `in * depthMultiplier` outputs. */
  depthMultiplier?: number;
}

/**
 * Depthwise separable convolution (MobileNet; the tutorial's 5.6.2): `depthwise`, a k x k convolution
 * with groups = inChannels (each input channel filtered by its own kernel, with this layer's stride,
 * padding, dilation and paddingMode), then `pointwise`, a 1x1 convolution mixing the channels. Both
 * stages carry a bias when `bias` (default true).
 *
 * Weights: `C * kH * kW + C * Cout` (times the depth multiplier) instead of the dense `Cout * C * kH * kW`;
 * multiply-accumulates shrink by the same factor. It equals the dense convolution whose kernel is
 * `W[o, c] = pointwise[o, c] * depthwise[c]` (and bias `pointwise . depthwiseBias + pointwiseBias`).
 */
export class DepthwiseSeparableConv2d extends ConvChain {
  readonly depthwise: Conv2d;
  readonly pointwise: Conv2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options?: DepthwiseSeparableConv2dOptions) {
    super();
    const { depthMultiplier = 1, generator, ...rest } = optionsOf("DepthwiseSeparableConv2d", options);
    if (typeof depthMultiplier !== "number" || !Number.isInteger(depthMultiplier) || depthMultiplier < 1) {
      throw new ArgumentError(`DepthwiseSeparableConv2d: depthMultiplier must be a positive integer, got ${JSON.stringify(depthMultiplier)}`);
    }
    const mid = inChannels * depthMultiplier;
    this.depthwise = this.stage("depthwise", new Conv2d(inChannels, mid, kernelSize, { ...rest, groups: inChannels, generator }));
    this.pointwise = this.stage("pointwise", new Conv2d(mid, outChannels, 1, { bias: rest.bias, generator }));
  }
}

export interface SpatiallySeparableConv2dOptions extends CompositeConvOptions {
  /** Groups of the vertical stage (default 1; inChannels gives a per-channel, depthwise, factorisation). */
  groups?: number;
}

export interface FromKernelOptions extends SeparateKernelOptions {
  /** Input channels (default 1). Without `depthwise`, every channel gets the kernel and the results add up (one output channel). */
  inChannels?: number;
  /** Filter each input channel separately (outChannels = inChannels), as a depthwise convolution with the kernel. */
  depthwise?: boolean;
  stride?: Size2;
  padding?: Size2 | "same" | "valid";
  dilation?: Size2;
  paddingMode?: PaddingMode;
}

/**
 * Spatially separable convolution (the tutorial's 5.6.1): `vertical`, a `kH x 1` convolution from
 * inChannels to outChannels (with `groups`), then `horizontal`, a `1 x kW` depthwise convolution
 * (groups = outChannels), each with its own axis' stride, padding and dilation. The result is
 * exactly the `kH x kW` convolution whose filters are `W[o, c] = vertical[o, c] * horizontal[o]^T`
 * (every filter rank 1 in space, as the Sobel kernel is), with zero padding or any paddingMode.
 *
 * Weights: `Cout * (C / groups) * kH + Cout * kW` instead of `Cout * (C / groups) * kH * kW` (one
 * channel, 3x3: 6 instead of 9). Only `horizontal` has a bias: a bias added before the second
 * zero-padded pass would leak into the border and break the equality with the 2-D convolution.
 */
export class SpatiallySeparableConv2d extends ConvChain {
  readonly vertical: Conv2d;
  readonly horizontal: Conv2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts?: SpatiallySeparableConv2dOptions) {
    super();
    const options = optionsOf("SpatiallySeparableConv2d", opts);
    const [v, h] = axisStages("SpatiallySeparableConv2d", kernelSize, options);
    const { bias, paddingMode, generator, groups } = options;
    this.vertical = this.stage("vertical", new Conv2d(inChannels, outChannels, v.kernelSize, { ...v, groups, bias: false, paddingMode, generator }));
    this.horizontal = this.stage("horizontal", new Conv2d(outChannels, outChannels, h.kernelSize, { ...h, groups: outChannels, bias, paddingMode, generator }));
  }

  /**
   * A bias-free layer running `kernel` (2-D, separable) as its column then its row pass, e.g.
   * `SpatiallySeparableConv2d.fromKernel(sobelX, { padding: 1 })` gives the same output as `conv2d`
   * with the full Sobel kernel. Throws an ArgumentError (with the residual) if the kernel is not
   * separable within `tolerance`. Draws no numbers from the default generator.
   */
  static fromKernel(kernel: Parameters<typeof separateKernel>[0], opts?: FromKernelOptions): SpatiallySeparableConv2d {
    const options = optionsOf("SpatiallySeparableConv2d.fromKernel", opts);
    const { column, row } = separateKernel(kernel, { tolerance: options.tolerance, strict: true });
    const c = options.inChannels ?? 1;
    const depthwise = options.depthwise ?? false;
    const out = depthwise ? c : 1;
    const layer = new SpatiallySeparableConv2d(c, out, [column.length, row.length], {
      stride: options.stride,
      padding: options.padding,
      dilation: options.dilation,
      paddingMode: options.paddingMode,
      groups: depthwise ? c : 1,
      bias: false,
      generator: new Generator(0),
    });
    // vertical weight [out, C / groups, kH, 1]: the column for every (output, input) pair; horizontal [out, 1, 1, kW]: the row.
    const perFilter = depthwise ? 1 : c;
    const vertical = tensor(
      Float32Array.from({ length: out * perFilter * column.length }, (_, i) => column[i % column.length]),
      [out, perFilter, column.length, 1],
    );
    const horizontal = tensor(
      Float32Array.from({ length: out * row.length }, (_, i) => row[i % row.length]),
      [out, 1, 1, row.length],
    );
    try {
      layer.loadStateDict({ "vertical.weight": vertical, "horizontal.weight": horizontal });
    } finally {
      vertical.dispose();
      horizontal.dispose();
    }
    return layer;
  }
}
