/**
 * `convkit conv --explain`: every output element written out as the tutorial computes it,
 * `out[0, 0, 0, 0] = 0*1 + 1*0 + 3*(-1) + ... + 1 (bias) = 5`.
 *
 * Tap positions come from core's geometry (resolveConv / resolveConvTranspose, the functions the ops
 * resolve with, and `pad`); the value after `=` is the op's real output, never recomputed here. For a convolution each term is input*weight over
 * the output element's window, for every input channel of its group; for a transposed convolution each
 * term is one contribution that lands on the element (input element i with kernel tap t adds
 * x[i]*w[t] to output position i*stride - padding + t*dilation).
 */
import { type ConvTransposeShapeOptions, type Tensor, pad, resolveConv, resolveConvTranspose } from "@convkit/core";
import { UsageError } from "./args.js";
import type { ConvArgs, ConvOp } from "./conv-ops.js";
import { formatValue } from "./format.js";
import { product, unravel } from "./windows.js";

/** More products than this and --explain refuses, rather than print megabytes. */
export const EXPLAIN_LIMIT = 200_000;

/** A factor in a product: negative values in parentheses, `3*(-1)`. */
function factor(v: number): string {
  const s = formatValue(v);
  return s.startsWith("-") ? `(${s})` : s;
}

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/** The cartesian product of per-dim lists, row-major (last dim fastest). */
function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  let acc: T[][] = [[]];
  for (const list of lists) acc = acc.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return acc;
}

interface Explained {
  /** What the terms mean, printed once before the lines. */
  header: string[];
  lines: string[];
}

/** Joins one element's per-channel terms: parentheses per channel when a group has more than one. */
function sumLine(index: readonly number[], channels: readonly string[][], bias: number | null, value: number, empty: string): string {
  const nonEmpty = channels.filter((c) => c.length > 0);
  let expr: string;
  if (nonEmpty.length === 0) expr = empty;
  else if (channels.length === 1) expr = nonEmpty[0].join(" + ");
  else expr = nonEmpty.map((c) => `(${c.join(" + ")})`).join(" + ");
  const withBias = bias === null ? expr : `${expr} + ${factor(bias)} (bias)`;
  return `out[${index.join(", ")}] = ${withBias} = ${formatValue(value)}`;
}

/** The geometry the listing follows must be the one the op ran with. */
function checkResolved(fn: string, resolved: readonly number[], out: Tensor): void {
  if (resolved.join() !== out.shape.join()) {
    throw new Error(`conv --explain: geometry gives output shape ${resolved.join("x")} but ${fn} returned ${out.shape.join("x")}`);
  }
}

function checkSize(op: ConvOp, products: number): void {
  if (products > EXPLAIN_LIMIT) {
    throw new UsageError(`conv ${op.name}: --explain would list ${products} products (limit ${EXPLAIN_LIMIT}); use a smaller input or drop --explain`);
  }
}

/**
 * Lines for a convolution. Call inside tidy(): a non-zero padding mode pads the input with core's
 * `pad`, as nn.ConvNd does, and the padded taps then show the values that mode put there.
 */
function explainConv(op: ConvOp, x: Tensor, w: Tensor, bias: Tensor | null, out: Tensor, a: ConvArgs): Explained {
  const { rank, fn } = op;
  const unbatched = x.shape.length === rank + 1;
  const kernel = w.shape.slice(2);
  const resolved = resolveConv(x.shape, w.shape, a);
  checkResolved(fn, resolved.outputShape, out);
  const { stride, dilation, padBegin: begin } = resolved.geometry;
  const header = [
    "Each output element: input * weight over its window, summed over the input channels of its group",
    `(one (...) per channel when there are several)${bias ? ", plus the bias" : ""}.`,
  ];
  let src = x;
  if (resolved.prePad !== null) {
    const { mode, begin: padBegin, end: padEnd } = resolved.prePad;
    // F.pad lists (begin, end) pairs from the last dim backwards.
    const pads: number[] = [];
    for (let d = rank + 1; d >= 2; d--) pads.push(padBegin[d], padEnd[d]);
    src = pad(x, pads, mode);
    header.push(`paddingMode "${mode}": the input is padded first (F.pad), so padded taps show the values ${mode} padding put there.`);
  } else if ([...begin, ...resolved.geometry.padEnd].some((p) => p > 0)) header.push("Taps in the zero padding are shown as 0.");
  const srcSpatial = src.shape.slice(src.shape.length - rank);
  const [cout, cinPerGroup] = w.shape;
  const outPerGroup = cout / resolved.geometry.groups;
  checkSize(op, out.size * cinPerGroup * product(kernel));
  const xs = src.dataSync();
  const ws = w.dataSync();
  const ys = out.dataSync();
  const bs = bias?.dataSync() ?? null;
  const srcShape = unbatched ? [1, ...src.shape] : src.shape;
  const xStride = stridesOf(srcShape);
  const wStride = stridesOf(w.shape);
  const taps = cartesian(kernel.map((k) => Array.from({ length: k }, (_, t) => t)));
  const outBatched = unbatched ? [1, ...out.shape] : out.shape;
  const lines: string[] = [];
  for (let flat = 0; flat < out.size; flat++) {
    const [n, co, ...o] = unravel(flat, outBatched);
    const group = Math.floor(co / outPerGroup);
    const channels: string[][] = [];
    for (let c = 0; c < cinPerGroup; c++) {
      const ci = group * cinPerGroup + c;
      const terms: string[] = [];
      for (const t of taps) {
        let xAt = n * xStride[0] + ci * xStride[1];
        let inside = true;
        let wAt = co * wStride[0] + c * wStride[1];
        for (let d = 0; d < rank; d++) {
          const p = o[d] * stride[d] - begin[d] + t[d] * dilation[d];
          if (p < 0 || p >= srcSpatial[d]) inside = false;
          xAt += p * xStride[d + 2];
          wAt += t[d] * wStride[d + 2];
        }
        terms.push(`${inside ? factor(xs[xAt]) : "0"}*${factor(ws[wAt])}`);
      }
      channels.push(terms);
    }
    const index = unbatched ? [co, ...o] : [n, co, ...o];
    lines.push(sumLine(index, channels, bs ? bs[co] : null, ys[flat], "0"));
  }
  return { header, lines };
}

