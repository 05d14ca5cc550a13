/**
 * `convkit train --model lenet5 --epochs N`: trains a model on the built-in shapes dataset (no download),
 * with a progress bar, test accuracy every epoch, the weights saved as safetensors (loadable by
 * `convkit run`) and the loss and accuracy curves drawn to a PNG.
 */
import { writeFileSync } from "node:fs";
import { type Tensor, getBackend, manualSeed } from "@convkit/core";
import { Adam, DataLoader, type Module, SGD, SHAPE_CLASSES, models, saveSafetensors, shapesDataset } from "@convkit/layers";
import { UsageError, fileError, parseCommand, parseInteger, parseNumber } from "../args.js";
import { formatTable } from "../format.js";
import type { CliIO } from "../io.js";
import { type EpochRecord, plotTrainingCurves } from "../plot.js";
import { evaluate, trainBatch } from "../training.js";
import { selectBackend } from "./backends.js";

const DEFAULT_LR = { sgd: 0.05, adam: 4e-3 } as const;

export function trainHelp(): string {
  const trainable = models.MODELS.filter((m) => m.output === "classes" && m.inputShape[1] === 1).map((m) => m.name);
  return `Usage: convkit train [--model lenet5] [--epochs N] [--backend NAME] [options]

Trains a model from scratch on convkit's built-in shapes dataset: procedurally drawn grayscale images
of a ${SHAPE_CLASSES.join(", ")} (4 classes) at random positions, sizes and rotations, with pixel noise,
generated from the seed, so nothing is downloaded. Each epoch runs mini-batch steps over the training
set (shuffled, seeded) with a progress bar on stderr (loss, accuracy, samples/s), then evaluates the
test set (a separate draw). At the end the weights are saved as safetensors (the model's state dict;
load them with convkit run ${trainable[0] ?? "lenet5"} --weights FILE --classes 4 --input image.png) and the
loss and accuracy curves are drawn to a PNG.

Models: ${trainable.join(", ")} (classifiers taking 1-channel images; images are drawn at the model's input size)

Options:
  -m, --model NAME          the model (default lenet5)
  -e, --epochs N            passes over the training set (default 5)
      --batch-size N        samples per step (default 32)
      --optimizer NAME      sgd (default; with --momentum) or adam
      --lr X                learning rate (default ${DEFAULT_LR.sgd} for sgd, ${DEFAULT_LR.adam} for adam)
      --momentum X          SGD momentum (default 0.9)
      --weight-decay X      L2 penalty (default 0)
      --seed N              seeds the initial weights, the data and the shuffling (default 0)
      --train-size N        training images (default 6000)
      --test-size N         test images (default 1000)
      --noise X             pixel noise standard deviation (default 0.1)
  -o, --out FILE            where to save the weights (default <model>-shapes.safetensors)
      --plot FILE           where to draw the curves (default <model>-shapes-curves.png)
      --json                print the per-epoch numbers as JSON instead of a table
  -q, --quiet               no progress on stderr
      --backend NAME        train on this backend (default: the best registered one)
  -h, --help                show this help

Examples:
  convkit train --model lenet5 --epochs 5
  convkit train --epochs 3 --optimizer adam --lr 0.004 --backend cpu --out lenet5.safetensors`;
}

interface TrainSettings {
  model: string;
  epochs: number;
  batchSize: number;
  optimizer: "sgd" | "adam";
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  trainSize: number;
  testSize: number;
  noise: number;
  out: string;
  plot: string;
}

function positive(name: string, text: string | boolean | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = parseInteger("train", name, text as string);
  if (n < 1) throw new UsageError(`train: --${name} must be a positive integer, got ${n}`);
  return n;
}

function nonNegative(name: string, text: string | boolean | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = parseNumber("train", name, text as string);
  if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`train: --${name} must be a finite number >= 0, got ${text}`);
  return v;
}

