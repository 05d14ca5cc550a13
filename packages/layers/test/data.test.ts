import "@convkit/backend-cpu";
import { ArgumentError, ShapeError, memory, tensor } from "@convkit/core";
import { describe, expect, test } from "vitest";
import { type Batch, DataLoader, type InMemoryDataset, SHAPE_CLASSES, shapesDataset, tensorDataset } from "../src/index.js";

/** 10 samples: input i is [i, -i], target i is i % 3. */
function tiny(): InMemoryDataset {
  const inputs = new Float32Array(20);
  const targets = new Int32Array(10);
  for (let i = 0; i < 10; i++) {
    inputs[2 * i] = i;
    inputs[2 * i + 1] = -i;
    targets[i] = i % 3;
  }
  return { length: 10, inputShape: [2], inputs, targetShape: [], targets };
}

/** Every batch's sample indices, read off the inputs, and its shapes; disposes the tensors. */
function epoch(loader: DataLoader): { order: number[]; shapes: number[][]; targets: number[] } {
  const order: number[] = [];
  const shapes: number[][] = [];
  const targets: number[] = [];
  for (const b of loader as Iterable<Batch>) {
    const x = b.input.dataSync();
    for (let k = 0; k < b.input.shape[0]; k++) order.push(x[2 * k]);
    expect(Array.from(b.indices)).toEqual(order.slice(order.length - b.input.shape[0]));
    shapes.push([...b.input.shape]);
    expect(b.target.dtype).toBe("int32");
    targets.push(...b.target.dataSync());
    b.input.dispose();
    b.target.dispose();
  }
  return { order, shapes, targets };
}

describe("DataLoader", () => {
  test("without shuffle, batches follow the dataset order; the last batch is smaller unless dropLast", () => {
    const loader = new DataLoader(tiny(), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const e = epoch(loader);
    expect(e.order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e.shapes).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(e.targets).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    const dropping = new DataLoader(tiny(), { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect(epoch(dropping).order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test("with shuffle, every epoch visits each sample once in a new order, and the same seed repeats the same epochs", () => {
    const a = new DataLoader(tiny(), { batchSize: 3, shuffle: true, seed: 11 });
    const b = new DataLoader(tiny(), { batchSize: 3, shuffle: true, seed: 11 });
    const a1 = epoch(a).order;
    const a2 = epoch(a).order;
    expect([...a1].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a1).not.toEqual(a2);
    expect(a1).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch(b).order).toEqual(a1);
    expect(epoch(b).order).toEqual(a2);
    expect(epoch(new DataLoader(tiny(), { batchSize: 3, shuffle: true, seed: 12 })).order).not.toEqual(a1);
  });

  test("batches are fresh tensors the caller owns: disposing them leaves nothing behind", () => {
    const before = memory().numTensors;
    epoch(new DataLoader(tiny(), { batchSize: 4, shuffle: true, seed: 1 }));
    expect(memory().numTensors).toBe(before);
  });

  test("tensorDataset(inputs, targets) splits along the first dim, like torch's TensorDataset", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const y = tensor([0.5, 1.5, 2.5], [3, 1]);
    const ds = tensorDataset(x, y);
    expect({ length: ds.length, inputShape: ds.inputShape, targetShape: ds.targetShape }).toEqual({ length: 3, inputShape: [2], targetShape: [1] });
    const [batch] = [...new DataLoader(ds, { batchSize: 3 })];
    expect(batch.target.dtype).toBe("float32");
    expect(Array.from(batch.target.dataSync())).toEqual([0.5, 1.5, 2.5]);
    for (const t of [x, y, batch.input, batch.target]) t.dispose();
    const z = tensor([1, 2], [2]);
    expect(() => tensorDataset(tensor([1, 2, 3], [3]), z)).toThrow(ShapeError);
  });

  test("bad options and datasets are ArgumentErrors or ShapeErrors naming the problem", () => {
    expect(() => new DataLoader(tiny(), { batchSize: 0 })).toThrow(new ArgumentError("DataLoader: batchSize must be a positive integer, got 0"));
    expect(() => new DataLoader(tiny(), { shuffle: "yes" as never })).toThrow(/shuffle must be a boolean/);
    expect(() => new DataLoader(tiny(), { seed: 1.5 })).toThrow(/seed must be an integer, got 1.5/);
    const broken = { ...tiny(), length: 11 };
    expect(() => new DataLoader(broken)).toThrow(new ShapeError("DataLoader: dataset.inputs holds 20 values, but 11 samples of shape [2] need 22"));
  });
});

describe("shapesDataset", () => {
  test("gives balanced 1 x imageSize x imageSize images in [0, 1] with labels i % 4 (circle, square, triangle, cross)", () => {
    const ds = shapesDataset({ size: 40, seed: 3 });
    expect(ds.inputShape).toEqual([1, 28, 28]);
    expect(ds.inputs.length).toBe(40 * 28 * 28);
    expect(Array.from(ds.targets.subarray(0, 8))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(ds.classes).toEqual(SHAPE_CLASSES);
    expect(ds.inputs.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  test("the same seed gives the same images; another seed different ones", () => {
    const a = shapesDataset({ size: 8, seed: 5, imageSize: 32 });
    const b = shapesDataset({ size: 8, seed: 5, imageSize: 32 });
    const c = shapesDataset({ size: 8, seed: 6, imageSize: 32 });
    expect(a.inputs).toEqual(b.inputs);
    expect(a.inputs).not.toEqual(c.inputs);
  });

  test("without noise the background is exactly 0, the border is clear, and each shape covers a plausible area", () => {
    const s = 28;
    const ds = shapesDataset({ size: 200, seed: 9, noise: 0 });
    const coverage: number[][] = [[], [], [], []];
    for (let i = 0; i < ds.length; i++) {
      const img = ds.inputs.subarray(i * s * s, (i + 1) * s * s);
      for (let k = 0; k < s; k++) {
        expect(img[k], `image ${i}: top row`).toBe(0);
        expect(img[(s - 1) * s + k], `image ${i}: bottom row`).toBe(0);
        expect(img[k * s], `image ${i}: left column`).toBe(0);
        expect(img[k * s + s - 1], `image ${i}: right column`).toBe(0);
      }
      const lit = img.reduce((n, v) => n + (v > 0.3 ? 1 : 0), 0);
      coverage[ds.targets[i]].push(lit / (s * s));
    }
    // Every image shows something, and none fills the frame.
    for (const c of coverage) expect(Math.min(...c) > 0.02 && Math.max(...c) < 0.5).toBe(true);
  });

  test("invalid options are ArgumentErrors", () => {
    expect(() => shapesDataset({ imageSize: 8 })).toThrow(new ArgumentError("shapesDataset: imageSize must be an integer >= 12, got 8"));
    expect(() => shapesDataset({ noise: -1 })).toThrow(/noise must be a number >= 0, got -1/);
    expect(() => shapesDataset({ size: 2.5 })).toThrow(/size must be an integer >= 0, got 2.5/);
  });
});
