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
  globalAvgPool,
  globalMaxPool,
  lpPoolNd,
  maxPoolNd,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  maxUnpoolOutputSize,
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
export function resolveOnnxPads(c: OnnxCase, spatial: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): [number, number][] {
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
  if (rank < 1 || rank > 3 || rank !== xT.shape.length - 2) fail(c, `kernel_shape ${JSON.stringify(kernel)} does not match input shape ${JSON.stringify(xT.shape)}`);
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
    if (full.length !== rank + 2 || full[0] !== xT.shape[0] || full[1] !== xT.shape[1]) fail(c, `output_shape ${JSON.stringify(full)} does not fit input shape ${JSON.stringify(xT.shape)}`);
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

// ---- registry ---------------------------------------------------------------------------------------

/** Adapter per ONNX opType. Conv, ConvTranspose, DepthToSpace and SpaceToDepth are added with their ops. */
export const ONNX_MAPPERS: Readonly<Record<string, OnnxMapper>> = {
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