function settingsOf(values: Record<string, string | boolean | undefined>): TrainSettings {
  const model = models.findModel((values.model as string | undefined) ?? "lenet5").name;
  const info = models.findModel(model);
  if (info.output !== "classes" || info.inputShape[1] !== 1) {
    throw new UsageError(`train: ${model} takes ${info.inputShape[1]}-channel input${info.output === "classes" ? "" : " and outputs a map"}; the shapes dataset is 1-channel images with class labels (try lenet5)`);
  }
  const optimizer = (values.optimizer as string | undefined) ?? "sgd";
  if (optimizer !== "sgd" && optimizer !== "adam") throw new UsageError(`train: --optimizer must be sgd or adam, got ${JSON.stringify(optimizer)}`);
  const seed = values.seed === undefined ? 0 : parseInteger("train", "seed", values.seed as string);
  const lr = nonNegative("lr", values.lr, DEFAULT_LR[optimizer]);
  if (lr === 0) throw new UsageError("train: --lr must be positive, got 0");
  return {
    model,
    epochs: positive("epochs", values.epochs, 5),
    batchSize: positive("batch-size", values["batch-size"], 32),
    optimizer,
    lr,
    momentum: nonNegative("momentum", values.momentum, 0.9),
    weightDecay: nonNegative("weight-decay", values["weight-decay"], 0),
    seed,
    trainSize: positive("train-size", values["train-size"], 6000),
    testSize: positive("test-size", values["test-size"], 1000),
    noise: nonNegative("noise", values.noise, 0.1),
    out: (values.out as string | undefined) ?? `${model}-shapes.safetensors`,
    plot: (values.plot as string | undefined) ?? `${model}-shapes-curves.png`,
  };
}

function makeOptimizer(s: TrainSettings, params: Tensor[]): SGD | Adam {
  if (s.optimizer === "sgd") return new SGD(params, { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay });
  return new Adam(params, { lr: s.lr, weightDecay: s.weightDecay });
}

function write(path: string, bytes: Uint8Array, what: string): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw fileError("train", "write", `the ${what} to ${path}`, e);
  }
}

/** `[=====>    ]` of `width` characters for a fraction in [0, 1]. */
function bar(fraction: number, width = 24): string {
  const filled = Math.min(width, Math.floor(fraction * width));
  return `[${"=".repeat(filled)}${filled < width ? ">" : ""}${" ".repeat(Math.max(0, width - filled - 1))}]`;
}

const pct = (v: number): string => `${v.toFixed(1)}%`;

interface EpochTiming {
  seconds: number;
  samplesPerSecond: number;
}

