import type {
  AdaptivePoolGeometry,
  AvgPoolGeometry,
  Backend,
  ConvGeometry,
  ConvTransposeGeometry,
  BackendMemory,
  DType,
  DataHandle,
  KernelTensor,
  MaxPoolResult,
  MaxUnpoolGeometry,
  PadMode,
  PoolGeometry,
  TypedArray,
  UnaryOp,
} from "@convkit/core";
import { adaptivePool3 } from "./kernels/adaptive-pool.js";
import { avgPool3 } from "./kernels/avg-pool.js";
import { conv3 } from "./kernels/conv.js";
import { convTranspose3 } from "./kernels/conv-transpose.js";
import { lift3, liftSizes, liftWindows } from "./kernels/lift.js";
import { maxPool3 } from "./kernels/max-pool.js";
import { maxUnpool } from "./kernels/max-unpool.js";
import { pad } from "./kernels/pad.js";
import { unary } from "./kernels/unary.js";
import type { ArgReduceResult, BinaryOp, Im2ColGeometry, ReduceOp } from "@convkit/core";
import { binary } from "./kernels/binary.js";
import { fold2d, unfold2d } from "./kernels/im2col.js";
import { concat, slice, transpose } from "./kernels/layout.js";
import { matmul } from "./kernels/matmul.js";
import { argReduce, reduce, softmax, splitAt } from "./kernels/reduce.js";
import type { AccumulatingPadMode, AutogradKernels, CompareOp } from "@convkit/core";
import { adaptiveAvgPoolBackward3 } from "./kernels/adaptive-pool.js";
import { avgPoolBackward3 } from "./kernels/avg-pool.js";
import { padBackward } from "./kernels/pad.js";
import { gather, scatterAdd } from "./kernels/scatter.js";
import { compare, where } from "./kernels/select.js";
import { convWeightGrad3 } from "./kernels/conv-weight-grad.js";

/** One typed array shared by every handle that views it (reshape aliases instead of copying). */
interface CpuBuffer {
  readonly data: TypedArray;
  refs: number;
}

/** The CPU backend's data handle: a view of a buffer. */
export class CpuHandle {
  constructor(readonly buffer: CpuBuffer) {}
}

function prod(a: readonly number[]): number {
  let n = 1;
  for (const v of a) n *= v;
  return n;
}

/** Handwritten TypeScript kernels on flat typed arrays, NCHW layout, one N-d implementation per op family. */
export class CpuBackend implements Backend, AutogradKernels {
  readonly name: string;
  private numBuffers = 0;
  private numBytes = 0;

  constructor(name = "cpu") {
    this.name = name;
  }

  private own(data: TypedArray): CpuHandle {
    this.numBuffers++;
    this.numBytes += data.byteLength;
    return new CpuHandle({ data, refs: 1 });
  }

  /** The typed array behind a tensor of this backend (no copy). */
  read(x: KernelTensor): TypedArray {
    return (x.handle as CpuHandle).buffer.data;
  }

  private f32(x: KernelTensor): Float32Array {
    return this.read(x) as Float32Array;
  }

  upload(values: TypedArray, _shape: readonly number[], _dtype: DType): DataHandle {
    return this.own(values);
  }

  async download(x: KernelTensor): Promise<TypedArray> {
    return this.downloadSync(x);
  }

  downloadSync(x: KernelTensor): TypedArray {
    return this.read(x).slice();
  }

  release(handle: DataHandle): void {
    const b = (handle as CpuHandle).buffer;
    if (--b.refs === 0) {
      this.numBuffers--;
      this.numBytes -= b.data.byteLength;
    }
  }

