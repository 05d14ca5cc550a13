/** The loss and accuracy curves of a training run as a PNG: two panels, training in blue, test in orange. */
import { Canvas, type Rgb } from "./raster.js";

/** One epoch's numbers; epoch 0 is the untrained model (test only). */
export interface EpochRecord {
  epoch: number;
  trainLoss: number | null;
  /** Percent. */
  trainAccuracy: number | null;
  testLoss: number;
  /** Percent. */
  testAccuracy: number;
}

export interface TrainingCurves {
  epochs: number;
  /** The training loss of every batch, at its position in epochs (batch b of epoch e: e - 1 + (b + 1) / batches). */
  batchLoss: readonly (readonly [number, number])[];
  records: readonly EpochRecord[];
}

export const PLOT_WIDTH = 900;
export const PLOT_HEIGHT = 360;
export const COLORS = {
  background: [255, 255, 255] as Rgb,
  axis: [60, 60, 60] as Rgb,
  grid: [228, 228, 228] as Rgb,
  batches: [166, 206, 227] as Rgb,
  train: [31, 119, 180] as Rgb,
  test: [255, 127, 14] as Rgb,
} as const;

interface Series {
  points: readonly (readonly [number, number])[];
  color: Rgb;
  width: number;
  dots: boolean;
}

/** About five round steps (1, 2 or 5 times a power of ten) covering [0, max]. */
function niceStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function label(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return v.toFixed(decimals);
}

/** Draws one panel: frame, grid, tick labels, title, legend and the series, y from 0 to yMax. */
function panel(c: Canvas, x: number, y: number, w: number, h: number, title: string, yMax: number, epochs: number, series: readonly Series[]): void {
  const left = x + 56;
  const top = y + 34;
  const right = x + w - 12;
  const bottom = y + h - 40;
  const px = (e: number): number => left + ((right - left) * e) / Math.max(epochs, 1);
  const py = (v: number): number => bottom - ((bottom - top) * Math.min(Math.max(v, 0), yMax)) / yMax;
  const yStep = niceStep(yMax);
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    c.line(left, py(v), right, py(v), COLORS.grid);
    const text = label(v, yStep);
    c.text(left - 8 - Canvas.textWidth(text), py(v) - 5, text, COLORS.axis);
  }
  const xStep = Math.max(1, Math.ceil(epochs / 10));
  for (let e = 0; e <= epochs; e += xStep) {
    c.line(px(e), top, px(e), bottom, COLORS.grid);
    c.text(px(e) - Canvas.textWidth(String(e)) / 2, bottom + 8, String(e), COLORS.axis);
  }
  c.text((left + right) / 2 - Canvas.textWidth("epoch") / 2, bottom + 24, "epoch", COLORS.axis);
  c.line(left, top, left, bottom, COLORS.axis, 2);
  c.line(left, bottom, right, bottom, COLORS.axis, 2);
  c.text(left, y + 10, title, COLORS.axis, 3);
  let lx = right - Canvas.textWidth("train  test") - 24;
  for (const [name, color] of [["train", COLORS.train], ["test", COLORS.test]] as const) {
    c.fillRect(lx, y + 12, 10, 10, color);
    c.text(lx + 14, y + 12, name, COLORS.axis);
    lx += 14 + Canvas.textWidth(name) + 16;
  }
  for (const s of series) {
    for (let i = 1; i < s.points.length; i++) c.line(px(s.points[i - 1][0]), py(s.points[i - 1][1]), px(s.points[i][0]), py(s.points[i][1]), s.color, s.width);
    if (s.dots) for (const [e, v] of s.points) c.dot(px(e), py(v), 3, s.color);
  }
}

/** Training loss (per batch, and per epoch) with test loss on the left; training and test accuracy on the right. */
export function plotTrainingCurves(curves: TrainingCurves): Canvas {
  const c = new Canvas(PLOT_WIDTH, PLOT_HEIGHT, COLORS.background);
  const trained = curves.records.filter((r) => r.trainLoss !== null);
  const lossPoints = (pick: (r: EpochRecord) => number | null, rs: readonly EpochRecord[]): [number, number][] => rs.map((r) => [r.epoch, pick(r) as number]);
  const allLoss = [...curves.batchLoss.map(([, v]) => v), ...curves.records.map((r) => r.testLoss)].filter(Number.isFinite);
  const lossMax = Math.max(0.1, ...allLoss) * 1.05;
  const half = PLOT_WIDTH / 2;
  panel(c, 0, 0, half, PLOT_HEIGHT, "loss", lossMax, curves.epochs, [
    { points: curves.batchLoss, color: COLORS.batches, width: 1, dots: false },
    { points: lossPoints((r) => r.trainLoss, trained), color: COLORS.train, width: 2, dots: true },
    { points: lossPoints((r) => r.testLoss, curves.records), color: COLORS.test, width: 2, dots: true },
  ]);
  panel(c, half, 0, half, PLOT_HEIGHT, "accuracy %", 100, curves.epochs, [
    { points: lossPoints((r) => r.trainAccuracy, trained), color: COLORS.train, width: 2, dots: true },
    { points: lossPoints((r) => r.testAccuracy, curves.records), color: COLORS.test, width: 2, dots: true },
  ]);
  return c;
}
