/**
 * @convkit/core's autograd API on the CPU backend: leaves, recording, backward, accumulation, noGrad,
 * detach, retainGraph, the misuse errors, and that graphs and gradients never leak.
 */
import {
  ArgumentError,
  BackendError,
  GraphError,
  ShapeError,
  type Tensor,
  add,
  backward,
  batchNormTrain,
  isGradEnabled,
  maxPool2d,
  memory,
  mul,
  noGrad,
  registerBackend,
  relu,
  setBackend,
  sigmoid,
  split,
  sum,
  tensor,
  tidy,
} from "@convkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpuBackend } from "../src/index.js";

const values = (t: Tensor | null): number[] => Array.from((t as Tensor).dataSync());
const leaf = (v: number[], shape = [v.length]): Tensor => tensor(v, shape, "float32", { requiresGrad: true });

beforeAll(async () => {
  await setBackend("cpu");
});

describe("leaves and recording", () => {
  it("tensor(v, shape, dtype, { requiresGrad: true }) makes a leaf that requires grad, with no grad yet", () => {
    const x = leaf([1, 2]);
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(true);
    expect(x.gradFn).toBeNull();
    expect(x.grad).toBeNull();
    x.dispose();
  });

  it("an op on a tensor that requires grad records its gradFn; its result requires grad and is no leaf", () => {
    const x = leaf([1, -2]);
    const y = relu(x);
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn?.name).toBe("reluBackward");
    for (const t of [x, y]) t.dispose();
  });

  it("ops on tensors that do not require grad record nothing", () => {
    const x = tensor([1, -2]);
    const y = relu(x);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    for (const t of [x, y]) t.dispose();
  });

  it("requiresGrad is settable on a float32 leaf, and setting it on a computed tensor throws ArgumentError", () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    const y = mul(x, 2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/only be changed on leaf tensors.*mulBackward/);
    for (const t of [x, y]) t.dispose();
  });

  it("int32 tensors cannot require gradients: the setter and tensor() throw ArgumentError", () => {
    const i = tensor([1, 2], [2], "int32");
    expect(() => {
      i.requiresGrad = true;
    }).toThrow(ArgumentError);
    expect(() => tensor([1, 2], [2], "int32", { requiresGrad: true })).toThrow(/only float32 tensors can require gradients/);
    i.dispose();
  });

  it("maxPool2d(x, 2, { returnIndices: true }) records the values; the int32 indices do not require grad", () => {
    const x = leaf([1, 2, 3, 4], [1, 1, 2, 2]);
    const [v, i] = maxPool2d(x, 2, { returnIndices: true });
    expect(v.gradFn?.name).toBe("maxPool2dBackward");
    expect(i.requiresGrad).toBe(false);
    for (const t of [x, v, i]) t.dispose();
  });
});

