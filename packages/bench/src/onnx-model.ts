/**
 * Builds one-node ONNX models (Conv, ConvTranspose, MaxPool, AveragePool) in memory, so the benchmark can
 * hand onnxruntime-node exactly the operation convkit runs, with no model files on disk.
 * Field numbers follow onnx/onnx.proto.
 */
import { ProtoWriter } from "./protobuf.js";

/** IR version 8 (ONNX 1.10+) with opset 13: every attribute used here exists in that opset. */
const IR_VERSION = 8;
export const DEFAULT_OPSET = 13;

const TENSOR_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

export type OnnxOpType = "Conv" | "ConvTranspose" | "MaxPool" | "AveragePool";

export interface FloatInitializer {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export interface SingleNodeModelSpec {
  readonly opType: OnnxOpType;
  /** Shape of the graph input "X". */
  readonly inputShape: readonly number[];
  /** Shape of the graph output "Y". */
  readonly outputShape: readonly number[];
  /** Conv / ConvTranspose weight, stored in the model as the initializer "W". */
  readonly weight?: FloatInitializer;
  /** Optional bias, stored as the initializer "B". */
  readonly bias?: FloatInitializer;
  /** A number is written as an INT attribute, an array as INTS. */
  readonly attributes?: Readonly<Record<string, number | readonly number[]>>;
  readonly opset?: number;
}

export const MODEL_INPUT = "X";
export const MODEL_OUTPUT = "Y";

function attribute(name: string, value: number | readonly number[]): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof value === "number") return a.varint(3, value).varint(20, ATTRIBUTE_INT);
  return a.repeatedVarints(8, value).varint(20, ATTRIBUTE_INTS);
}

function floatTensor(name: string, t: FloatInitializer): ProtoWriter {
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new RangeError(`onnx initializer ${name}: shape [${t.shape}] holds ${count} values, data has ${t.data.length}`);
  // raw_data is little-endian float32; Float32Array uses the host order, which is little-endian on every
  // platform onnxruntime-node ships for.
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return new ProtoWriter().repeatedVarints(1, t.shape).varint(2, TENSOR_FLOAT).string(8, name).bytes(9, raw);
}

function valueInfo(name: string, shape: readonly number[]): ProtoWriter {
  const dims = new ProtoWriter();
  for (const d of shape) dims.message(1, new ProtoWriter().varint(1, d));
  const tensorType = new ProtoWriter().varint(1, TENSOR_FLOAT).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Serialises a ModelProto whose graph is the single node `Y = opType(X[, W[, B]])`. */
export function buildSingleNodeModel(spec: SingleNodeModelSpec): Uint8Array {
  const node = new ProtoWriter().string(1, MODEL_INPUT);
  if (spec.bias && !spec.weight) throw new RangeError(`onnx ${spec.opType}: a bias needs a weight`);
  if (spec.weight) node.string(1, "W");
  if (spec.bias) node.string(1, "B");
  node.string(2, MODEL_OUTPUT).string(3, `${spec.opType.toLowerCase()}_0`).string(4, spec.opType);
  for (const [name, value] of Object.entries(spec.attributes ?? {})) node.message(5, attribute(name, value));

  const graph = new ProtoWriter().message(1, node).string(2, `convkit_bench_${spec.opType}`);
  if (spec.weight) graph.message(5, floatTensor("W", spec.weight));
  if (spec.bias) graph.message(5, floatTensor("B", spec.bias));
  graph.message(11, valueInfo(MODEL_INPUT, spec.inputShape)).message(12, valueInfo(MODEL_OUTPUT, spec.outputShape));

  const opset = new ProtoWriter().string(1, "").varint(2, spec.opset ?? DEFAULT_OPSET);
  return new ProtoWriter().varint(1, IR_VERSION).string(2, "convkit-bench").message(7, graph).message(8, opset).finish();
}