  memory(): BackendMemory {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes };
  }

  reshape(x: KernelTensor, _shape: readonly number[]): DataHandle {
    const b = (x.handle as CpuHandle).buffer;
    b.refs++;
    return new CpuHandle(b);
  }

  unary(x: KernelTensor, op: UnaryOp, alpha: number): DataHandle {
    const src = this.f32(x);
    const out = this.floats(src.length);
    unary(src, op, alpha, out);
    return this.own(out);
  }

  // Tensor plumbing: thin wrappers over kernels/{binary,layout,reduce,matmul,im2col}.ts.
  private alloc(dtype: DType, size: number): TypedArray {
    return dtype === "int32" ? new Int32Array(size) : this.floats(size);
  }

  /**
   * A zero-filled float32 array for a kernel's output. The SIMD backend overrides it to place large
   * arrays in the kernels' linear memory, so the next SIMD kernel reads them without a copy.
   */
  protected floats(size: number): Float32Array {
    return new Float32Array(size);
  }

  binary(a: KernelTensor, b: KernelTensor, op: BinaryOp, outShape: readonly number[]): DataHandle {
    const out = this.alloc(a.dtype, prod(outShape));
    binary(this.read(a), a.shape, this.read(b), b.shape, op, outShape, out);
    return this.own(out);
  }

  transpose(x: KernelTensor, perm: readonly number[]): DataHandle {
    const out = this.alloc(x.dtype, prod(x.shape));
    transpose(this.read(x), x.shape, perm, out);
    return this.own(out);
  }

  concat(xs: readonly KernelTensor[], axis: number): DataHandle {
    const out = this.alloc(xs[0].dtype, xs.reduce((n, x) => n + prod(x.shape), 0));
    concat(xs.map((x) => this.read(x)), xs.map((x) => x.shape), axis, out);
    return this.own(out);
  }

  slice(x: KernelTensor, begin: readonly number[], size: readonly number[], step: readonly number[]): DataHandle {
    const out = this.alloc(x.dtype, prod(size));
    slice(this.read(x), x.shape, begin, size, step, out);
    return this.own(out);
  }

  reduce(x: KernelTensor, axes: readonly number[], op: ReduceOp): DataHandle {
    const out = this.alloc(x.dtype, prod(x.shape.filter((_, d) => !axes.includes(d))));
    reduce(this.read(x), x.shape, axes, op, out);
    return this.own(out);
  }

  argReduce(x: KernelTensor, axis: number, op: "max" | "min"): ArgReduceResult {
    const size = prod(x.shape) / x.shape[axis];
    const values = this.alloc(x.dtype, size);
    const indices = new Int32Array(size);
    argReduce(this.read(x), splitAt(x.shape, axis), op, values, indices);
    return { values: this.own(values), indices: this.own(indices) };
  }

  softmax(x: KernelTensor, axis: number, log: boolean): DataHandle {
    const out = this.floats(prod(x.shape));
    softmax(this.f32(x), splitAt(x.shape, axis), log, out);
    return this.own(out);
  }

  matmul(a: KernelTensor, b: KernelTensor, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): DataHandle {
    const out = this.floats(prod(outShape));
    matmul(this.f32(a), a.shape, this.f32(b), b.shape, transposeA, transposeB, outShape, out);
    return this.own(out);
  }

  unfold(x: KernelTensor, g: Im2ColGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const out = this.floats(planes * prod(g.kernel) * prod(g.blocks));
    unfold2d(this.f32(x), planes, g, out);
    return this.own(out);
  }

  fold(x: KernelTensor, g: Im2ColGeometry): DataHandle {
    const planes = x.shape[0] * (x.shape[1] / prod(g.kernel));
    const out = this.floats(planes * prod(g.image));
    fold2d(this.f32(x), planes, g, out);
    return this.own(out);
  }

  maxPool(x: KernelTensor, g: PoolGeometry, withIndices: boolean): MaxPoolResult {
    const planes = x.shape[0] * x.shape[1];
    const size = planes * prod(g.outShape);
    const out = this.floats(size);
    const idx = withIndices ? new Int32Array(size) : null;
    maxPool3(this.f32(x), planes, lift3(x.shape.slice(2), g), out, idx);
    return { output: this.own(out), indices: idx ? this.own(idx) : null };
  }

  avgPool(x: KernelTensor, g: AvgPoolGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const out = this.floats(planes * prod(g.outShape));
    avgPool3(this.f32(x), planes, lift3(x.shape.slice(2), g), g.countIncludePad, g.divisorOverride, out);
    return this.own(out);
  }

  adaptiveMaxPool(x: KernelTensor, g: AdaptivePoolGeometry, withIndices: boolean): MaxPoolResult {
    const planes = x.shape[0] * x.shape[1];
    const size = planes * prod(g.start.map((s) => s.length));
    const out = this.floats(size);
    const idx = withIndices ? new Int32Array(size) : null;
    adaptivePool3(this.f32(x), planes, liftSizes(x.shape.slice(2)), liftWindows(g.start, 0), liftWindows(g.end, 1), "max", out, idx);
    return { output: this.own(out), indices: idx ? this.own(idx) : null };
  }

  adaptiveAvgPool(x: KernelTensor, g: AdaptivePoolGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const out = this.floats(planes * prod(g.start.map((s) => s.length)));
    adaptivePool3(this.f32(x), planes, liftSizes(x.shape.slice(2)), liftWindows(g.start, 0), liftWindows(g.end, 1), "avg", out, null);
    return this.own(out);
  }

  maxUnpool(x: KernelTensor, indices: KernelTensor, g: MaxUnpoolGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const inPlane = prod(x.shape.slice(2));
    const outPlane = prod(g.outShape);
    const out = this.floats(planes * outPlane);
    maxUnpool(this.f32(x), this.read(indices) as Int32Array, planes, inPlane, outPlane, out);
    return this.own(out);
  }

  conv(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvGeometry): DataHandle {
    const [N, C] = x.shape;
    const M = weight.shape[0];
    const out = this.floats(N * M * prod(g.outShape));
    const geom = lift3(x.shape.slice(2), { ...g, kernel: weight.shape.slice(2) });
    conv3(this.f32(x), this.f32(weight), bias ? this.f32(bias) : null, N, C, M, g.groups, geom, out);
    return this.own(out);
  }

  convTranspose(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvTransposeGeometry): DataHandle {
    const [N, C] = x.shape;
    const M = weight.shape[1] * g.groups;
    const out = this.floats(N * M * prod(g.outShape));
    const geom = lift3(x.shape.slice(2), { ...g, kernel: weight.shape.slice(2) });
    convTranspose3(this.f32(x), this.f32(weight), bias ? this.f32(bias) : null, N, C, M, g.groups, geom, out);
    return this.own(out);
  }

  pad(x: KernelTensor, padBegin: readonly number[], padEnd: readonly number[], mode: PadMode, value: number): DataHandle {
    const size = prod(x.shape.map((n, i) => n + padBegin[i] + padEnd[i]));
    const out = this.alloc(x.dtype, size);
    pad(this.read(x), x.shape, padBegin, padEnd, mode, value, out);
    return this.own(out);
  }

  // Autograd kernels: thin wrappers over kernels/{select,scatter,avg-pool,adaptive-pool,pad,conv-weight-grad}.ts.
  compare(a: KernelTensor, b: KernelTensor, op: CompareOp, outShape: readonly number[]): DataHandle {
    const out = this.floats(prod(outShape));
    compare(this.read(a), a.shape, this.read(b), b.shape, op, outShape, out);
    return this.own(out);
  }

  where(cond: KernelTensor, a: KernelTensor, b: KernelTensor, outShape: readonly number[]): DataHandle {
    const out = this.alloc(a.dtype, prod(outShape));
    where(this.f32(cond), cond.shape, this.read(a), a.shape, this.read(b), b.shape, outShape, out);
    return this.own(out);
  }

  scatterAdd(src: KernelTensor, indices: KernelTensor, outSpatial: readonly number[]): DataHandle {
    const planes = src.shape[0] * src.shape[1];
    const outPlane = prod(outSpatial);
    const out = this.floats(planes * outPlane);
    scatterAdd(this.f32(src), this.read(indices) as Int32Array, planes, prod(src.shape.slice(2)), outPlane, out);
    return this.own(out);
  }

  gather(src: KernelTensor, indices: KernelTensor): DataHandle {
    const planes = indices.shape[0] * indices.shape[1];
    const idxPlane = prod(indices.shape.slice(2));
    const out = this.floats(planes * idxPlane);
    gather(this.f32(src), this.read(indices) as Int32Array, planes, prod(src.shape.slice(2)), idxPlane, out);
    return this.own(out);
  }

  avgPoolBackward(dy: KernelTensor, g: AvgPoolGeometry, inSpatial: readonly number[]): DataHandle {
    const planes = dy.shape[0] * dy.shape[1];
    const out = this.floats(planes * prod(inSpatial));
    avgPoolBackward3(this.f32(dy), planes, lift3(inSpatial, g), g.countIncludePad, g.divisorOverride, out);
    return this.own(out);
  }

  adaptiveAvgPoolBackward(dy: KernelTensor, g: AdaptivePoolGeometry, inSpatial: readonly number[]): DataHandle {
    const planes = dy.shape[0] * dy.shape[1];
    const out = this.floats(planes * prod(inSpatial));
    adaptiveAvgPoolBackward3(this.f32(dy), planes, liftSizes(inSpatial), liftWindows(g.start, 0), liftWindows(g.end, 1), out);
    return this.own(out);
  }

  padBackward(dy: KernelTensor, inShape: readonly number[], padBegin: readonly number[], padEnd: readonly number[], mode: AccumulatingPadMode): DataHandle {
    const out = this.floats(prod(inShape));
    padBackward(this.f32(dy), inShape, padBegin, padEnd, mode, out);
    return this.own(out);
  }

  convBackwardWeight(x: KernelTensor, dy: KernelTensor, g: ConvGeometry, kernel: readonly number[]): DataHandle {
    const [N, C] = x.shape;
    const M = dy.shape[1];
    const out = this.floats(M * (C / g.groups) * prod(kernel));
    convWeightGrad3(this.f32(x), this.f32(dy), N, C, M, g.groups, lift3(x.shape.slice(2), { ...g, kernel }), out);
    return this.own(out);
  }
}
