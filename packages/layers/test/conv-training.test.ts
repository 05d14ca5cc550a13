/**
 * End to end through the convolutions' gradients on the CPU backend: every parameter of a CNN gets a
 * gradient from one backward pass, and LeNet5 learns the built-in shapes dataset with the optimizers and
 * data loader of this package. (Gradient values are checked against PyTorch op by op in the conformance
 * suite's grad-conv fixtures and against a whole LeNet5 step in train-agreement.test.ts.)
 */
import "@convkit/backend-cpu";
import { type Tensor, argmax, memory, noGrad, setBackend, tidy } from "@convkit/core";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  DataLoader,
  DepthwiseSeparableConv2d,
  Flatten,
  Linear,
  type Module,
  ReLU,
  Sequential,
  crossEntropy,
  models,
  shapesDataset,
} from "../src/index.js";

beforeAll(async () => {
  await setBackend("cpu");
});

/** Runs one crossEntropy backward over a batch of the shapes dataset and returns each parameter's gradient summary. */
function gradientsOf(model: Module<[Tensor], Tensor>, imageSize: number): { name: string; shape: readonly number[]; grad: Float32Array | null }[] {
  const data = shapesDataset({ size: 8, seed: 3, imageSize });
  const [batch] = new DataLoader(data, { batchSize: 8 });
  tidy(() => {
    crossEntropy(model.forward(batch.input), batch.target).backward();
  });
  batch.input.dispose();
  batch.target.dispose();
  return model.namedParameters().map(([name, p]) => ({ name, shape: p.shape, grad: p.grad ? (p.grad.dataSync() as Float32Array) : null }));
}

function expectEveryParameterLearns(rows: ReturnType<typeof gradientsOf>, model: Module<[Tensor], Tensor>): void {
  const problems = rows.flatMap((r) => {
    if (r.grad === null) return [`${r.name}: no gradient`];
    const p = model.namedParameters().find(([n]) => n === r.name)?.[1] as Tensor;
    if (p.grad?.shape.join() !== r.shape.join()) return [`${r.name}: gradient shape ${p.grad?.shape} for a parameter of shape ${r.shape}`];
    if (!r.grad.every(Number.isFinite)) return [`${r.name}: non-finite gradient`];
    if (r.grad.every((v) => v === 0)) return [`${r.name}: all-zero gradient`];
    return [];
  });
  expect(problems).toEqual([]);
}

describe("every parameter of a CNN receives a gradient", () => {
  test("LeNet5: crossEntropy(model.forward(x), y).backward() gives each of its 10 parameters a finite, non-zero gradient of its own shape", () => {
    const before = memory().numTensors;
    const model = new models.LeNet5({ numClasses: 4 });
    const rows = gradientsOf(model, 32);
    expect(rows.map((r) => r.name)).toHaveLength(10);
    expectEveryParameterLearns(rows, model);
    model.dispose();
    expect(memory().numTensors, "tensors left after disposing the model").toBe(before);
  });

  test("a CNN with a reflect-padded Conv2d, BatchNorm2d (training), a depthwise-separable block and a strided ConvTranspose2d: every parameter gets a gradient", () => {
    const before = memory().numTensors;
    const model = new Sequential(
      new Conv2d(1, 6, 3, { padding: 1, paddingMode: "reflect" }),
      new BatchNorm2d(6),
      new ReLU(),
      new DepthwiseSeparableConv2d(6, 8, 3, { stride: 2, padding: 1 }),
      new ReLU(),
      new ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
      new ReLU(),
      new AdaptiveAvgPool2d(2),
      new Flatten(),
      new Linear(16, 4),
    ) as unknown as Module<[Tensor], Tensor>;
    const rows = gradientsOf(model, 16);
    expect(rows.map((r) => r.name)).toEqual([
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "3.depthwise.weight",
      "3.depthwise.bias",
      "3.pointwise.weight",
      "3.pointwise.bias",
      "5.weight",
      "5.bias",
      "9.weight",
      "9.bias",
    ]);
    expectEveryParameterLearns(rows, model);
    model.dispose();
    expect(memory().numTensors, "tensors left after disposing the model").toBe(before);
  });
});

/** Fraction of `data` LeNet5 classifies correctly (eval mode, no graph). */
function accuracy(model: Module<[Tensor], Tensor>, data: ReturnType<typeof shapesDataset>): number {
  let correct = 0;
  for (const batch of new DataLoader(data, { batchSize: 100 })) {
    const predicted = noGrad(() => tidy(() => argmax(model.forward(batch.input), 1).dataSync()));
    const target = batch.target.dataSync();
    for (let i = 0; i < target.length; i++) if (predicted[i] === target[i]) correct++;
    batch.input.dispose();
    batch.target.dispose();
  }
  return correct / data.length;
}

describe("training", () => {
  test("LeNet5 trained with Adam on 800 shapes images for 6 epochs cuts its mean loss by 40% and classifies 200 unseen images at least 3x better than chance (seeded: the same run every time)", () => {
    const before = memory().numTensors;
    const model = new models.LeNet5({ numClasses: 4 });
    const opt = new Adam(model.parameters(), { lr: 3e-3 });
    const train = new DataLoader(shapesDataset({ size: 800, seed: 1, imageSize: 32 }), { batchSize: 16, shuffle: true, seed: 7 });
    const test = shapesDataset({ size: 200, seed: 2, imageSize: 32 });
    const chance = accuracy(model, test);
    const losses: number[] = [];
    for (let epoch = 0; epoch < 6; epoch++) {
      let total = 0;
      for (const batch of train) {
        opt.zeroGrad();
        total += tidy(() => {
          const loss = crossEntropy(model.forward(batch.input), batch.target);
          loss.backward();
          return loss.dataSync()[0];
        });
        opt.step();
        batch.input.dispose();
        batch.target.dispose();
      }
      losses.push(total / train.length);
    }
    const trained = accuracy(model.eval(), test);
    expect(losses[5], `mean loss per epoch ${losses.map((l) => l.toFixed(3)).join(", ")}`).toBeLessThan(0.6 * losses[0]);
    expect(chance, "test accuracy of the untrained model").toBeLessThan(0.4);
    expect(trained, `test accuracy ${trained} (before training ${chance})`).toBeGreaterThanOrEqual(0.75);
    opt.dispose();
    model.dispose();
    expect(memory().numTensors, "tensors left after disposing the model and optimizer").toBe(before);
  });
});
