/**
 * The pooling ops `convkit pool` (and `convkit demo`) can run: one entry per op with the CLI options it
 * takes, how it calls core, and the window geometry and rule for `--explain`.
 */
import {
  type SizeN,
  type Tensor,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  batchShape,
  lpPool1d,
  lpPool2d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  resolveWindow,
} from "@convkit/core";
import { formatCall } from "./format.js";
import type { WindowRule, Windows } from "./windows.js";

/** The CLI options a pooling op may take (their --long names). */
export type PoolOption =
  | "kernel-size"
  | "stride"
  | "padding"
  | "dilation"
  | "ceil-mode"
  | "count-include-pad"
  | "divisor-override"
  | "return-indices"
  | "output-size"
  | "norm-type";

/** Parsed pooling arguments; undefined means "not given", so core applies PyTorch's default. */
export interface PoolArgs {
  kernelSize?: SizeN;
  stride?: SizeN;
  padding?: SizeN;
  dilation?: SizeN;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number;
  returnIndices?: boolean;
  outputSize?: number | readonly (number | null)[];
  normType?: number;
}

export interface PoolResult {
  output: Tensor;
  indices?: Tensor;
}

export interface PoolOp {
  /** CLI name, e.g. "max2d". */
  readonly name: string;
  /** The core function it calls, e.g. "maxPool2d". */
  readonly fn: string;
  readonly rank: 1 | 2 | 3;
  readonly summary: string;
  readonly options: readonly PoolOption[];
  readonly required: readonly PoolOption[];
  run(x: Tensor, a: PoolArgs): PoolResult;
  /** The call as written with convkit's API, e.g. `maxPool2d(x, 2, { stride: 1 })`. */
  call(a: PoolArgs): string;
  windows(x: Tensor, out: Tensor, a: PoolArgs): Windows;
  rule(a: PoolArgs): WindowRule;
}

type MaxFn = (x: Tensor, k: SizeN, o: object) => Tensor | [Tensor, Tensor];
type AvgFn = (x: Tensor, k: SizeN, o: object) => Tensor;
type AdaptiveAvgFn = (x: Tensor, size: number | readonly (number | null)[]) => Tensor;
type AdaptiveMaxFn = (x: Tensor, size: number | readonly (number | null)[], o: object) => Tensor | [Tensor, Tensor];
type LpFn = (x: Tensor, p: number, k: SizeN, o: object) => Tensor;

function split(r: Tensor | [Tensor, Tensor]): PoolResult {
  return Array.isArray(r) ? { output: r[0], indices: r[1] } : { output: r };
}

function sliding(fn: string, x: Tensor, rank: number, a: PoolArgs, withDilation: boolean, withPadding: boolean): Windows {
  const geometry = resolveWindow(fn, batchShape(fn, x.shape, rank).shape, {
    kernelSize: a.kernelSize ?? 1,
    stride: a.stride,
    pads: withPadding ? (a.padding ?? 0) : 0,
    dilation: withDilation ? (a.dilation ?? 1) : 1,
    ceilMode: a.ceilMode,
  });
  return { type: "sliding", geometry };
}

function adaptive(out: Tensor, rank: number): Windows {
  return { type: "adaptive", outShape: out.shape.slice(out.shape.length - rank) };
}

function maxOp(rank: 1 | 2 | 3, f: MaxFn): PoolOp {
  const fn = `maxPool${rank}d`;
  const opts = (a: PoolArgs) => ({ stride: a.stride, padding: a.padding, dilation: a.dilation, ceilMode: a.ceilMode, returnIndices: a.returnIndices });
  return {
    name: `max${rank}d`,
    fn,
    rank,
    summary: `max pooling (F.max_pool${rank}d); pads with -inf`,
    options: ["kernel-size", "stride", "padding", "dilation", "ceil-mode", "return-indices"],
    required: ["kernel-size"],
    run: (x, a) => split(f(x, a.kernelSize as SizeN, opts(a))),
    call: (a) => formatCall(fn, [a.kernelSize], opts(a)),
    windows: (x, _out, a) => sliding(fn, x, rank, a, true, true),
    rule: () => ({ kind: "max" }),
  };
}