export async function trainCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("train", argv, {
    model: { type: "string", short: "m" },
    epochs: { type: "string", short: "e" },
    "batch-size": { type: "string" },
    optimizer: { type: "string" },
    lr: { type: "string" },
    momentum: { type: "string" },
    "weight-decay": { type: "string" },
    seed: { type: "string" },
    "train-size": { type: "string" },
    "test-size": { type: "string" },
    noise: { type: "string" },
    out: { type: "string", short: "o" },
    plot: { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
    backend: { type: "string" },
  });
  if (values.help) {
    io.out(trainHelp());
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`train: unexpected argument ${JSON.stringify(positionals[0])} (name the model with --model)`);
  const s = settingsOf(values);
  const quiet = values.quiet === true;
  const backend = await selectBackend(values.backend as string | undefined);
  const info = models.findModel(s.model);
  const imageSize = info.inputShape[2];

  const train = shapesDataset({ size: s.trainSize, seed: 2 * s.seed, imageSize, noise: s.noise });
  const test = shapesDataset({ size: s.testSize, seed: 2 * s.seed + 1, imageSize, noise: s.noise });
  const trainLoader = new DataLoader(train, { batchSize: s.batchSize, shuffle: true, seed: s.seed, dropLast: false });
  const testLoader = new DataLoader(test, { batchSize: 256 });
  manualSeed(s.seed);
  const model: Module<[Tensor], Tensor> = info.create({ numClasses: SHAPE_CLASSES.length });
  const optimizer = makeOptimizer(s, model.parameters());
  const active = getBackend() ?? backend;
  if (!quiet) {
    io.err(
      `train: ${s.model} on ${active}, ${s.trainSize} training and ${s.testSize} test images ${imageSize}x${imageSize} (${SHAPE_CLASSES.join(", ")}), ${s.optimizer} lr ${s.lr}, batch ${s.batchSize}, ${s.epochs} epoch${s.epochs === 1 ? "" : "s"}`,
    );
  }
  const records: EpochRecord[] = [];
  const timings: EpochTiming[] = [];
  const batchLoss: [number, number][] = [];
  const rows: string[][] = [["epoch", "train loss", "train acc", "test loss", "test acc", "seconds", "samples/s"]];
  try {
    const initial = evaluate(model, testLoader);
    records.push({ epoch: 0, trainLoss: null, trainAccuracy: null, testLoss: initial.loss, testAccuracy: initial.accuracy });
    const batches = trainLoader.length;
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const started = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lastStatus = 0;
      let b = 0;
      for (const { input, target } of trainLoader) {
        let r: ReturnType<typeof trainBatch>;
        try {
          r = trainBatch(model, optimizer, input, target);
        } finally {
          input.dispose();
          target.dispose();
        }
        b++;
        lossSum += r.loss * r.size;
        correct += r.correct;
        seen += r.size;
        batchLoss.push([epoch - 1 + b / batches, r.loss]);
        if (!Number.isFinite(r.loss)) throw new UsageError(`train: the loss became ${r.loss} at epoch ${epoch}, batch ${b}; lower --lr (now ${s.lr})`);
        const now = performance.now();
        const rate = (seen / (now - started)) * 1000;
        const line = `epoch ${epoch}/${s.epochs} ${bar(b / batches)} ${seen}/${s.trainSize}  loss ${(lossSum / seen).toFixed(4)}  acc ${pct((100 * correct) / seen)}  ${rate.toFixed(0)} samples/s`;
        if (!quiet && io.status && (now - lastStatus > 100 || b === batches)) {
          io.status(line);
          lastStatus = now;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const evaluation = evaluate(model, testLoader);
      const record: EpochRecord = { epoch, trainLoss: lossSum / seen, trainAccuracy: (100 * correct) / seen, testLoss: evaluation.loss, testAccuracy: evaluation.accuracy };
      records.push(record);
      timings.push({ seconds, samplesPerSecond: seen / seconds });
      rows.push([String(epoch), (record.trainLoss as number).toFixed(4), pct(record.trainAccuracy as number), record.testLoss.toFixed(4), pct(record.testAccuracy), seconds.toFixed(2), (seen / seconds).toFixed(0)]);
      if (!quiet) {
        io.err(
          `epoch ${epoch}/${s.epochs}: train loss ${(record.trainLoss as number).toFixed(4)} acc ${pct(record.trainAccuracy as number)}, test loss ${record.testLoss.toFixed(4)} acc ${pct(record.testAccuracy)}, ${seconds.toFixed(2)} s (${(seen / seconds).toFixed(0)} samples/s)`,
        );
      }
    }
    const weights = saveSafetensors(model.stateDict(), {
      model: s.model,
      dataset: "convkit shapes",
      classes: SHAPE_CLASSES.join(","),
      imageSize: String(imageSize),
      epochs: String(s.epochs),
      testAccuracy: records[records.length - 1].testAccuracy.toFixed(2),
    });
    write(s.out, weights, "weights");
    write(s.plot, plotTrainingCurves({ epochs: s.epochs, batchLoss, records }).toPng(), "plot");
    const final = records[records.length - 1];
    if (values.json) {
      io.out(
        JSON.stringify({
          model: s.model,
          backend: active,
          settings: { ...s, imageSize },
          epochs: records.map((r, i) => (i === 0 ? r : { ...r, ...timings[i - 1] })),
          testAccuracy: final.testAccuracy,
          weights: s.out,
          plot: s.plot,
        }),
      );
    } else {
      io.out(formatTable(rows).join("\n"));
      io.out(`test accuracy ${pct(final.testAccuracy)} after ${s.epochs} epoch${s.epochs === 1 ? "" : "s"}; weights saved to ${s.out}, curves drawn to ${s.plot}`);
    }
    return 0;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
