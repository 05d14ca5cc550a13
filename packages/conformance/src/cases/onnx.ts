/**
 * The ONNX node tests in `onnx/cases/*.json` (ONNX v1.22.0, see onnx/README.md), mapped onto convkit's
 * API. Each case's attributes are resolved with the ONNX defaults and passed through core; where ONNX
 * and convkit encode the same thing differently (whole-tensor vs per-plane indices, uint8 data), the
 * adapter converts on the test side, from the actual output or the case's input data, never from values
 * convkit computed for the expectation. `ONNX_MAPPERS` maps an opType to its adapter; every copied case
 * must either map to a runnable case or be listed as not expressible, with the reason.
 */
import {
  type Tensor,
  avgPoolNd,
  convNd,
  convTransposeNd,
  convTransposeOutputSize,
  globalAvgPool,
  globalMaxPool,
  lpPoolNd,
  maxPoolNd,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  maxUnpoolOutputSize,
  permute,
  pixelShuffle,
  reshape,
  samePadding,
  tensor,
} from "@convkit/core";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeValues } from "../json-tensor.js";
import type { Comparison, ConformanceCase, ExpectedOutput, Feature, InexpressibleCase, JsonTensor } from "../types.js";

/** A tensor as the JSON extract writes it: the `.pb` dtype, flat row-major data. */
export interface OnnxTensor {
  name: string;
  shape: number[];
  dtype: "float32" | "int64" | "uint8";
  data: JsonTensor["data"];
}

export type OnnxAttribute = number | string | number[];

/** One upstream test folder: a single-node model, its one data set. Attributes hold only what the model sets. */
export interface OnnxCase {
  name: string;
  opType: string;
  attributes: Record<string, OnnxAttribute>;
  inputs: OnnxTensor[];
  outputs: OnnxTensor[];
  opset: number;
}

/** A mapped case: runnable through core, or not expressible with convkit's API, with the reason. */
export type OnnxMapping =
  | { readonly features: readonly Feature[]; readonly outputs: readonly ExpectedOutput[]; run(): Tensor[] }
  | { readonly inexpressible: string };

export type OnnxMapper = (c: OnnxCase) => OnnxMapping;

export const ONNX_CASE_DIR = fileURLToPath(new URL("../../onnx/cases/", import.meta.url));

/**
 * The ONNX backend test runner compares with `assert_allclose(rtol=1e-3, atol=1e-7)`; some upstream
 * expectations are hand-written and rounded, so the suite's tighter default would reject correct results.
 */
export const ONNX_TOLERANCE = {
  rtol: 1e-3,
  atol: 1e-7,
  reason:
    "ONNX's own runner tolerance (assert_allclose rtol 1e-3, atol 1e-7); some upstream expectations are rounded, e.g. 4 decimals in test_averagepool_2d_ceil_last_window_starts_on_pad",
} as const;

export function loadOnnxCases(dir = ONNX_CASE_DIR): OnnxCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as OnnxCase);
}

// ---- attributes -------------------------------------------------------------------------------------

function fail(c: OnnxCase, what: string): never {
  throw new Error(`ONNX case ${c.name} (${c.opType}): ${what}`);
}

/** Rejects attributes the adapter does not know, so none is silently ignored. */
export function checkAttributes(c: OnnxCase, known: readonly string[]): void {
  for (const k of Object.keys(c.attributes)) if (!known.includes(k)) fail(c, `attribute ${k} is not handled by the adapter`);
}

export function intsAttr(c: OnnxCase, name: string, fallback: number[]): number[] {
  const v = c.attributes[name];
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x))) fail(c, `attribute ${name} must be INTS, got ${JSON.stringify(v)}`);
  return v;
}

export function intAttr(c: OnnxCase, name: string, fallback: number): number {
  const v = c.attributes[name];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) fail(c, `attribute ${name} must be INT, got ${JSON.stringify(v)}`);
  return v;
}

