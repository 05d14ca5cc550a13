/** The training loop behind `convkit train`: one epoch of optimizer steps, and evaluation on a test set. */
import { type Tensor, argmax, noGrad, tidy } from "@convkit/core";
import { type DataLoader, type Module, crossEntropy } from "@convkit/layers";

/** What a training step needs of an optimizer (SGD, Adam, AdamW). */
export interface Stepper {
  zeroGrad(): void;
  step(): unknown;
}

export interface BatchResult {
  /** Mean loss over the batch. */
  loss: number;
  correct: number;
  size: number;
}

/** Predicted classes that equal the targets, counted on the host. */
function countCorrect(logits: Tensor, target: Tensor): number {
  const pred = argmax(logits, 1);
  const p = pred.dataSync();
  const t = target.dataSync();
  pred.dispose();
  let n = 0;
  for (let i = 0; i < t.length; i++) if (p[i] === t[i]) n++;
  return n;
}

/** zeroGrad, forward, cross entropy, backward, step on one batch; every temporary is freed. */
export function trainBatch(model: Module<[Tensor], Tensor>, optimizer: Stepper, input: Tensor, target: Tensor): BatchResult {
  optimizer.zeroGrad();
  return tidy(() => {
    const logits = model.forward(input);
    const loss = crossEntropy(logits, target);
    loss.backward();
    optimizer.step();
    const correct = noGrad(() => countCorrect(logits, target));
    return { loss: loss.dataSync()[0], correct, size: target.shape[0] };
  });
}

export interface Evaluation {
  loss: number;
  /** Percent. */
  accuracy: number;
}

/** Mean loss and accuracy over every batch of `loader`, in eval mode without recording gradients. */
export function evaluate(model: Module<[Tensor], Tensor>, loader: DataLoader): Evaluation {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  try {
    for (const { input, target } of loader) {
      try {
        noGrad(() =>
          tidy(() => {
            const logits = model.forward(input);
            lossSum += crossEntropy(logits, target, { reduction: "sum" }).dataSync()[0];
            correct += countCorrect(logits, target);
            count += target.shape[0];
          }),
        );
      } finally {
        input.dispose();
        target.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / count, accuracy: (100 * correct) / count };
}
