import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "@convkit/backend-cpu";
import { memory } from "@convkit/core";
import { SHAPE_CLASSES, loadSafetensors, models, shapesDataset } from "@convkit/layers";
import { PNG } from "pngjs";
import { afterAll, describe, expect, test } from "vitest";
import { encodePng } from "../src/png.js";
import { COLORS, type EpochRecord, PLOT_HEIGHT, PLOT_WIDTH, plotTrainingCurves } from "../src/plot.js";
import { main } from "../src/main.js";
import { run } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "convkit-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pixels of exactly colour `c` in columns [x0, x1) of a decoded PNG. */
function countColor(png: PNG, c: readonly number[], x0: number, x1: number): number {
  let n = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = x0; x < x1; x++) {
      const o = 4 * (y * png.width + x);
      if (png.data[o] === c[0] && png.data[o + 1] === c[1] && png.data[o + 2] === c[2]) n++;
    }
  }
  return n;
}

describe("the training curves PNG", () => {
  test("plotTrainingCurves draws a 900x360 PNG whose loss panel (left) and accuracy panel (right) hold the train and test curves", () => {
    const records: EpochRecord[] = [
      { epoch: 0, trainLoss: null, trainAccuracy: null, testLoss: 1.4, testAccuracy: 25 },
      { epoch: 1, trainLoss: 0.9, trainAccuracy: 60, testLoss: 0.6, testAccuracy: 80 },
      { epoch: 2, trainLoss: 0.4, trainAccuracy: 88, testLoss: 0.3, testAccuracy: 93 },
      { epoch: 3, trainLoss: 0.2, trainAccuracy: 95, testLoss: 0.15, testAccuracy: 97 },
    ];
    const batchLoss: [number, number][] = Array.from({ length: 30 }, (_, i) => [(i + 1) / 10, 1.4 * Math.exp(-i / 10)]);
    const png = PNG.sync.read(plotTrainingCurves({ epochs: 3, batchLoss, records }).toPng());
    expect([png.width, png.height]).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
    const half = PLOT_WIDTH / 2;
    // Curves are many pixels each; the legend swatches alone are 100.
    expect(countColor(png, COLORS.batches, 0, half)).toBeGreaterThan(150);
    expect(countColor(png, COLORS.train, 0, half)).toBeGreaterThan(300);
    expect(countColor(png, COLORS.test, 0, half)).toBeGreaterThan(300);
    expect(countColor(png, COLORS.train, half, PLOT_WIDTH)).toBeGreaterThan(300);
    expect(countColor(png, COLORS.test, half, PLOT_WIDTH)).toBeGreaterThan(300);
    expect(countColor(png, COLORS.batches, half, PLOT_WIDTH)).toBe(0);
  });
});

describe("convkit train: usage", () => {
  test("--help describes the dataset, the options and how to run the saved weights", async () => {
    const r = await run("train", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/circle, square, triangle, cross/);
    expect(r.out).toMatch(/--optimizer NAME/);
    expect(r.out).toMatch(/convkit run lenet5 --weights FILE --classes 4/);
  });

  test("a model that does not take 1-channel images, an unknown optimizer and a bad number are one-line usage errors (exit 2)", async () => {
    const unet = await run("train", "--model", "unet");
    expect(unet.code).toBe(2);
    expect(unet.err).toBe("convkit: train: unet takes 3-channel input and outputs a map; the shapes dataset is 1-channel images with class labels (try lenet5)");
    const opt = await run("train", "--optimizer", "rmsprop");
    expect(opt.err).toBe('convkit: train: --optimizer must be sgd or adam, got "rmsprop"');
    const epochs = await run("train", "--epochs", "0");
    expect(epochs.err).toBe("convkit: train: --epochs must be a positive integer, got 0");
    const lr = await run("train", "--lr", "fast");
    expect(lr.err).toBe('convkit: train: --lr must be a number, got "fast"');
  });
});

