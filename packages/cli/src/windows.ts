/**
 * Per-element window listings in the tutorial's form, `max(0, 1, 3, 4) = 4`: which input values each
 * output element pooled. Window positions come from core's geometry (resolveWindow for sliding windows,
 * adaptiveWindows for adaptive ones); values come from the input, results from the op's actual output.
 */
import type { PoolGeometry } from "@convkit/core";
import { adaptiveWindows } from "@convkit/core";
import { formatValue } from "./format.js";

/** How the listed taps combine, and how taps outside the input are shown. */
export type WindowRule =
  /** PyTorch pads max pooling with -inf: padded taps are listed as -inf and never win. */
  | { readonly kind: "max" }
  /** Padded taps are zeros; they are listed when counted (countIncludePad, or a divisor override). */
  | { readonly kind: "mean"; readonly countIncludePad: boolean; readonly divisorOverride: number | null }
  /** `(sum x^p)^(1/p)` over the taps inside the input (LpPool has no padding). */
  | { readonly kind: "lp"; readonly normType: number };

export type Windows =
  | { readonly type: "sliding"; readonly geometry: PoolGeometry }
  | { readonly type: "adaptive"; readonly outShape: readonly number[] };

const INSIDE = 0;
const PAD = 1;
const BEYOND = 2;

/** Input positions (and whether each is inside, in the padding, or past the padded extent) pooled by output `o` along one dim. */
interface DimTaps {
  pos: number[];
  cls: number[];
}

function slidingTaps(g: PoolGeometry, dim: number, inSize: number, o: number): DimTaps {
  const pos: number[] = [];
  const cls: number[] = [];
  const first = o * g.stride[dim] - g.padBegin[dim];
  for (let j = 0; j < g.kernel[dim]; j++) {
    const p = first + j * g.dilation[dim];
    pos.push(p);
    cls.push(p >= 0 && p < inSize ? INSIDE : p < inSize + g.padEnd[dim] ? PAD : BEYOND);
  }
  return { pos, cls };
}

function adaptiveTaps(start: number, end: number): DimTaps {
  const pos: number[] = [];
  for (let p = start; p < end; p++) pos.push(p);
  return { pos, cls: pos.map(() => INSIDE) };
}

/** Multi-index of flat position `flat` in a row-major shape. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return idx;
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Listed terms of one window, in row-major tap order, and its tap counts. */
interface Window {
  terms: string[];
  inside: number;
  total: number;
}

function windowOf(taps: DimTaps[], inSpatial: readonly number[], plane: ArrayLike<number>, offset: number, rule: WindowRule): Window {
  const w: Window = { terms: [], inside: 0, total: 0 };
  const walk = (d: number, flat: number, cls: number) => {
    if (d === taps.length) {
      w.total++;
      if (cls === INSIDE) {
        w.inside++;
        w.terms.push(formatValue(plane[offset + flat]));
      } else if (rule.kind === "max") w.terms.push("-inf");
      else if (rule.kind === "mean" && cls === PAD && (rule.countIncludePad || rule.divisorOverride !== null)) w.terms.push("0");
      return;
    }
    const t = taps[d];
    for (let j = 0; j < t.pos.length; j++) {
      const inside = t.cls[j] === INSIDE;
      walk(d + 1, inside ? flat * inSpatial[d] + t.pos[j] : 0, Math.max(cls, t.cls[j]));
    }
  };
  walk(0, 0, INSIDE);
  return w;
}

function label(rule: WindowRule, w: Window): string {
  const list = w.terms.join(", ");
  if (rule.kind === "max") return `max(${list})`;
  if (rule.kind === "lp") {
    // PyTorch computes LpPool as (avgPool(x^p) * k)^(1/p); a ceil-mode window running past the input
    // averages over its inside taps only, so its sum comes out scaled by k / inside.
    const scaled = w.inside < w.total ? ` [sum scaled by ${w.total}/${w.inside}, as PyTorch does]` : "";
    return `lp${formatValue(rule.normType)}(${list})${scaled}`;
  }
  return rule.divisorOverride !== null ? `sum(${list}) / ${rule.divisorOverride}` : `mean(${list})`;
}

/**
 * One line per output element: `out[0, 0, 1, 2] = max(1, 2, 4, 5) = 5`. `input` and `output` are the
 * op's tensors (batched or not, same rank); `indices`, when given, is appended as the argmax.
 */
export function windowLines(
  inputShape: readonly number[],
  inputData: ArrayLike<number>,
  outputShape: readonly number[],
  outputData: ArrayLike<number>,
  windows: Windows,
  rule: WindowRule,
  indicesData?: ArrayLike<number>,
): string[] {
  const rank = windows.type === "sliding" ? windows.geometry.kernel.length : windows.outShape.length;
  const inSpatial = inputShape.slice(inputShape.length - rank);
  const outSpatial = outputShape.slice(outputShape.length - rank);
  const inPlane = product(inSpatial);
  const outPlane = product(outSpatial);
  const planes = outPlane === 0 ? 0 : product(outputShape) / outPlane;
  const adaptive = windows.type === "adaptive" ? inSpatial.map((n, d) => adaptiveWindows(n, outSpatial[d])) : [];
  // Taps depend only on the output position, not on the plane: compute them once.
  const tapsAt: DimTaps[][] = [];
  for (let o = 0; o < outPlane; o++) {
    const oi = unravel(o, outSpatial);
    tapsAt.push(
      oi.map((od, d) =>
        windows.type === "sliding" ? slidingTaps(windows.geometry, d, inSpatial[d], od) : adaptiveTaps(adaptive[d].start[od], adaptive[d].end[od]),
      ),
    );
  }
  const lines: string[] = [];
  for (let p = 0; p < planes; p++) {
    const outer = unravel(p, outputShape.slice(0, outputShape.length - rank));
    for (let o = 0; o < outPlane; o++) {
      const index = [...outer, ...unravel(o, outSpatial)].join(", ");
      const w = windowOf(tapsAt[o], inSpatial, inputData, p * inPlane, rule);
      const at = p * outPlane + o;
      const argmax = indicesData ? ` (index ${indicesData[at]})` : "";
      lines.push(`out[${index}] = ${label(rule, w)} = ${formatValue(outputData[at])}${argmax}`);
    }
  }
  return lines;
}