export function stringAttr(c: OnnxCase, name: string, fallback: string): string {
  const v = c.attributes[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string") fail(c, `attribute ${name} must be STRING, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Per-dim `[begin, end]` pads from `auto_pad` and `pads` (ONNX order: all begins, then all ends).
 * SAME_UPPER / SAME_LOWER are resolved with core's samePadding (`out = ceil(in / s)`).
 */
export function resolveOnnxPads(
  c: OnnxCase,
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): [number, number][] {
  const rank = kernel.length;
  const autoPad = stringAttr(c, "auto_pad", "NOTSET");
  if (autoPad !== "NOTSET" && c.attributes.pads !== undefined) fail(c, `pads and auto_pad ${autoPad} are both set`);
  switch (autoPad) {
    case "NOTSET": {
      const pads = intsAttr(c, "pads", new Array(2 * rank).fill(0));
      if (pads.length !== 2 * rank) fail(c, `pads must hold ${2 * rank} values, got ${JSON.stringify(pads)}`);
      return kernel.map((_, i) => [pads[i], pads[rank + i]]);
    }
    case "VALID":
      return kernel.map(() => [0, 0]);
    case "SAME_UPPER":
    case "SAME_LOWER":
      return kernel.map((k, i) => samePadding(spatial[i], k, strides[i], dilations[i], autoPad === "SAME_UPPER" ? "upper" : "lower"));
    default:
      return fail(c, `unknown auto_pad ${autoPad}`);
  }
}

// ---- tensors ----------------------------------------------------------------------------------------

function int32Values(c: OnnxCase, t: OnnxTensor): number[] {
  const values = decodeValues(t);
  for (const v of values) if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) fail(c, `${t.name}: int64 value ${v} does not fit int32`);
  return values;
}

/**
 * An input on the active backend. convkit computes in float32 (and int32 for indices): uint8 data is
 * loaded as float32, exactly, since every uint8 value is a float32; int64 must fit int32.
 */
export function inputTensor(c: OnnxCase, t: OnnxTensor): Tensor {
  if (t.dtype === "int64") return tensor(Int32Array.from(int32Values(c, t)), t.shape, "int32");
  return tensor(Float32Array.from(decodeValues(t)), t.shape, "float32");
}

/** An upstream output as the expectation; uint8 values are compared as float32 (exact), int64 as int32. */
export function expectedOutput(c: OnnxCase, t: OnnxTensor, compare: Comparison): ExpectedOutput {
  const tolerance = compare === "close" ? ONNX_TOLERANCE : undefined;
  if (t.dtype === "int64") return { name: t.name, expected: { shape: t.shape, dtype: "int32", data: int32Values(c, t) }, compare, tolerance };
  const name = t.dtype === "uint8" ? `${t.name} (uint8 values, compared as float32)` : t.name;
  return { name, expected: { shape: t.shape, dtype: "float32", data: t.data }, compare, tolerance };
}

function product(xs: readonly number[]): number {
  return xs.reduce((a, v) => a * v, 1);
}

function arity(c: OnnxCase, inputs: readonly number[], outputs: readonly number[]): void {
  if (!inputs.includes(c.inputs.length)) fail(c, `expected ${inputs.join(" or ")} inputs, got ${c.inputs.length}`);
  if (!outputs.includes(c.outputs.length)) fail(c, `expected ${outputs.join(" or ")} outputs, got ${c.outputs.length}`);
}

// ---- pooling ----------------------------------------------------------------------------------------

const WINDOW_ATTRIBUTES = ["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides"] as const;

interface OnnxWindow {
  kernelSize: number[];
  stride: number[];
  pads: [number, number][];
  dilation: number[];
  ceilMode: boolean;
}

/** The sliding-window attributes with ONNX defaults (strides 1, not the kernel as in PyTorch). */
function onnxWindow(c: OnnxCase): OnnxWindow {
  const x = c.inputs[0];
  const kernelSize = intsAttr(c, "kernel_shape", []);
  const rank = kernelSize.length;
  if (rank < 1 || rank !== x.shape.length - 2) fail(c, `kernel_shape ${JSON.stringify(kernelSize)} does not match input shape ${JSON.stringify(x.shape)}`);
  const stride = intsAttr(c, "strides", new Array(rank).fill(1));
  const dilation = intsAttr(c, "dilations", new Array(rank).fill(1));
  const pads = resolveOnnxPads(c, x.shape.slice(2), kernelSize, stride, dilation);
  const ceilMode = intAttr(c, "ceil_mode", 0) === 1;
  return { kernelSize, stride, pads, dilation, ceilMode };
}

function windowFeatures(base: Feature, w: OnnxWindow): Feature[] {
  const f: Feature[] = [base];
  if (w.dilation.some((d) => d > 1)) f.push("dilation");
  if (w.ceilMode) f.push("ceilMode");
  if (w.pads.some(([b, e]) => b !== e)) f.push("asymmetricPadding");
  if (w.kernelSize.length === 3) f.push("pool3d");
  return f;
}

/**
 * convkit's per-plane (PyTorch) indices, row-major in the input plane, to ONNX's whole-tensor form:
 * add the plane offset `(n * C + c) * planeSize`; storage_order 1 re-linearises the coordinates inside
 * the plane column-major (2-D: `h + w * H`).
 */
export function onnxIndices(perPlane: ArrayLike<number>, outPlane: number, inSpatial: readonly number[], columnMajor: boolean): Int32Array {
  const inPlane = product(inSpatial);
  const rank = inSpatial.length;
  const out = new Int32Array(perPlane.length);
  for (let i = 0; i < perPlane.length; i++) {
    let v = perPlane[i];
    if (columnMajor) {
      let rest = v;
      let colStride = inPlane;
      v = 0;
      for (let d = rank - 1; d >= 0; d--) {
        colStride /= inSpatial[d];
        v += (rest % inSpatial[d]) * colStride;
        rest = Math.floor(rest / inSpatial[d]);
      }
    }
    out[i] = Math.floor(i / outPlane) * inPlane + v;
  }
  return out;
}

const mapMaxPool: OnnxMapper = (c) => {
  checkAttributes(c, [...WINDOW_ATTRIBUTES, "storage_order"]);
  arity(c, [1], [1, 2]);
  const w = onnxWindow(c);
  const columnMajor = intAttr(c, "storage_order", 0) === 1;
  const withIndices = c.outputs.length === 2;
  const features = windowFeatures("maxPool", w);
  if (withIndices) features.push("maxPoolIndices");
  return {
    features,
    outputs: c.outputs.map((o) => expectedOutput(c, o, "exact")),
    run: () => {
      // test_maxpool_2d_uint8: convkit has no uint8; its values run as float32 and compare exactly.
      const x = inputTensor(c, c.inputs[0]);
      if (!withIndices) return [maxPoolNd(x, w)];
      const [y, perPlane] = maxPoolNd(x, { ...w, returnIndices: true });
      const outPlane = product(perPlane.shape.slice(2));
      const idx = onnxIndices(perPlane.dataSync(), outPlane, x.shape.slice(2), columnMajor);
      return [y, tensor(idx, perPlane.shape, "int32")];
    },
  };
};

const mapAveragePool: OnnxMapper = (c) => {
  checkAttributes(c, [...WINDOW_ATTRIBUTES, "count_include_pad"]);
  arity(c, [1], [1]);
  const w = onnxWindow(c);
  const countIncludePad = intAttr(c, "count_include_pad", 0) === 1;
  return {
    features: windowFeatures("avgPool", w),
    outputs: [expectedOutput(c, c.outputs[0], "close")],
    run: () => [avgPoolNd(inputTensor(c, c.inputs[0]), { ...w, countIncludePad })],
  };
};

const mapLpPool: OnnxMapper = (c) => {
  checkAttributes(c, [...WINDOW_ATTRIBUTES, "p"]);
  arity(c, [1], [1]);
  const w = onnxWindow(c);
  const p = intAttr(c, "p", 2);
  return {
    // lpPoolNd composes abs, pow and a summing avgPool.
    features: [...windowFeatures("lpPool", w), "avgPool", "unary"],
    outputs: [expectedOutput(c, c.outputs[0], "close")],
    run: () => [lpPoolNd(inputTensor(c, c.inputs[0]), p, w)],
  };
};

function mapGlobal(pool: (x: Tensor) => Tensor, feature: Feature, compare: Comparison): OnnxMapper {
  return (c) => {
    checkAttributes(c, []);
    arity(c, [1], [1]);
    const features: Feature[] = [feature];
    if (c.inputs[0].shape.length === 5) features.push("pool3d");
    return { features, outputs: [expectedOutput(c, c.outputs[0], compare)], run: () => [pool(inputTensor(c, c.inputs[0]))] };
  };
}

interface UnpoolArgs {
  stride: number[];
  padding: number[];
  outputSize: number[] | null;
}

/** The maxUnpool1d/2d/3d call for the kernel's rank (their size arguments are fixed-length tuples). */
function unpool(x: Tensor, idx: Tensor, k: number[], a: UnpoolArgs): Tensor {
  const { stride: s, padding: p, outputSize } = a;
  if (k.length === 1) return maxUnpool1d(x, idx, [k[0]], { stride: [s[0]], padding: [p[0]], outputSize });
  if (k.length === 2) return maxUnpool2d(x, idx, [k[0], k[1]], { stride: [s[0], s[1]], padding: [p[0], p[1]], outputSize });
  return maxUnpool3d(x, idx, [k[0], k[1], k[2]], { stride: [s[0], s[1], s[2]], padding: [p[0], p[1], p[2]], outputSize });
}

/**
 * ONNX MaxUnpool takes whole-tensor indices into the default-size output `(in - 1) * s + k - pb - pe`.
 * Without `output_shape` they become per-plane indices (subtract the plane offset). With it, the ONNX
 * reference scatters into the default-size plane and places that at the origin of a zero tensor of
 * `output_shape`; the same result comes from convkit's `outputSize` (PyTorch semantics: indices into the
 * requested plane) once each index's coordinates in the default plane are re-linearised in the larger
 * one. Both conversions read only the case's input data.
 */
const mapMaxUnpool: OnnxMapper = (c) => {
  checkAttributes(c, ["kernel_shape", "pads", "strides"]);
  arity(c, [2, 3], [1]);
  const [xT, xI, shapeInput] = c.inputs;
  const kernel = intsAttr(c, "kernel_shape", []);
  const rank = kernel.length;
  if (rank < 1 || rank > 3 || rank !== xT.shape.length - 2)
    fail(c, `kernel_shape ${JSON.stringify(kernel)} does not match input shape ${JSON.stringify(xT.shape)}`);
  const stride = intsAttr(c, "strides", new Array(rank).fill(1));
  const pads = resolveOnnxPads(c, xT.shape.slice(2), kernel, stride, new Array(rank).fill(1));
  if (pads.some(([b, e]) => b !== e)) {
    return { inexpressible: `asymmetric pads ${JSON.stringify(pads)}: maxUnpool's padding (as PyTorch's) is symmetric per dim` };
  }
  const padding = pads.map(([b]) => b);
  const defaults = xT.shape.slice(2).map((n, i) => maxUnpoolOutputSize(n, kernel[i], stride[i], padding[i]));
  const defPlane = product(defaults);
  const flat = int32Values(c, xI);
  const inPlane = product(xI.shape.slice(2));
  const perPlane = flat.map((v, i) => v - Math.floor(i / inPlane) * defPlane);
  const stray = perPlane.findIndex((v) => v < 0 || v >= defPlane);
  if (stray >= 0) {
    return { inexpressible: `index ${flat[stray]} at flat position ${stray} points outside its own (n, c) plane; convkit's indices are per plane` };
  }
  let outputSize: number[] | null = null;
  let indices = perPlane;
  if (shapeInput !== undefined) {
    const full = int32Values(c, shapeInput);
    const target = full.slice(2);
    if (full.length !== rank + 2 || full[0] !== xT.shape[0] || full[1] !== xT.shape[1])
      fail(c, `output_shape ${JSON.stringify(full)} does not fit input shape ${JSON.stringify(xT.shape)}`);
    const bad = target.findIndex((t, i) => t < defaults[i] || t >= defaults[i] + stride[i]);
    if (bad >= 0) {
      return {
        inexpressible: `output_shape ${JSON.stringify(full)}: dim ${bad} must be at least the default size ${defaults[bad]} (ONNX places the default-size result at the origin) and below default + stride (maxUnpool's outputSize range)`,
      };
    }
    outputSize = target;
    indices = perPlane.map((v) => relinearize(v, defaults, target));
  }
  const features: Feature[] = ["maxUnpool"];
  if (rank === 3) features.push("pool3d");
  return {
    features,
    outputs: [expectedOutput(c, c.outputs[0], "exact")],
    run: () => {
      const x = inputTensor(c, xT);
      const idx = tensor(Int32Array.from(indices), xI.shape, "int32");
      return [unpool(x, idx, kernel, { stride, padding, outputSize })];
    },
  };
};

/** Row-major index in a plane of shape `from` to the same coordinates' row-major index in `to`. */
export function relinearize(v: number, from: readonly number[], to: readonly number[]): number {
  let rest = v;
  let out = 0;
  let scale = 1;
  for (let d = from.length - 1; d >= 0; d--) {
    out += (rest % from[d]) * scale;
    rest = Math.floor(rest / from[d]);
    scale *= to[d];
  }
  return out;
}

// ---- convolution ------------------------------------------------------------------------------------

const CONV_ATTRIBUTES = ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"] as const;

export interface OnnxConvGeometry {
  kernel: number[];
  stride: number[];
  dilation: number[];
  groups: number;
}

/** Kernel from W's spatial dims (kernel_shape, when set, must agree), strides/dilations default 1. */
function convGeometry(c: OnnxCase, x: OnnxTensor, w: OnnxTensor): OnnxConvGeometry {
  const kernel = w.shape.slice(2);
  const rank = kernel.length;
  if (rank < 1 || x.shape.length !== rank + 2) fail(c, `W shape ${JSON.stringify(w.shape)} does not match input shape ${JSON.stringify(x.shape)}`);
  const declared = intsAttr(c, "kernel_shape", kernel);
  if (declared.length !== rank || declared.some((k, i) => k !== kernel[i]))
    fail(c, `kernel_shape ${JSON.stringify(declared)} differs from W's spatial shape ${JSON.stringify(kernel)}`);
  const stride = intsAttr(c, "strides", new Array(rank).fill(1));
  const dilation = intsAttr(c, "dilations", new Array(rank).fill(1));
  if (stride.length !== rank || dilation.length !== rank)
    fail(c, `strides ${JSON.stringify(stride)} and dilations ${JSON.stringify(dilation)} must hold ${rank} values`);
  return { kernel, stride, dilation, groups: intAttr(c, "group", 1) };
}

function convFeatures(base: Feature, g: OnnxConvGeometry, pads: readonly (readonly [number, number])[]): Feature[] {
  const f: Feature[] = [base];
  if (g.kernel.length === 3) f.push("conv3d");
  if (g.groups > 1) f.push("groups");
  if (g.dilation.some((d) => d > 1)) f.push("dilation");
  if (pads.some(([b, e]) => b !== e)) f.push("asymmetricPadding");
  return f;
}

/** The optional bias B (none of the upstream cases has one). */
function biasTensor(c: OnnxCase, b: OnnxTensor | undefined): Tensor | null {
  return b === undefined ? null : inputTensor(c, b);
}

/** ONNX Conv: W `[M, C / group, k...]` as in PyTorch; auto_pad resolved as for pooling, pads passed as `[begin, end]`. */
const mapConv: OnnxMapper = (c) => {
  checkAttributes(c, CONV_ATTRIBUTES);
  arity(c, [2, 3], [1]);
  const [x, w, b] = c.inputs;
  const g = convGeometry(c, x, w);
  const pads = resolveOnnxPads(c, x.shape.slice(2), g.kernel, g.stride, g.dilation);
  const features = convFeatures("conv", g, pads);
  if (g.groups > 1 && g.groups === x.shape[1]) features.push("depthwise");
  return {
    features,
    outputs: [expectedOutput(c, c.outputs[0], "close")],
    run: () => [convNd(inputTensor(c, x), inputTensor(c, w), { bias: biasTensor(c, b), stride: g.stride, dilation: g.dilation, groups: g.groups, pads })],
  };
};

/**
 * ConvTranspose pads per dim. `output_shape` (or, with auto_pad SAME_*, `in * s`) overrides `pads`:
 * `total = s * (in - 1) + output_padding + dk - target`; SAME_UPPER puts `floor(total / 2)` at the begin,
 * NOTSET and SAME_LOWER put it at the end (floor division, so a negative total gives a negative end pad).
 */
export function convTransposePads(c: OnnxCase, spatial: readonly number[], g: OnnxConvGeometry, outputPadding: readonly number[]): [number, number][] {
  const rank = g.kernel.length;
  const autoPad = stringAttr(c, "auto_pad", "NOTSET");
  let target = c.attributes.output_shape === undefined ? null : intsAttr(c, "output_shape", []);
  if (target === null && (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER")) target = spatial.map((n, i) => n * g.stride[i]);
  if (target === null) return resolveOnnxPads(c, spatial, g.kernel, g.stride, g.dilation);
  if (target.length !== rank) fail(c, `output_shape ${JSON.stringify(target)} must hold ${rank} spatial sizes`);
  if (autoPad !== "NOTSET" && autoPad !== "SAME_UPPER" && autoPad !== "SAME_LOWER") fail(c, `auto_pad ${autoPad} with output_shape is not handled`);
  return target.map((t, i) => {
    const full = convTransposeOutputSize(spatial[i], g.kernel[i], g.stride[i], 0, 0, g.dilation[i], outputPadding[i]);
    const total = full - t;
    const half = Math.floor(total / 2);
    return autoPad === "SAME_UPPER" ? [half, total - half] : [total - half, half];
  });
}

/** ONNX ConvTranspose: W `[C, M / group, k...]` as in PyTorch; begin/end pads and output_padding go to convTransposeNd. */
const mapConvTranspose: OnnxMapper = (c) => {
  checkAttributes(c, [...CONV_ATTRIBUTES, "output_padding", "output_shape"]);
  arity(c, [2, 3], [1]);
  const [x, w, b] = c.inputs;
  const g = convGeometry(c, x, w);
  const outputPadding = intsAttr(c, "output_padding", new Array(g.kernel.length).fill(0));
  if (outputPadding.length !== g.kernel.length) fail(c, `output_padding ${JSON.stringify(outputPadding)} must hold ${g.kernel.length} values`);
  const pads = convTransposePads(c, x.shape.slice(2), g, outputPadding);
  const negative = pads.findIndex(([pb]) => pb < 0);
  if (negative >= 0) {
    return { inexpressible: `begin pad ${pads[negative][0]} in dim ${negative} is negative; convTransposeNd allows a negative pad only at the end` };
  }
  return {
    features: convFeatures("convTranspose", g, pads),
    outputs: [expectedOutput(c, c.outputs[0], "close")],
    run: () => [
      convTransposeNd(inputTensor(c, x), inputTensor(c, w), {
        bias: biasTensor(c, b),
        stride: g.stride,
        dilation: g.dilation,
        groups: g.groups,
        padBegin: pads.map(([pb]) => pb),
        padEnd: pads.map(([, pe]) => pe),
        outputPadding,
      }),
    ],
  };
};

// ---- depth / space ----------------------------------------------------------------------------------

/** blocksize and the 4-D input both ops require. */
function blockArgs(c: OnnxCase): { b: number; shape: [number, number, number, number] } {
  arity(c, [1], [1]);
  const b = intAttr(c, "blocksize", 0);
  const s = c.inputs[0].shape;
  if (b < 1 || s.length !== 4) fail(c, `needs blocksize >= 1 and a 4-D input, got blocksize ${b}, input shape ${JSON.stringify(s)}`);
  return { b, shape: [s[0], s[1], s[2], s[3]] };
}

/** reshape, permute, reshape through core: the data moves in the backend, not on the test side. */
function rearrange(x: Tensor, split: readonly number[], perm: readonly number[], out: readonly number[]): Tensor {
  return reshape(permute(reshape(x, split), perm), out);
}

/**
 * ONNX DepthToSpace. CRD is PyTorch's pixel_shuffle order; DCR (the default) takes the block offsets
 * from the leading channel bits: `[N, b, b, C/b², H, W]` permuted `[0, 3, 4, 1, 5, 2]`.
 */
const mapDepthToSpace: OnnxMapper = (c) => {
  checkAttributes(c, ["blocksize", "mode"]);
  const { b, shape } = blockArgs(c);
  const [n, ch, h, w] = shape;
  const mode = stringAttr(c, "mode", "DCR");
  if (mode !== "DCR" && mode !== "CRD") fail(c, `unknown mode ${mode}`);
  if (ch % (b * b) !== 0) fail(c, `channels ${ch} must be divisible by blocksize² ${b * b}`);
  const oc = ch / (b * b);
  return {
    features: mode === "CRD" ? ["shuffle"] : ["layout"],
    outputs: [expectedOutput(c, c.outputs[0], "exact")],
    run: () => {
      const x = inputTensor(c, c.inputs[0]);
      if (mode === "CRD") return [pixelShuffle(x, b)];
      return [rearrange(x, [n, b, b, oc, h, w], [0, 3, 4, 1, 5, 2], [n, oc, h * b, w * b])];
    },
  };
};

/**
 * ONNX SpaceToDepth: output channel `(i * b + j) * C + c`, i.e. `[N, C, H/b, b, W/b, b]` permuted
 * `[0, 3, 5, 1, 2, 4]`. PyTorch's pixel_unshuffle orders channels `c * b² + i * b + j` (same only for C = 1).
 */
const mapSpaceToDepth: OnnxMapper = (c) => {
  checkAttributes(c, ["blocksize"]);
  const { b, shape } = blockArgs(c);
  const [n, ch, h, w] = shape;
  if (h % b !== 0 || w % b !== 0) fail(c, `height ${h} and width ${w} must be divisible by blocksize ${b}`);
  return {
    features: ["layout"],
    outputs: [expectedOutput(c, c.outputs[0], "exact")],
    run: () => [rearrange(inputTensor(c, c.inputs[0]), [n, ch, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4], [n, ch * b * b, h / b, w / b])],
  };
};

// ---- registry ---------------------------------------------------------------------------------------

/** Adapter per ONNX opType. */
export const ONNX_MAPPERS: Readonly<Record<string, OnnxMapper>> = {
  Conv: mapConv,
  ConvTranspose: mapConvTranspose,
  DepthToSpace: mapDepthToSpace,
  SpaceToDepth: mapSpaceToDepth,
  MaxPool: mapMaxPool,
  AveragePool: mapAveragePool,
  LpPool: mapLpPool,
  GlobalMaxPool: mapGlobal(globalMaxPool, "adaptiveMaxPool", "exact"),
  GlobalAveragePool: mapGlobal(globalAvgPool, "adaptiveAvgPool", "close"),
  MaxUnpool: mapMaxUnpool,
};

interface OnnxSuite {
  cases: ConformanceCase[];
  inexpressible: InexpressibleCase[];
}

let mapped: OnnxSuite | null = null;

/** Maps every case file once; a file whose opType has no adapter is an error, not a silent skip. */
function mapAll(): OnnxSuite {
  if (mapped !== null) return mapped;
  const suite: OnnxSuite = { cases: [], inexpressible: [] };
  for (const c of loadOnnxCases()) {
    const mapper = ONNX_MAPPERS[c.opType];
    if (mapper === undefined) fail(c, `no adapter for opType ${c.opType} in ONNX_MAPPERS`);
    const id = `onnx/${c.name}`;
    const m = mapper(c);
    if ("inexpressible" in m) suite.inexpressible.push({ id, reason: m.inexpressible });
    else suite.cases.push({ id, source: "onnx", features: m.features, outputs: m.outputs, run: m.run });
  }
  mapped = suite;
  return suite;
}

export function onnxCases(): ConformanceCase[] {
  return mapAll().cases;
}

export function onnxInexpressible(): InexpressibleCase[] {
  return mapAll().inexpressible;
}