describe("convkit train lenet5", () => {
  const weights = join(dir, "lenet5.safetensors");
  const plot = join(dir, "curves.png");

  test("one short epoch writes loadable safetensors weights, a curves PNG and per-epoch JSON, leaving no tensors behind", async () => {
    const before = memory().numTensors;
    const r = await run("train", "--epochs", "1", "--train-size", "256", "--test-size", "64", "--out", weights, "--plot", plot, "--json", "--quiet");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(memory().numTensors).toBe(before);
    const report = JSON.parse(r.out) as { model: string; epochs: (EpochRecord & { seconds?: number; samplesPerSecond?: number })[]; testAccuracy: number };
    expect(report.model).toBe("lenet5");
    expect(report.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(report.epochs[1].samplesPerSecond).toBeGreaterThan(0);
    const { tensors, metadata } = loadSafetensors(readFileSync(weights));
    expect(metadata.classes).toBe(SHAPE_CLASSES.join(","));
    const model = new models.LeNet5({ numClasses: 4 });
    model.loadStateDict(tensors, { strict: true });
    model.dispose();
    for (const t of Object.values(tensors)) t.dispose();
    const png = PNG.sync.read(readFileSync(plot));
    expect([png.width, png.height]).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
    expect(countColor(png, COLORS.test, 0, PLOT_WIDTH)).toBeGreaterThan(200);
  });

  test("without --quiet, a progress bar (loss, accuracy, samples/s) goes to the status line, one line per epoch to stderr and the table to stdout", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const status: string[] = [];
    const code = await main(["train", "--epochs", "1", "--train-size", "128", "--test-size", "32", "--out", join(dir, "p.safetensors"), "--plot", join(dir, "p.png")], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      status: (t) => status.push(t),
    });
    expect(code).toBe(0);
    expect(status.length).toBeGreaterThan(0);
    expect(status[status.length - 1]).toMatch(/^epoch 1\/1 \[=+\] 128\/128 {2}loss \d+\.\d{4} {2}acc \d+\.\d% {2}\d+ samples\/s$/);
    expect(err[0]).toMatch(/^train: lenet5 on cpu, 128 training and 32 test images 32x32 \(circle, square, triangle, cross\), sgd lr 0\.05, batch 32, 1 epoch$/);
    expect(err[1]).toMatch(/^epoch 1\/1: train loss \d\.\d{4} acc \d+\.\d%, test loss \d\.\d{4} acc \d+\.\d%, \d+\.\d\d s \(\d+ samples\/s\)$/);
    expect(out.join("\n")).toMatch(/^epoch +train loss +train acc +test loss +test acc +seconds +samples\/s\n1 /);
  });

  test("convkit train --epochs 3 (defaults: SGD, momentum 0.9, lr 0.05, 6000 images, seed 0) reaches at least 95% test accuracy", { timeout: 600_000 }, async () => {
    const r = await run("train", "--epochs", "3", "--out", join(dir, "full.safetensors"), "--plot", join(dir, "full.png"), "--json", "--quiet");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { testAccuracy: number };
    expect(report.testAccuracy).toBeGreaterThanOrEqual(95);
  });

  test("convkit run lenet5 classifies a shapes image (written as a 32x32 PNG) with the trained weights", async () => {
    expect(existsSync(weights), "the previous test writes the weights").toBe(true);
    const ds = shapesDataset({ size: 1, seed: 99, imageSize: 32, noise: 0 });
    const image = join(dir, "circle.png");
    const bytes = Uint8Array.from(ds.inputs, (v) => Math.round(v * 255));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(image, encodePng({ width: 32, height: 32, channels: 1, data: bytes }));
    const r = await run("run", "lenet5", "--weights", weights, "--classes", "4", "--input", image, "--json", "--quiet");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { outputShape: number[]; top: { index: number }[][] };
    expect(out.outputShape).toEqual([1, 4]);
    expect(out.top[0]).toHaveLength(4);
  });
});
