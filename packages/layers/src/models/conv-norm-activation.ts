import { BatchNorm2d } from "../batch-norm.js";
import { ReLU, ReLU6 } from "../activation.js";
import { Sequential, type TensorModule } from "../containers.js";
import { Conv2d } from "../conv.js";

export interface Conv2dNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  /** Default `(kernelSize - 1) / 2 * dilation` (the output keeps the input size at stride 1). */
  padding?: number;
  groups?: number;
  dilation?: number;
  /** The activation after the batch norm (default "relu"; "relu6" for MobileNetV2; null for none). */
  activation?: "relu" | "relu6" | null;
}

/**
 * Like torchvision's `ops.Conv2dNormActivation` with its defaults: a bias-free Conv2d, a BatchNorm2d and
 * an in-place-printing activation, as a Sequential (children "0", "1", "2", so the state-dict keys are
 * torchvision's: `features.0.0.weight`, `features.0.1.running_mean`).
 */
export class Conv2dNormActivation extends Sequential {
  constructor(inChannels: number, outChannels: number, options: Conv2dNormActivationOptions = {}) {
    const k = options.kernelSize ?? 3;
    const dilation = options.dilation ?? 1;
    const padding = options.padding ?? Math.floor((k - 1) / 2) * dilation;
    const layers: TensorModule[] = [
      new Conv2d(inChannels, outChannels, k, { stride: options.stride ?? 1, padding, dilation, groups: options.groups ?? 1, bias: false }),
      new BatchNorm2d(outChannels),
    ];
    const activation = options.activation === undefined ? "relu" : options.activation;
    if (activation === "relu") layers.push(new ReLU({ inplace: true }));
    else if (activation === "relu6") layers.push(new ReLU6({ inplace: true }));
    super(...layers);
  }
}
