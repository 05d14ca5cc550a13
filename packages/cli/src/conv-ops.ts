/**
 * The convolution ops `convkit conv` can run: one entry per op with the CLI options it takes, how it
 * calls core, and the call as written with convkit's API. `--explain` lives in conv-explain.ts.
 */
import { type PaddingMode, type SizeN, type Tensor, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from "@convkit/core";
import { formatLiteral } from "./format.js";

/** The CLI options a convolution op may take (their --long names), besides --input/--weight/--bias. */
export type ConvOption = "stride" | "padding" | "padding-mode" | "dilation" | "groups" | "output-padding";

/** Parsed convolution arguments; undefined means "not given", so core applies PyTorch's default. */
export interface ConvArgs {
  stride?: SizeN;
  padding?: SizeN | "same" | "valid";
  paddingMode?: PaddingMode;
  dilation?: SizeN;
  groups?: number;
  outputPadding?: SizeN;
}

export interface ConvOp {
  /** CLI name, e.g. "conv2d", "conv-transpose2d". */
  readonly name: string;
  /** The core function it calls, e.g. "convTranspose2d". */
  readonly fn: string;
  readonly rank: 1 | 2 | 3;
  readonly transposed: boolean;
  readonly summary: string;
  readonly options: readonly ConvOption[];
  run(x: Tensor, weight: Tensor, bias: Tensor | null, a: ConvArgs): Tensor;
  /** The call as written with convkit's API, e.g. `conv2d(x, weight, { bias, padding: 1 })`. */
  call(a: ConvArgs, hasBias: boolean): string;
}

type ConvFn = (x: Tensor, w: Tensor, o: object) => Tensor;

function optionsOf(a: ConvArgs, bias: Tensor | null, transposed: boolean): Record<string, unknown> {
  return transposed
    ? { bias, stride: a.stride, padding: a.padding, outputPadding: a.outputPadding, groups: a.groups, dilation: a.dilation }
    : { bias, stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups, paddingMode: a.paddingMode };
}

function formatCall(fn: string, a: ConvArgs, hasBias: boolean, transposed: boolean): string {
  const opts = Object.entries(optionsOf(a, null, transposed))
    .filter(([k, v]) => v !== undefined && k !== "bias")
    .map(([k, v]) => `${k}: ${typeof v === "string" ? JSON.stringify(v) : formatLiteral(v)}`);
  const all = hasBias ? ["bias", ...opts] : opts;
  return `${fn}(x, weight${all.length > 0 ? `, { ${all.join(", ")} }` : ""})`;
}

function convOp(rank: 1 | 2 | 3, f: ConvFn): ConvOp {
  const fn = `conv${rank}d`;
  return {
    name: fn,
    fn,
    rank,
    transposed: false,
    summary: `convolution (F.conv${rank}d, nn.Conv${rank}d's padding modes); weight [Cout, Cin/groups, ${["kL", "kH, kW", "kD, kH, kW"][rank - 1]}]`,
    options: ["stride", "padding", "padding-mode", "dilation", "groups"],
    run: (x, w, bias, a) => f(x, w, optionsOf(a, bias, false)),
    call: (a, hasBias) => formatCall(fn, a, hasBias, false),
  };
}

function convTransposeOp(rank: 1 | 2 | 3, f: ConvFn): ConvOp {
  const fn = `convTranspose${rank}d`;
  return {
    name: `conv-transpose${rank}d`,
    fn,
    rank,
    transposed: true,
    summary: `transposed convolution (F.conv_transpose${rank}d); weight [Cin, Cout/groups, ${["kL", "kH, kW", "kD, kH, kW"][rank - 1]}]`,
    options: ["stride", "padding", "dilation", "groups", "output-padding"],
    run: (x, w, bias, a) => f(x, w, optionsOf(a, bias, true)),
    call: (a, hasBias) => formatCall(fn, a, hasBias, true),
  };
}

// Core's ops are typed per rank (Size2 = number | [number, number]); the CLI passes what the user typed
// and lets core reject a tuple of the wrong length with its own message.
const loose = <T>(f: unknown): T => f as T;

export const CONV_OPS: readonly ConvOp[] = [
  convOp(1, loose(conv1d)),
  convOp(2, loose(conv2d)),
  convOp(3, loose(conv3d)),
  convTransposeOp(1, loose(convTranspose1d)),
  convTransposeOp(2, loose(convTranspose2d)),
  convTransposeOp(3, loose(convTranspose3d)),
];

export function findConvOp(name: string): ConvOp | undefined {
  return CONV_OPS.find((op) => op.name === name);
}
