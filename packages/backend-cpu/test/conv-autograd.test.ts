/**
 * How the convolutions record for autograd (one node per op, what reaches which leaf, memory) and what a
 * backend without the weight-gradient kernel does. Gradient values are checked against PyTorch by the
 * conformance suite (fixtures/grad-conv.json) and against central differences in gradcheck.test.ts.
 */
import {
  BackendError,
  type Tensor,
  backward,
  conv2d,
  convTranspose1d,
  maxPool2d,
  memory,
  noGrad,
  randn,
  registerBackend,
  setBackend,
  sum,
  tensor,
  tidy,
} from "@convkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpuBackend } from "../src/index.js";

const leaf = (shape: number[]): Tensor => {
  const t = randn(shape);
  t.requiresGrad = true;
  return t;
};

beforeAll(async () => {
  await setBackend("cpu");
});

describe("recording", () => {
  it('conv2d(x, w, { bias, paddingMode: "reflect" }) records one conv2dBackward node whose gradients reach x, w and bias', () => {
    const [x, w, b] = [leaf([1, 2, 5, 5]), leaf([3, 2, 3, 3]), leaf([3])];
    const y = conv2d(x, w, { bias: b, padding: 1, paddingMode: "reflect" });
    expect(y.gradFn?.name).toBe("conv2dBackward");
    sum(y).backward();
    expect([x, w, b].map((t) => t.grad?.shape)).toEqual([x.shape, w.shape, b.shape]);
    for (const t of [x, w, b, y]) t.dispose();
  });

  it("convTranspose1d on an unbatched input records convTranspose1dBackward and returns the input gradient unbatched", () => {
    const [x, w] = [leaf([2, 4]), leaf([2, 3, 3])];
    const y = convTranspose1d(x, w, { stride: 2, outputPadding: 1 });
    expect(y.gradFn?.name).toBe("convTranspose1dBackward");
    sum(y).backward();
    expect(x.grad?.shape).toEqual([2, 4]);
    for (const t of [x, w, y]) t.dispose();
  });

  it("a conv whose input does not require grad sends gradients only to the weight and bias (a first layer)", () => {
    const x = randn([2, 1, 6, 6]);
    const [w, b] = [leaf([4, 1, 3, 3]), leaf([4])];
    const y = conv2d(x, w, { bias: b });
    expect(y.requiresGrad).toBe(true);
    sum(y).backward();
    expect(x.grad).toBeNull();
    expect(w.grad?.shape).toEqual([4, 1, 3, 3]);
    expect(Array.from((b.grad as Tensor).dataSync())).toEqual([32, 32, 32, 32]);
    for (const t of [x, w, b, y]) t.dispose();
  });

  it("conv2d inside noGrad records nothing", () => {
    const [x, w] = [leaf([1, 1, 4, 4]), leaf([1, 1, 2, 2])];
    const y = noGrad(() => conv2d(x, w));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    for (const t of [x, w, y]) t.dispose();
  });

  it("forward, backward and disposing the leaves return memory to its baseline (the saved padded input included)", () => {
    const before = memory();
    const [x, w, b] = [leaf([2, 3, 6, 5]), leaf([4, 3, 3, 2]), leaf([4])];
    const up = randn([2, 4, 3, 3]);
    const y = tidy(() => conv2d(x, w, { bias: b, stride: 2, padding: 1, paddingMode: "circular" }));
    backward(y, up);
    for (const t of [x, w, b, y, up]) t.dispose();
    expect(memory()).toEqual(before);
  });

  it("a conv graph nobody backwards through is freed with its output", () => {
    const before = memory();
    const [x, w] = [leaf([1, 2, 5, 5]), leaf([2, 2, 3, 3])];
    const y = conv2d(x, w, { padding: 1, paddingMode: "replicate" });
    for (const t of [y, x, w]) t.dispose();
    expect(memory()).toEqual(before);
  });
});

describe("a backend without convBackwardWeight", () => {
  beforeAll(async () => {
    registerBackend("cpu-no-conv-weight-grad", () => {
      const b = new CpuBackend("cpu-no-conv-weight-grad");
      Object.defineProperty(b, "convBackwardWeight", { value: undefined });
      return b;
    });
    await setBackend("cpu-no-conv-weight-grad");
  });
  afterAll(async () => {
    await setBackend("cpu");
  });

  it("computes conv input gradients and other ops' gradients, and throws BackendError naming the kernel for a weight gradient", () => {
    const x = leaf([1, 1, 4, 4]);
    const w = tensor([1, 0, 0, -1], [1, 1, 2, 2]);
    sum(maxPool2d(conv2d(x, w), 1)).backward();
    expect(Array.from((x.grad as Tensor).dataSync())).toEqual([1, 1, 1, 0, 1, 0, 0, -1, 1, 0, 0, -1, 0, -1, -1, -1]);
    w.requiresGrad = true;
    const y = sum(conv2d(x, w));
    expect(() => y.backward()).toThrow(BackendError);
    expect(() => y.backward()).toThrow(/conv2d: backend "cpu-no-conv-weight-grad" does not implement the autograd kernel convBackwardWeight/);
    for (const t of [x, w, y]) t.dispose();
  });
});
