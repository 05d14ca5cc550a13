import type {
  AdaptivePoolGeometry,
  AvgPoolGeometry,
  Backend,
  BackendMemory,
  DType,
  DataHandle,
  KernelTensor,
  MaxPoolResult,
  MaxUnpoolGeometry,
  PoolGeometry,
  TypedArray,
  UnaryOp,
} from "@convkit/core";
import { adaptivePool3 } from "./kernels/adaptive-pool.js";
import { avgPool3 } from "./kernels/avg-pool.js";
import { lift3, liftSizes, liftWindows } from "./kernels/lift.js";
import { maxPool3 } from "./kernels/max-pool.js";
import { maxUnpool } from "./kernels/max-unpool.js";
import { unary } from "./kernels/unary.js";

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
export class CpuBackend implements Backend {
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
    const out = new Float32Array(src.length);
    unary(src, op, alpha, out);
    return this.own(out);
  }

  maxPool(x: KernelTensor, g: PoolGeometry, withIndices: boolean): MaxPoolResult {
    const planes = x.shape[0] * x.shape[1];
    const size = planes * prod(g.outShape);
    const out = new Float32Array(size);
    const idx = withIndices ? new Int32Array(size) : null;
    maxPool3(this.f32(x), planes, lift3(x.shape.slice(2), g), out, idx);
    return { output: this.own(out), indices: idx ? this.own(idx) : null };
  }

  avgPool(x: KernelTensor, g: AvgPoolGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const out = new Float32Array(planes * prod(g.outShape));
    avgPool3(this.f32(x), planes, lift3(x.shape.slice(2), g), g.countIncludePad, g.divisorOverride, out);
    return this.own(out);
  }

  adaptiveMaxPool(x: KernelTensor, g: AdaptivePoolGeometry, withIndices: boolean): MaxPoolResult {
    const planes = x.shape[0] * x.shape[1];
    const size = planes * prod(g.start.map((s) => s.length));
    const out = new Float32Array(size);
    const idx = withIndices ? new Int32Array(size) : null;
    adaptivePool3(this.f32(x), planes, liftSizes(x.shape.slice(2)), liftWindows(g.start, 0), liftWindows(g.end, 1), "max", out, idx);
    return { output: this.own(out), indices: idx ? this.own(idx) : null };
  }

  adaptiveAvgPool(x: KernelTensor, g: AdaptivePoolGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const out = new Float32Array(planes * prod(g.start.map((s) => s.length)));
    adaptivePool3(this.f32(x), planes, liftSizes(x.shape.slice(2)), liftWindows(g.start, 0), liftWindows(g.end, 1), "avg", out, null);
    return this.own(out);
  }

  maxUnpool(x: KernelTensor, indices: KernelTensor, g: MaxUnpoolGeometry): DataHandle {
    const planes = x.shape[0] * x.shape[1];
    const inPlane = prod(x.shape.slice(2));
    const outPlane = prod(g.outShape);
    const out = new Float32Array(planes * outPlane);
    maxUnpool(this.f32(x), this.read(indices) as Int32Array, planes, inPlane, outPlane, out);
    return this.own(out);
  }
}