/** Lines for a transposed convolution: the contributions that land on each output element. */
function explainConvTranspose(op: ConvOp, x: Tensor, w: Tensor, bias: Tensor | null, out: Tensor, a: ConvArgs): Explained {
  const { rank, fn } = op;
  const unbatched = x.shape.length === rank + 1;
  const kernel = w.shape.slice(2);
  const resolved = resolveConvTranspose(x.shape, w.shape, a as ConvTransposeShapeOptions);
  checkResolved(fn, resolved.outputShape, out);
  const { stride, dilation, padBegin: padding, groups } = resolved.geometry;
  const inSpatial = x.shape.slice(x.shape.length - rank);
  const outSpatial = out.shape.slice(out.shape.length - rank);
  const [cin, outPerGroup] = w.shape;
  const cinPerGroup = cin / groups;
  checkSize(op, (out.size / product(outSpatial)) * product(inSpatial) * cinPerGroup * product(kernel));
  // Per dim and output position: the (input position, kernel tap) pairs with i*s - p + t*d = o.
  const landing = outSpatial.map((size, d) =>
    Array.from({ length: size }, (_, o) => {
      const pairs: [number, number][] = [];
      // Taps from the last, so the contributing input positions come in increasing order.
      for (let t = kernel[d] - 1; t >= 0; t--) {
        const q = o + padding[d] - t * dilation[d];
        if (q % stride[d] === 0 && q >= 0 && q / stride[d] < inSpatial[d]) pairs.push([q / stride[d], t]);
      }
      return pairs;
    }),
  );
  const xs = x.dataSync();
  const ws = w.dataSync();
  const ys = out.dataSync();
  const bs = bias?.dataSync() ?? null;
  const xStride = stridesOf(unbatched ? [1, ...x.shape] : x.shape);
  const wStride = stridesOf(w.shape);
  const outBatched = unbatched ? [1, ...out.shape] : out.shape;
  const lines: string[] = [];
  for (let flat = 0; flat < out.size; flat++) {
    const [n, co, ...o] = unravel(flat, outBatched);
    const group = Math.floor(co / outPerGroup);
    const local = co - group * outPerGroup;
    const contributions = cartesian(o.map((od, d) => landing[d][od]));
    const channels: string[][] = [];
    for (let c = 0; c < cinPerGroup; c++) {
      const ci = group * cinPerGroup + c;
      const terms: string[] = [];
      for (const pairs of contributions) {
        let xAt = n * xStride[0] + ci * xStride[1];
        let wAt = ci * wStride[0] + local * wStride[1];
        for (let d = 0; d < rank; d++) {
          xAt += pairs[d][0] * xStride[d + 2];
          wAt += pairs[d][1] * wStride[d + 2];
        }
        terms.push(`${factor(xs[xAt])}*${factor(ws[wAt])}`);
      }
      channels.push(terms);
    }
    const index = unbatched ? [co, ...o] : [n, co, ...o];
    lines.push(sumLine(index, channels, bs ? bs[co] : null, ys[flat], "0 (no input lands here)"));
  }
  const header = [
    "Each input element x[i] adds x[i] * w[t] to output position i*stride - padding + t*dilation, for every kernel tap t;",
    `listed: the contributions that land on each output element, over the input channels of its group${bias ? ", plus the bias" : ""}.`,
  ];
  return { header, lines };
}

/** Header and one line per output element; call inside tidy(). */
export function explainConvLines(op: ConvOp, x: Tensor, w: Tensor, bias: Tensor | null, out: Tensor, a: ConvArgs): Explained {
  return op.transposed ? explainConvTranspose(op, x, w, bias, out, a) : explainConv(op, x, w, bias, out, a);
}
