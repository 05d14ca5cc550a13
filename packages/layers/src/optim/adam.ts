/** Adam and AdamW: torch.optim.Adam / torch.optim.AdamW, their single-tensor updates in torch's order of operations. */
import { ArgumentError, type Tensor, add, div, maximum, mul, neg, sqrt } from "@convkit/core";
import { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamUpdate, checkBoolean, checkRange } from "./optimizer.js";

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay rate (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

interface AdamState {
  [key: string]: Tensor | number | null;
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq: Tensor | null;
}

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

/**
 * The moment updates and the parameter step shared by Adam and AdamW, in float32 as torch computes them:
 *
 *     m = m * beta1 + (1 - beta1) * d                  (exp_avg.mul_(beta1).add_(d, alpha=1 - beta1))
 *     v = v * beta2 + ((1 - beta2) * d) * d            (exp_avg_sq.mul_(beta2).addcmul_(d, d, value=1 - beta2))
 *     denom = sqrt(v) / sqrt(1 - beta2^t) + eps        (v: the running maximum with amsgrad)
 *     param = param + ((-lr / (1 - beta1^t)) * m) / denom   (param.addcdiv_(m, denom, value=-step_size))
 *
 * The bias corrections and step size are computed in float64, as torch does in Python, and rounded to
 * float32 where they enter a tensor op. On a parameter's first step the moments start from zero, so
 * `m * beta1` and `v * beta2` vanish exactly and are skipped.
 */
function adamStep(param: Tensor, d: Tensor, state: AdamState | null, g: AdamOptions): ParamUpdate<AdamState> {
  const [beta1, beta2] = g.betas;
  const step = (state?.step ?? 0) + 1;
  const decayedD = mul(d, 1 - beta1);
  const expAvg = state ? add(mul(state.expAvg, beta1), decayedD) : decayedD;
  const squared = mul(mul(d, 1 - beta2), d);
  const expAvgSq = state ? add(mul(state.expAvgSq, beta2), squared) : squared;
  let maxExpAvgSq: Tensor | null = null;
  if (g.amsgrad) maxExpAvgSq = state?.maxExpAvgSq ? maximum(state.maxExpAvgSq, expAvgSq) : expAvgSq.detach();
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = g.lr / biasCorrection1;
  const denom = add(div(sqrt(maxExpAvgSq ?? expAvgSq), Math.sqrt(biasCorrection2)), g.eps);
  const value = add(param, div(mul(expAvg, -stepSize), denom));
  return { value, state: { step, expAvg, expAvgSq, maxExpAvgSq } };
}

function validateAdam(name: string, o: AdamOptions): void {
  checkRange(name, "lr", o.lr, 0);
  checkRange(name, "eps", o.eps, 0);
  if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new ArgumentError(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
  checkRange(name, "betas[0]", o.betas[0], 0, 1);
  checkRange(name, "betas[1]", o.betas[1], 0, 1);
  checkRange(name, "weightDecay", o.weightDecay, 0);
  checkBoolean(name, "amsgrad", o.amsgrad);
  checkBoolean(name, "maximize", o.maximize);
}

function optionsOf(name: string, options: Partial<AdamOptions>): Partial<AdamOptions> {
  if (options === null || typeof options !== "object") throw new ArgumentError(`${name}: options must be an object such as { lr: 0.001 }, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!(key in ADAM_DEFAULTS)) throw new ArgumentError(`${name}: unknown option ${JSON.stringify(key)}; options are ${Object.keys(ADAM_DEFAULTS).join(", ")}`);
  }
  return options;
}

/**
 * Like `torch.optim.Adam`: weight decay is an L2 penalty added to the gradient (`d = grad + weightDecay *
 * param`) before the moments are updated.
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super("Adam", params, { ...ADAM_DEFAULTS, ...optionsOf("Adam", options) });
  }

  protected validate(o: AdamOptions): void {
    validateAdam("Adam", o);
  }

  protected update(param: Tensor, grad: Tensor, state: AdamState | null, g: ParamGroup<AdamOptions>): ParamUpdate<AdamState> {
    let d = g.maximize ? neg(grad) : grad;
    if (g.weightDecay !== 0) d = add(d, mul(param, g.weightDecay));
    return adamStep(param, d, state, g);
  }
}

/**
 * Like `torch.optim.AdamW`: decoupled weight decay, `param = param * (1 - lr * weightDecay)` before the
 * Adam step (default weightDecay 1e-2).
 */
export class AdamW extends Optimizer<AdamOptions, AdamState> {
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super("AdamW", params, { ...ADAM_DEFAULTS, weightDecay: 1e-2, ...optionsOf("AdamW", options) });
  }

  protected validate(o: AdamOptions): void {
    validateAdam("AdamW", o);
  }

  protected update(param: Tensor, grad: Tensor, state: AdamState | null, g: ParamGroup<AdamOptions>): ParamUpdate<AdamState> {
    const d = g.maximize ? neg(grad) : grad;
    const decayed = g.weightDecay !== 0 ? mul(param, 1 - g.lr * g.weightDecay) : param;
    return adamStep(decayed, d, state, g);
  }
}
