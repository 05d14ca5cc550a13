/**
 * Activation modules mirroring torch.nn's, each a thin layer over core's functional op with PyTorch's
 * repr. convkit tensors are never modified in place: the `inplace` option some of them take only
 * appears in the repr (torchvision models print `ReLU(inplace=True)`); forward always returns a new tensor.
 */
import { ArgumentError, type Tensor, hardswish, leakyRelu, logSoftmax, optionsOf, relu, relu6, sigmoid, softmax, tanh } from "@convkit/core";
import { Module } from "./module.js";
import { pyKwargs, pyRepr } from "./repr.js";

export interface InplaceOptions {
  /** Printed in the repr as torch does; has no other effect (convkit never modifies a tensor in place). */
  inplace?: boolean;
}

function inplaceOf(name: string, options: InplaceOptions | undefined): boolean {
  const inplace = optionsOf(name, options).inplace ?? false;
  if (typeof inplace !== "boolean") throw new ArgumentError(`${name}: inplace must be a boolean, got ${String(inplace)}`);
  return inplace;
}

/** Like `torch.nn.ReLU`: `max(x, 0)`. */
export class ReLU extends Module<[Tensor], Tensor> {
  readonly inplace: boolean;

  constructor(options: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(this.getName(), options);
  }

  forward(input: Tensor): Tensor {
    return relu(input);
  }

  extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** Like `torch.nn.ReLU6`: `min(max(x, 0), 6)`. */
export class ReLU6 extends Module<[Tensor], Tensor> {
  readonly inplace: boolean;

  constructor(options: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(this.getName(), options);
  }

  forward(input: Tensor): Tensor {
    return relu6(input);
  }

  extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** Like `torch.nn.LeakyReLU(negative_slope=0.01)`: `x` where positive, else `negativeSlope * x`. */
export class LeakyReLU extends Module<[Tensor], Tensor> {
  readonly negativeSlope: number;
  readonly inplace: boolean;

  constructor(negativeSlope = 0.01, options: InplaceOptions = {}) {
    super();
    if (typeof negativeSlope !== "number" || Number.isNaN(negativeSlope)) throw new ArgumentError(`LeakyReLU: negativeSlope must be a number, got ${String(negativeSlope)}`);
    this.negativeSlope = negativeSlope;
    this.inplace = inplaceOf(this.getName(), options);
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  extraRepr(): string {
    return `negative_slope=${pyRepr(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** Like `torch.nn.Sigmoid`. */
export class Sigmoid extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/** Like `torch.nn.Tanh`. */
export class Tanh extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** Like `torch.nn.Hardswish`: `x * relu6(x + 3) / 6`. Its repr never shows `inplace`, as torch's does not. */
export class Hardswish extends Module<[Tensor], Tensor> {
  readonly inplace: boolean;

  constructor(options: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(this.getName(), options);
  }

  forward(input: Tensor): Tensor {
    return hardswish(input);
  }
}

function checkDim(name: string, dim: unknown): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new ArgumentError(`${name}: dim must be an integer (convkit has no implicit-dim form like torch's deprecated dim=None), got ${dim === undefined ? "undefined" : String(dim)}`);
  }
  return dim;
}

/** Like `torch.nn.Softmax(dim)`: `exp(x) / sum(exp(x))` along `dim` (negative counts from the end). */
export class Softmax extends Module<[Tensor], Tensor> {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim(this.getName(), dim);
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  extraRepr(): string {
    return pyKwargs([["dim", this.dim]]);
  }
}

/** Like `torch.nn.LogSoftmax(dim)`: `x - log(sum(exp(x)))` along `dim`. */
export class LogSoftmax extends Module<[Tensor], Tensor> {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim(this.getName(), dim);
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  extraRepr(): string {
    return pyKwargs([["dim", this.dim]]);
  }
}
