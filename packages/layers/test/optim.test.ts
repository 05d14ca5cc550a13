import "@convkit/backend-cpu";
import { ArgumentError, type Tensor, memory, mul, sum, tensor } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { Adam, AdamW, Linear, SGD, Sequential } from "../src/index.js";

const leaf = (v: number[]): Tensor => tensor(v, [v.length], "float32", { requiresGrad: true });

/** Sets p.grad to `g` (the setter aliases; the temporary is freed). */
function setGrad(p: Tensor, g: number[]): void {
  const t = tensor(g, [g.length]);
  p.grad = t;
  t.dispose();
}

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe("SGD", () => {
  test("step() moves each parameter by -lr * grad in place (the same tensor object), and leaves parameters without a grad alone", () => {
    const a = leaf([1, 2]);
    const b = leaf([5]);
    const opt = new SGD([a, b], { lr: 0.5 });
    setGrad(a, [2, -4]);
    opt.step();
    expect(values(a)).toEqual([0, 4]);
    expect(values(b)).toEqual([5]);
    expect(opt.state.has(b)).toBe(false);
    opt.dispose();
    a.dispose();
    b.dispose();
  });

  test("momentum: the first buffer is the gradient itself, later ones buf * momentum + (1 - dampening) * grad", () => {
    const p = leaf([0]);
    const opt = new SGD([p], { lr: 1, momentum: 0.5, dampening: 0.5 });
    setGrad(p, [4]);
    opt.step(); // buf = 4
    expect(values(p)).toEqual([-4]);
    opt.step(); // buf = 2 + 0.5 * 4 = 4
    expect(values(p)).toEqual([-8]);
    setGrad(p, [0]);
    opt.step(); // buf = 2
    expect(values(p)).toEqual([-10]);
    opt.dispose();
    p.dispose();
  });

  test("nesterov adds momentum * buf to the gradient; weightDecay adds weightDecay * param; maximize ascends", () => {
    const p = leaf([2]);
    const opt = new SGD([p], { lr: 0.25, momentum: 0.5, nesterov: true, weightDecay: 0.5 });
    setGrad(p, [1]);
    opt.step(); // d = 1 + 1 = 2, buf = 2, d = 2 + 1 = 3 -> 2 - 0.75
    expect(values(p)).toEqual([1.25]);
    opt.dispose();
    const q = leaf([1]);
    const up = new SGD([q], { lr: 0.5, maximize: true });
    setGrad(q, [2]);
    up.step();
    expect(values(q)).toEqual([2]);
    up.dispose();
    p.dispose();
    q.dispose();
  });

  test("invalid settings are ArgumentErrors naming the option (nesterov needs momentum and zero dampening, as torch)", () => {
    const p = leaf([1]);
    expect(() => new SGD([p], { lr: -1 })).toThrow(new ArgumentError("SGD: lr must be a number >= 0, got -1"));
    expect(() => new SGD([p], { momentum: -0.1 })).toThrow(/SGD: momentum must be a number >= 0, got -0.1/);
    expect(() => new SGD([p], { nesterov: true })).toThrow(new ArgumentError("SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum 0 and dampening 0"));
    expect(() => new SGD([p], { momentum: 0.9, nesterov: true, dampening: 0.1 })).toThrow(/zero dampening/);
    expect(() => new SGD([p], { learningRate: 0.1 } as never)).toThrow(/SGD: unknown option "learningRate"; options are lr, momentum/);
    expect(() => new SGD([])).toThrow(new ArgumentError("SGD: got an empty parameter list"));
    expect(() => new SGD([p, p])).toThrow(/appears more than once/);
    expect(() => new SGD([tensor([1, 2], [2], "int32")])).toThrow(/params\[0\] is int32 \(shape \[2\]\); only float32 tensors can be optimized/);
    const y = mul(p, 2);
    expect(() => new SGD([y])).toThrow(/was computed by mulBackward; only leaf tensors can be optimized/);
    y.dispose();
    p.dispose();
  });

  test("parameter groups override the defaults per group; settings stay writable (learning-rate schedules)", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.25 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.25, 0.5]);
    setGrad(a, [1]);
    setGrad(b, [1]);
    opt.step();
    expect([...values(a), ...values(b)]).toEqual([0.75, 0.5]);
    opt.paramGroups[0].lr = 0.75;
    opt.step();
    expect(values(a)).toEqual([0]);
    opt.dispose();
    a.dispose();
    b.dispose();
  });
});

