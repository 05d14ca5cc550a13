/**
 * TensorFlow.js 4.22 peers ("cpu": plain JS kernels, "wasm": XNNPACK, one thread in Node).
 * tfjs is channels-last with HWIO filters: inputs and weights are converted once, outside timing, and the
 * output is converted back to channels-first only for verification.
 */
import type * as Tf from "@tensorflow/tfjs-core";
import { channelsLastShape, kernelAxesFirst, toChannelsFirst, toChannelsLast, type WorkloadData } from "../data.js";
import { type Workload, elementCount } from "../workloads.js";
import { type EngineInstance, type EngineSpec, type PrepareResult, unavailable } from "./types.js";

type TfBackend = "cpu" | "wasm";
type Op = () => Tf.Tensor;

function pad2d(w: Workload): number | "valid" {
  const [ph, pw] = w.padding;
  // A numeric pad is symmetric and tfjs truncates (pad + in - k) / stride + 1, which is PyTorch's floor here.
  if (ph !== pw) throw new Error(`${w.id}: tfjs takes one symmetric pad, got ${w.padding}`);
  return ph === 0 ? "valid" : ph;
}

function buildOp(tf: typeof Tf, w: Workload, data: WorkloadData): { op: Op; tensors: Tf.Tensor[] } | string {
  // tfjs cannot import a PyTorch or ONNX network; convkit-tfjs-wasm runs these models on tfjs's engine.
  if (w.kind === "model") return "tfjs cannot import a PyTorch or ONNX network; see convkit-tfjs-wasm";
  const rank = w.inputShape.length - 2;
  const x = tf.tensor(toChannelsLast(data.input, w.inputShape), channelsLastShape(w.inputShape), "float32");
  const tensors: Tf.Tensor[] = [x];
  const x4 = x as Tf.Tensor4D;
  if (w.kind === "maxPool" || w.kind === "avgPool") {
    if (rank !== 2) return `bench has no tfjs ${w.kind} ${rank}d mapping`;
    const k = w.kernel as [number, number];
    const s = w.stride as [number, number];
    const pad = pad2d(w);
    // tfjs max pooling only looks at in-bounds values, i.e. PyTorch's implicit -inf padding.
    return { op: w.kind === "maxPool" ? () => tf.maxPool(x4, k, s, pad) : () => tf.avgPool(x4, k, s, pad), tensors };
  }
  if (!data.weight || !w.weightShape) throw new Error(`${w.id}: conv workload without a weight`);
  const kernelFirst = kernelAxesFirst(data.weight, w.weightShape);
  if (w.kind === "convTranspose") {
    if (rank !== 2 || w.groups !== 1) return "tfjs has only ungrouped conv2dTranspose";
    // PyTorch (Cin, Cout, kh, kw) -> tfjs [kh, kw, outDepth, inDepth]: the forward conv's HWIO filter.
    const [cin, cout, kh, kw] = w.weightShape;
    const filter = tf.tensor4d(kernelFirst, [kh, kw, cout, cin]);
    tensors.push(filter);
    const outShape = channelsLastShape(w.outputShape) as [number, number, number, number];
    const s = w.stride as [number, number];
    const pad = pad2d(w);
    return { op: () => tf.conv2dTranspose(x4, filter, outShape, s, pad), tensors };
  }
  if (rank === 3) {
    if (w.groups !== 1) return "tfjs has no grouped conv3d";
    // tf.conv3d takes only "same" / "valid"; "same" equals PyTorch's symmetric pad for stride 1, pad (k-1)/2.
    const symmetricSame = w.stride.every((s, i) => s === 1 && w.padding[i] * 2 === w.kernel[i] - 1);
    if (!symmetricSame && w.padding.some((p) => p !== 0)) return "tf.conv3d has no explicit padding";
    const [cout, cin, kd, kh, kw] = w.weightShape;
    const filter = tf.tensor5d(kernelFirst, [kd, kh, kw, cin, cout]);
    tensors.push(filter);
    const s = w.stride as [number, number, number];
    const pad = symmetricSame ? "same" : "valid";
    return { op: () => tf.conv3d(x as Tf.Tensor5D, filter, s, pad), tensors };
  }
  if (rank !== 2) return `bench has no tfjs conv ${rank}d mapping`;
  const [cout, cinPerGroup, kh, kw] = w.weightShape;
  const cin = w.inputShape[1];
  const s = w.stride as [number, number];
  const pad = pad2d(w);
  if (w.groups === 1) {
    const filter = tf.tensor4d(kernelFirst, [kh, kw, cin, cout]);
    tensors.push(filter);
    return { op: () => tf.conv2d(x4, filter, s, pad), tensors };
  }
  if (w.groups === cin && cinPerGroup === 1) {
    // Depthwise: PyTorch (C * m, 1, kh, kw) -> [kh, kw, 1, C*m], which for m = 1 is the same memory as
    // tfjs's [kh, kw, C, 1].
    const filter = tf.tensor4d(kernelFirst, [kh, kw, cin, cout / cin]);
    tensors.push(filter);
    return { op: () => tf.depthwiseConv2d(x4, filter, s, pad), tensors };
  }
  return "tfjs has no grouped conv2d other than depthwise";
}

class TfjsInstance implements EngineInstance {
  constructor(
    private readonly tf: typeof Tf,
    private readonly backend: TfBackend,
    readonly versions: Record<string, string>,
  ) {}

  async prepare(w: Workload, data: WorkloadData): Promise<PrepareResult> {
    const { tf, backend } = this;
    // Another engine in the same process may have switched tfjs's global backend.
    if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") returned false`);
    const built = buildOp(tf, w, data);
    if (typeof built === "string") return unavailable(built);
    const { op, tensors } = built;
    const expected = channelsLastShape(w.outputShape);
    return {
      ok: true,
      run: {
        run: () => {
          op().dispose();
        },
        read: async () => {
          const y = op();
          try {
            if (y.shape.join() !== expected.join()) throw new Error(`tfjs ${backend} output shape [${y.shape}], expected [${expected}]`);
            const values = (await y.data()) as Float32Array;
            if (values.length !== elementCount(expected)) throw new Error("tfjs output size mismatch");
            return toChannelsFirst(values, expected);
          } finally {
            y.dispose();
          }
        },
        dispose: () => {
          for (const t of tensors) t.dispose();
        },
      },
    };
  }
}

function tfjsEngine(backend: TfBackend, description: string): EngineSpec {
  return {
    id: `tfjs-${backend}`,
    family: "peer",
    description,
    async load() {
      const tf = await import("@tensorflow/tfjs-core");
      if (backend === "cpu") await import("@tensorflow/tfjs-backend-cpu");
      else await import("@tensorflow/tfjs-backend-wasm");
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") returned false`);
      await tf.ready();
      const versions: Record<string, string> = { "@tensorflow/tfjs-core": tf.version_core };
      if (backend === "wasm") versions["tfjs-wasm SIMD"] = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? "on" : "off";
      return new TfjsInstance(tf, backend, versions);
    },
  };
}

export const TFJS_ENGINES: readonly EngineSpec[] = [
  tfjsEngine("cpu", "TensorFlow.js 4.22 cpu backend (plain JS kernels)"),
  tfjsEngine("wasm", "TensorFlow.js 4.22 wasm backend (XNNPACK, SIMD, 1 thread in Node)"),
];
