/** Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum: torch.optim.SGD. */
import { ArgumentError, type Tensor, add, mul, neg } from "@convkit/core";
import { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamUpdate, checkBoolean, checkRange } from "./optimizer.js";

export interface SGDOptions {
  /** Learning rate (default 1e-3, torch 2.x's default). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Dampening of the momentum's gradient term (default 0; must be 0 with nesterov). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

interface SGDState {
  [key: string]: Tensor | number | null;
  momentumBuffer: Tensor | null;
}

const DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/**
 * Like `torch.optim.SGD` (its single-tensor update, step for step in float32):
 *
 *     d = maximize ? -grad : grad
 *     d = d + weightDecay * param                  (weightDecay != 0)
 *     buf = d on the first step, else buf * momentum + (1 - dampening) * d   (momentum != 0)
 *     d = nesterov ? d + momentum * buf : buf      (momentum != 0)
 *     param = param - lr * d
 *
 * Scalars are rounded to float32 before they multiply, as torch's kernels do.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec<SGDOptions>[], options: Partial<SGDOptions> = {}) {
    super("SGD", params, { ...DEFAULTS, ...optionsOf(options) });
  }

  protected validate(o: SGDOptions): void {
    checkRange("SGD", "lr", o.lr, 0);
    checkRange("SGD", "momentum", o.momentum, 0);
    checkRange("SGD", "dampening", o.dampening, Number.NEGATIVE_INFINITY);
    checkRange("SGD", "weightDecay", o.weightDecay, 0);
    checkBoolean("SGD", "nesterov", o.nesterov);
    checkBoolean("SGD", "maximize", o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError(`SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
  }

  protected update(param: Tensor, grad: Tensor, state: SGDState | null, g: ParamGroup<SGDOptions>): ParamUpdate<SGDState> {
    let d = g.maximize ? neg(grad) : grad;
    if (g.weightDecay !== 0) d = add(d, mul(param, g.weightDecay));
    let buf: Tensor | null = state?.momentumBuffer ?? null;
    if (g.momentum !== 0) {
      // The first buffer is the (decayed) gradient itself; a fresh alias, so clearing .grad cannot free it.
      if (buf === null) buf = d === grad ? grad.detach() : d;
      else buf = add(mul(buf, g.momentum), g.dampening === 0 ? d : mul(d, 1 - g.dampening));
      d = g.nesterov ? add(d, mul(buf, g.momentum)) : buf;
    }
    return { value: add(param, mul(d, -g.lr)), state: { momentumBuffer: buf } };
  }
}

function optionsOf(options: Partial<SGDOptions>): Partial<SGDOptions> {
  if (options === null || typeof options !== "object") throw new ArgumentError(`SGD: options must be an object such as { lr: 0.01, momentum: 0.9 }, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS)) throw new ArgumentError(`SGD: unknown option ${JSON.stringify(key)}; options are ${Object.keys(DEFAULTS).join(", ")}`);
  }
  return options;
}