describe("Adam and AdamW", () => {
  test("Adam's first step moves every parameter with a clear gradient by about lr against the gradient's sign", () => {
    const p = leaf([1, 1, 1]);
    const opt = new Adam([p], { lr: 0.1 });
    setGrad(p, [3, -0.5, 0]);
    opt.step();
    const v = values(p);
    expect(v[0]).toBeCloseTo(0.9, 6);
    expect(v[1]).toBeCloseTo(1.1, 6);
    expect(v[2]).toBe(1);
    expect(opt.state.get(p)?.step).toBe(1);
    opt.dispose();
    p.dispose();
  });

  test("AdamW decays the parameter by lr * weightDecay before the step; Adam with weightDecay adds it to the gradient instead", () => {
    const p = leaf([2]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    setGrad(p, [0]);
    opt.step(); // 2 * (1 - 0.05), zero gradient: no Adam move
    expect(values(p)[0]).toBeCloseTo(1.9, 6);
    opt.dispose();
    const q = leaf([2]);
    const adam = new Adam([q], { lr: 0.1, weightDecay: 0.5 });
    setGrad(q, [0]);
    adam.step(); // d = 1: a full first step of -lr
    expect(values(q)[0]).toBeCloseTo(1.9, 6);
    adam.dispose();
    p.dispose();
    q.dispose();
  });

  test("invalid betas, eps and options are ArgumentErrors; AdamW's default weightDecay is 1e-2, Adam's 0", () => {
    const p = leaf([1]);
    expect(() => new Adam([p], { betas: [1, 0.999] })).toThrow(new ArgumentError("Adam: betas[0] must be a number in [0, 1), got 1"));
    expect(() => new Adam([p], { betas: [0.9] as never })).toThrow(/betas must be a pair/);
    expect(() => new AdamW([p], { eps: -1 })).toThrow(/AdamW: eps must be a number >= 0, got -1/);
    expect(new AdamW([p]).defaults.weightDecay).toBe(0.01);
    expect(new Adam([p]).defaults.weightDecay).toBe(0);
    p.dispose();
  });
});

describe("zeroGrad and memory", () => {
  test("zeroGrad() sets every gradient to null (torch 2.x's set_to_none); { setToNone: false } fills them with zeros in place", () => {
    const p = leaf([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    setGrad(p, [3, 4]);
    const g = p.grad as Tensor;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(values(g)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    opt.dispose();
    p.dispose();
  });

  test("Module.zeroGrad() clears the gradients of every parameter of every submodule", () => {
    const model = new Sequential(new Linear(3, 2), new Linear(2, 1));
    const x = tensor(new Float32Array([1, 2, 3]), [1, 3]);
    const y = model.forward(x) as Tensor;
    const loss = sum(y);
    loss.backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    for (const t of [x, y, loss]) t.dispose();
    model.dispose();
  });

  test("registered parameters require grad, as nn.Parameter does; requiresGrad(false) freezes a module", () => {
    const lin = new Linear(2, 2);
    expect(lin.parameters().every((p) => p.requiresGrad)).toBe(true);
    lin.requiresGrad(false);
    expect(lin.parameters().some((p) => p.requiresGrad)).toBe(false);
    lin.dispose();
  });

  test("training steps leave no tensors behind: state tensors are replaced and freed, and dispose() frees the rest", () => {
    const before = memory().numTensors;
    const model = new Linear(4, 3);
    const opt = new Adam(model.parameters(), { lr: 0.01, amsgrad: true });
    const x = tensor(new Float32Array(8).fill(0.5), [2, 4]);
    let after1 = 0;
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      const y = model.forward(x);
      const squared = mul(y, y);
      const loss = sum(squared);
      loss.backward();
      for (const t of [loss, squared, y]) t.dispose();
      opt.step();
      if (i === 0) after1 = memory().numTensors;
    }
    expect(memory().numTensors, "steps 2-5 hold no more tensors than step 1").toBe(after1);
    opt.dispose();
    model.dispose();
    x.dispose();
    expect(memory().numTensors).toBe(before);
  });

  test("step(closure) runs the closure (which computes the loss and backward) first and returns its result", () => {
    const p = leaf([3]);
    const opt = new SGD([p], { lr: 0.5 });
    const result = opt.step(() => {
      opt.zeroGrad();
      const loss = mul(p, p);
      loss.backward();
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    });
    expect(result).toBe(9);
    expect(values(p)).toEqual([0]);
    opt.dispose();
    p.dispose();
  });
});