describe("backward", () => {
  it("y.backward() on a one-element output fills the grad of each leaf", () => {
    const x = leaf([1, -2, 3]);
    const y = sum(mul(x, x));
    y.backward();
    expect(values(x.grad)).toEqual([2, -4, 6]);
    for (const t of [x, y]) t.dispose();
  });

  it("gradients accumulate into .grad across backward calls, as in torch", () => {
    const x = leaf([1, 2]);
    for (let i = 0; i < 3; i++) {
      const y = sum(mul(x, 3));
      y.backward();
      y.dispose();
    }
    expect(values(x.grad)).toEqual([9, 9]);
    x.dispose();
  });

  it("a tensor used twice gets the sum of both gradients", () => {
    const x = leaf([2, 5]);
    const y = sum(add(mul(x, 3), x));
    y.backward();
    expect(values(x.grad)).toEqual([4, 4]);
    for (const t of [x, y]) t.dispose();
  });

  it("y.backward(gradOutput) weights the output by the given gradient", () => {
    const x = leaf([1, 2, 3]);
    const y = mul(x, 2);
    const g = tensor([1, 0.5, -1]);
    y.backward(g);
    expect(values(x.grad)).toEqual([2, 1, -2]);
    expect(g.isDisposed).toBe(false);
    for (const t of [x, y, g]) t.dispose();
  });

  it("backward on a leaf adds the gradient to its own grad", () => {
    const x = leaf([1, 2]);
    const g = tensor([3, 4]);
    x.backward(g);
    x.backward(g);
    expect(values(x.grad)).toEqual([6, 8]);
    for (const t of [x, g]) t.dispose();
  });

  it("backward([a, b], [ga, gb]) runs one pass from several outputs, like torch.autograd.backward", () => {
    const x = leaf([1, 2, 3, 4]);
    const [a, b] = split(x, 2);
    backward([a, b], [tensor([1, 1]), tensor([10, 10])]);
    expect(values(x.grad)).toEqual([1, 1, 10, 10]);
    for (const t of [x, a, b]) t.dispose();
  });

  it("an output whose gradient is not given gets zeros (only a used split piece sends a gradient)", () => {
    const x = leaf([1, 2, 3, 4]);
    const [a, b] = split(x, 2);
    const s = sum(b);
    s.backward();
    expect(values(x.grad)).toEqual([0, 0, 1, 1]);
    for (const t of [x, a, b, s]) t.dispose();
  });
});

describe("misuse is reported clearly", () => {
  it("backward on a non-scalar output without a gradient throws ArgumentError naming the shape", () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    expect(() => y.backward()).toThrow(ArgumentError);
    expect(() => y.backward()).toThrow(/one-element outputs; the output has shape \[2\]/);
    for (const t of [x, y]) t.dispose();
  });

  it("backward with a gradient of the wrong shape throws ShapeError naming both shapes", () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    const g = tensor([1, 2, 3]);
    expect(() => y.backward(g)).toThrow(ShapeError);
    expect(() => y.backward(g)).toThrow(/gradOutput has shape \[3\] but the output has shape \[2\]/);
    for (const t of [x, y, g]) t.dispose();
  });

  it("backward with an int32 gradient throws ArgumentError", () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    const g = tensor([1, 2], [2], "int32");
    expect(() => y.backward(g)).toThrow(/gradOutput must be float32, got int32/);
    for (const t of [x, y, g]) t.dispose();
  });

  it("backward from a tensor that does not require grad throws GraphError", () => {
    const x = tensor([1, 2]);
    const y = sum(x);
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrow(/does not require grad and has no gradFn/);
    for (const t of [x, y]) t.dispose();
  });

  it("backward twice through a freed graph throws GraphError, as torch's 'backward through the graph a second time'", () => {
    const x = leaf([1, 2]);
    const y = sum(mul(x, x));
    y.backward();
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*retainGraph: true/);
    // The failed attempt accumulated nothing.
    expect(values(x.grad)).toEqual([2, 4]);
    for (const t of [x, y]) t.dispose();
  });

  it("backward(g, { retainGraph: true }) keeps the saved tensors, so a second backward works and accumulates", () => {
    const x = leaf([1, 2]);
    const y = sum(mul(x, x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(values(x.grad)).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(GraphError);
    for (const t of [x, y]) t.dispose();
  });

  it("assign() to a computed tensor throws GraphError", () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    const z = tensor([0, 0]);
    expect(() => y.assign(z)).toThrow(GraphError);
    for (const t of [x, y, z]) t.dispose();
  });

  it("the grad setter refuses a tensor of another shape", () => {
    const x = leaf([1, 2]);
    const g = tensor([1, 2, 3]);
    expect(() => {
      x.grad = g;
    }).toThrow(ShapeError);
    for (const t of [x, g]) t.dispose();
  });
});

