/** A small C3D (Tran et al. 2015), convkit's definition (torch twin in tools/models/modellib.py). */
import { type Tensor, flatten } from "@convkit/core";
import { ReLU } from "../activation.js";
import { Conv3d } from "../conv.js";
import { Dropout } from "../dropout.js";
import { Linear } from "../linear.js";
import { Module } from "../module.js";
import { AdaptiveAvgPool3d, MaxPool3d } from "../pooling.js";
import { consume, pipe, positiveInt, positiveInts, probability } from "./forward.js";

export interface C3DOptions {
  /** Default 3 (RGB clips). */
  inChannels?: number;
  /** Default 10. */
  numClasses?: number;
  /** Channels of conv1, conv2, conv3a/b and conv4a/b (default [16, 32, 64, 128]; the paper's C3D has 64 to 512). */
  widths?: readonly number[];
  /** Units of fc6 and fc7 (default 256). */
  hidden?: number;
  /** Dropout after fc6 and fc7 (default 0.5). */
  dropout?: number;
}

/**
 * C3D's layout at reduced width: 3x3x3 convolutions (padding 1) with ReLU; pool1 is 1x2x2 (stride 1x2x2),
 * so early frames are not merged in time, as in the paper; pool2-pool4 are 2x2x2. Instead of the paper's
 * fixed 16x112x112 input and pool5 + flatten, an adaptive average pool to 1x1x1 feeds fc6, so any clip
 * of at least 8 frames and 16x16 pixels works. Input `(N, inChannels, frames, H, W)`, output `(N, numClasses)`.
 */
export class C3D extends Module<[Tensor], Tensor> {
  readonly conv1: Conv3d;
  readonly pool1: MaxPool3d;
  readonly conv2: Conv3d;
  readonly pool2: MaxPool3d;
  readonly conv3a: Conv3d;
  readonly conv3b: Conv3d;
  readonly pool3: MaxPool3d;
  readonly conv4a: Conv3d;
  readonly conv4b: Conv3d;
  readonly pool4: MaxPool3d;
  readonly pool5: AdaptiveAvgPool3d;
  readonly fc6: Linear;
  readonly fc7: Linear;
  readonly fc8: Linear;
  readonly relu: ReLU;
  readonly dropout: Dropout;

  constructor(options: C3DOptions = {}) {
    super();
    const inChannels = positiveInt("C3D", "inChannels", options.inChannels ?? 3);
    const numClasses = positiveInt("C3D", "numClasses", options.numClasses ?? 10);
    const [w1, w2, w3, w4] = positiveInts("C3D", "widths", options.widths ?? [16, 32, 64, 128], 4);
    const hidden = positiveInt("C3D", "hidden", options.hidden ?? 256);
    const dropout = probability("C3D", "dropout", options.dropout ?? 0.5);
    const conv = (cin: number, cout: number): Conv3d => new Conv3d(cin, cout, 3, { padding: 1 });
    this.conv1 = this.registerModule("conv1", conv(inChannels, w1));
    this.pool1 = this.registerModule("pool1", new MaxPool3d([1, 2, 2], { stride: [1, 2, 2] }));
    this.conv2 = this.registerModule("conv2", conv(w1, w2));
    this.pool2 = this.registerModule("pool2", new MaxPool3d(2, { stride: 2 }));
    this.conv3a = this.registerModule("conv3a", conv(w2, w3));
    this.conv3b = this.registerModule("conv3b", conv(w3, w3));
    this.pool3 = this.registerModule("pool3", new MaxPool3d(2, { stride: 2 }));
    this.conv4a = this.registerModule("conv4a", conv(w3, w4));
    this.conv4b = this.registerModule("conv4b", conv(w4, w4));
    this.pool4 = this.registerModule("pool4", new MaxPool3d(2, { stride: 2 }));
    this.pool5 = this.registerModule("pool5", new AdaptiveAvgPool3d(1));
    this.fc6 = this.registerModule("fc6", new Linear(w4, hidden));
    this.fc7 = this.registerModule("fc7", new Linear(hidden, hidden));
    this.fc8 = this.registerModule("fc8", new Linear(hidden, numClasses));
    this.relu = this.registerModule("relu", new ReLU());
    this.dropout = this.registerModule("dropout", new Dropout(dropout));
  }

  forward(x: Tensor): Tensor {
    const r = this.relu;
    const pooled = pipe(x, this.conv1, r, this.pool1, this.conv2, r, this.pool2, this.conv3a, r, this.conv3b, r, this.pool3, this.conv4a, r, this.conv4b, r, this.pool4, this.pool5);
    const flat = consume(pooled, (v) => flatten(v, 1));
    return consume(flat, (v) => pipe(v, this.fc6, r, this.dropout, this.fc7, r, this.dropout, this.fc8));
  }
}