function avgOp(rank: 1 | 2 | 3, f: AvgFn): PoolOp {
  const fn = `avgPool${rank}d`;
  const opts = (a: PoolArgs) => ({
    stride: a.stride,
    padding: a.padding,
    ceilMode: a.ceilMode,
    countIncludePad: a.countIncludePad,
    divisorOverride: a.divisorOverride,
  });
  return {
    name: `avg${rank}d`,
    fn,
    rank,
    summary: `average pooling (F.avg_pool${rank}d); zero pads count unless --count-include-pad=false`,
    options: ["kernel-size", "stride", "padding", "ceil-mode", "count-include-pad", ...(rank > 1 ? (["divisor-override"] as const) : [])],
    required: ["kernel-size"],
    run: (x, a) => ({ output: f(x, a.kernelSize as SizeN, opts(a)) }),
    call: (a) => formatCall(fn, [a.kernelSize], opts(a)),
    windows: (x, _out, a) => sliding(fn, x, rank, a, false, true),
    rule: (a) => ({ kind: "mean", countIncludePad: a.countIncludePad ?? true, divisorOverride: a.divisorOverride ?? null }),
  };
}

function adaptiveMaxOp(rank: 1 | 2 | 3, f: AdaptiveMaxFn): PoolOp {
  const fn = `adaptiveMaxPool${rank}d`;
  const opts = (a: PoolArgs) => ({ returnIndices: a.returnIndices });
  return {
    name: `adaptive-max${rank}d`,
    fn,
    rank,
    summary: `adaptive max pooling (F.adaptive_max_pool${rank}d) to --output-size`,
    options: ["output-size", "return-indices"],
    required: ["output-size"],
    run: (x, a) => split(f(x, a.outputSize ?? 1, opts(a))),
    call: (a) => formatCall(fn, [a.outputSize], opts(a)),
    windows: (_x, out) => adaptive(out, rank),
    rule: () => ({ kind: "max" }),
  };
}

function adaptiveAvgOp(rank: 1 | 2 | 3, f: AdaptiveAvgFn): PoolOp {
  const fn = `adaptiveAvgPool${rank}d`;
  return {
    name: `adaptive-avg${rank}d`,
    fn,
    rank,
    summary: `adaptive average pooling (F.adaptive_avg_pool${rank}d) to --output-size`,
    options: ["output-size"],
    required: ["output-size"],
    run: (x, a) => ({ output: f(x, a.outputSize ?? 1) }),
    call: (a) => formatCall(fn, [a.outputSize], {}),
    windows: (_x, out) => adaptive(out, rank),
    rule: () => ({ kind: "mean", countIncludePad: true, divisorOverride: null }),
  };
}

function lpOp(rank: 1 | 2, f: LpFn): PoolOp {
  const fn = `lpPool${rank}d`;
  const opts = (a: PoolArgs) => ({ stride: a.stride, ceilMode: a.ceilMode });
  return {
    name: `lp${rank}d`,
    fn,
    rank,
    summary: `power-average pooling (F.lp_pool${rank}d): (sum x^p)^(1/p), p = --norm-type`,
    options: ["norm-type", "kernel-size", "stride", "ceil-mode"],
    required: ["norm-type", "kernel-size"],
    run: (x, a) => ({ output: f(x, a.normType ?? 2, a.kernelSize as SizeN, opts(a)) }),
    call: (a) => formatCall(fn, [a.normType, a.kernelSize], opts(a)),
    windows: (x, _out, a) => sliding(fn, x, rank, a, false, false),
    rule: (a) => ({ kind: "lp", normType: a.normType ?? 2 }),
  };
}

// Core's ops are typed per rank (Size2 = number | [number, number]); the CLI passes what the user typed
// and lets core reject a tuple of the wrong length with its own message.
const loose = <T>(f: unknown): T => f as T;

export const POOL_OPS: readonly PoolOp[] = [
  maxOp(1, loose(maxPool1d)),
  maxOp(2, loose(maxPool2d)),
  maxOp(3, loose(maxPool3d)),
  avgOp(1, loose(avgPool1d)),
  avgOp(2, loose(avgPool2d)),
  avgOp(3, loose(avgPool3d)),
  adaptiveMaxOp(1, loose(adaptiveMaxPool1d)),
  adaptiveMaxOp(2, loose(adaptiveMaxPool2d)),
  adaptiveMaxOp(3, loose(adaptiveMaxPool3d)),
  adaptiveAvgOp(1, loose(adaptiveAvgPool1d)),
  adaptiveAvgOp(2, loose(adaptiveAvgPool2d)),
  adaptiveAvgOp(3, loose(adaptiveAvgPool3d)),
  lpOp(1, loose(lpPool1d)),
  lpOp(2, loose(lpPool2d)),
];

export function findPoolOp(name: string): PoolOp | undefined {
  return POOL_OPS.find((op) => op.name === name);
}