describe("noGrad and detach", () => {
  it("noGrad(fn) runs fn without recording and returns its result; grad mode comes back after", () => {
    const x = leaf([1, -1]);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return relu(x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(values(y)).toEqual([1, 0]);
    for (const t of [x, y]) t.dispose();
  });

  it("noGrad restores grad mode when fn throws", () => {
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });

  it("detach() gives a leaf sharing the values through which no gradient flows", () => {
    const x = leaf([1, 2]);
    const d = mul(x, 3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(values(d)).toEqual([3, 6]);
    const y = sum(mul(x, d));
    y.backward();
    expect(values(x.grad)).toEqual([3, 6]);
    for (const t of [x, d, y]) t.dispose();
  });
});

describe("buffers stay outside the graph", () => {
  it("batchNormTrain's updated running statistics do not require grad; its output does", () => {
    const x = leaf([1, 2, 3, 4, 5, 6], [3, 2]);
    const [rm, rv] = [tensor([0, 0]), tensor([1, 1])];
    const [y, m, v] = batchNormTrain(x, rm, rv);
    expect(y.requiresGrad).toBe(true);
    expect(m.requiresGrad).toBe(false);
    expect(v.requiresGrad).toBe(false);
    for (const t of [x, rm, rv, y, m, v]) t.dispose();
  });
});

describe("memory", () => {
  it("forward, backward and disposing outputs and grads return memory to its baseline", () => {
    const before = memory();
    const x = leaf([1, -2, 3, 4], [1, 1, 2, 2]);
    // convkit frees intermediates explicitly: tidy disposes them, their graph nodes stay alive.
    const y = tidy(() => sum(sigmoid(maxPool2d(relu(x), 1))));
    y.backward();
    y.dispose();
    x.grad = null;
    x.dispose();
    expect(memory()).toEqual(before);
  });

  it("a graph nobody backwards through is freed with the tensors that reference it", () => {
    const before = memory();
    const x = leaf([1, 2, 3]);
    const y = tidy(() => sigmoid(mul(x, x)));
    y.dispose();
    x.dispose();
    expect(memory()).toEqual(before);
  });

  it("tidy(() => { loss.backward() }) disposes the forward's tensors and keeps the leaves' grads", () => {
    const x = leaf([1, 2, 3]);
    const before = memory().numTensors;
    tidy(() => {
      sum(sigmoid(mul(x, x))).backward();
    });
    expect(x.grad).not.toBeNull();
    expect(memory().numTensors).toBe(before + 1);
    x.dispose();
  });

  it("saved tensors outlive the tidy scope that created them until backward frees them", () => {
    const x = leaf([0.5, -1]);
    const y = tidy(() => sum(sigmoid(mul(x, 2))));
    y.backward();
    const s = [1, -2].map((v) => 1 / (1 + Math.exp(-v)));
    const grad = values(x.grad);
    s.forEach((v, i) => {
      expect(grad[i]).toBeCloseTo(2 * v * (1 - v), 6);
    });
    for (const t of [x, y]) t.dispose();
  });

  it("disposing a leaf disposes its grad; assigning null frees it too", () => {
    const x = leaf([1, 2]);
    const y = sum(x);
    y.backward();
    const g = x.grad as Tensor;
    x.dispose();
    expect(g.isDisposed).toBe(true);
    const z = leaf([1]);
    const one = tensor([1]);
    z.backward(one);
    const h = z.grad as Tensor;
    z.grad = null;
    expect(h.isDisposed).toBe(true);
    for (const t of [y, z, one]) t.dispose();
  });
});

describe("a backend without the autograd kernels", () => {
  beforeAll(async () => {
    registerBackend("cpu-no-autograd", () => {
      const b = new CpuBackend("cpu-no-autograd");
      Object.defineProperty(b, "scatterAdd", { value: undefined });
      return b;
    });
    await setBackend("cpu-no-autograd");
  });
  afterAll(async () => {
    await setBackend("cpu");
  });

  it("runs forward ops and throws BackendError naming the missing kernel on backward", () => {
    const x = leaf([1, 2, 3, 4], [1, 1, 2, 2]);
    const y = sum(maxPool2d(x, 2));
    expect(() => y.backward()).toThrow(BackendError);
    expect(() => y.backward()).toThrow(/does not implement the autograd kernel scatterAdd/);
    for (const t of [x, y]) t.dispose();
  });
});
