/**
 * The CPU backend with the WebAssembly SIMD kernels (and worker threads when the memory is shared) for
 * convolution, transposed convolution, depthwise convolution, max pooling, average pooling, float32
 * binary ops and relu / relu6; every other op, and these ones whenever the SIMD path cannot run them
 * (no SIMD, max pooling with indices, exhausted linear memory), run the TypeScript kernels of CpuBackend.
 *
 * With a shared memory, float32 tensors of at least ARENA_MIN_ELEMENTS live in the kernels' linear
 * memory, the TypeScript kernels' outputs included, so kernels and workers read inputs and write
 * outputs in place. They are freed when released,
 * or by a FinalizationRegistry when a tensor is garbage-collected without being disposed.
 */
import type {
  AvgPoolGeometry,
  BinaryOp,
  ConvGeometry,
  ConvTransposeGeometry,
  DType,
  DataHandle,
  KernelTensor,
  MaxPoolResult,
  PoolGeometry,
  TypedArray,
  UnaryOp,
} from "@convkit/core";
import { CpuBackend, type CpuHandle } from "../cpu-backend.js";
import { lift3 } from "../kernels/lift.js";
import { UNARY_CODES, type SimdUnaryOp, simdBinary, simdUnary } from "./elementwise.js";
import { simdConv, simdConvTranspose, simdDepthwise, simdPool } from "./ops.js";
import type { WasmRuntime } from "./runtime.js";

/** Smaller float32 tensors stay in the JavaScript heap (staged into linear memory when a kernel reads them). */
const ARENA_MIN_ELEMENTS = 1024;
/** Smaller element-wise ops run in TypeScript: a kernel call costs more than the loop. */
const ELEMENTWISE_MIN_ELEMENTS = 1024;

function prod(a: readonly number[]): number {
  let n = 1;
  for (const v of a) n *= v;
  return n;
}

export class SimdCpuBackend extends CpuBackend {
  private readonly finalizer: FinalizationRegistry<number>;

  constructor(
    name: string,
    private readonly rt: WasmRuntime,
  ) {
    super(name);
    this.finalizer = new FinalizationRegistry((at: number) => rt.arena.free(at));
  }

  /**
   * A float32 array of `size` elements, in linear memory when it is shared and the array is large. Its
   * contents are unspecified: callers overwrite every element.
   */
  private newF32(size: number): Float32Array {
    if (!this.rt.shared || size < ARENA_MIN_ELEMENTS) return new Float32Array(size);
    const at = this.rt.arena.alloc(size * 4);
    if (at < 0) return new Float32Array(size);
    const view = new Float32Array(this.rt.f32.buffer, at, size);
    this.finalizer.register(view, at, view);
    return view;
  }

  /** Zero-filled, for the TypeScript kernels' outputs (some accumulate into them). */
  protected override floats(size: number): Float32Array {
    const out = this.newF32(size);
    if (this.rt.owns(out)) out.fill(0);
    return out;
  }

  override upload(values: TypedArray, shape: readonly number[], dtype: DType): DataHandle {
    // Arrays already in linear memory are copied too: each arena block has exactly one owner.
    if (dtype !== "float32" || !this.rt.shared || values.length < ARENA_MIN_ELEMENTS) return super.upload(values, shape, dtype);
    const view = this.newF32(values.length);
    if (!this.rt.owns(view)) return super.upload(values, shape, dtype);
    view.set(values);
    return super.upload(view, shape, dtype);
  }

  override release(handle: DataHandle): void {
    const buffer = (handle as CpuHandle).buffer;
    super.release(handle);
    if (buffer.refs === 0 && this.rt.owns(buffer.data)) {
      this.finalizer.unregister(buffer.data);
      this.rt.arena.free(buffer.data.byteOffset);
    }
  }

  private input(x: KernelTensor): Float32Array {
    return this.read(x) as Float32Array;
  }

  override conv(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvGeometry): DataHandle {
    const [N, C] = x.shape;
    const M = weight.shape[0];
    const geom = lift3(x.shape.slice(2), { ...g, kernel: weight.shape.slice(2) });
    const out = this.newF32(N * M * prod(g.outShape));
    const b = bias ? this.input(bias) : null;
    const ok =
      C / g.groups === 1
        ? simdDepthwise(this.rt, this.input(x), this.input(weight), b, out, N, C, M, geom)
        : simdConv(this.rt, this.input(x), this.input(weight), b, out, N, C, M, g.groups, geom);
    if (ok) return this.adopt(out);
    this.drop(out);
    return super.conv(x, weight, bias, g);
  }

  override convTranspose(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvTransposeGeometry): DataHandle {
    const [N, C] = x.shape;
    const M = weight.shape[1] * g.groups;
    const geom = lift3(x.shape.slice(2), { ...g, kernel: weight.shape.slice(2) });
    const out = this.newF32(N * M * prod(g.outShape));
    const ok = simdConvTranspose(this.rt, this.input(x), this.input(weight), bias ? this.input(bias) : null, out, N, C, M, g.groups, geom);
    if (ok) return this.adopt(out);
    this.drop(out);
    return super.convTranspose(x, weight, bias, g);
  }

  override binary(a: KernelTensor, b: KernelTensor, op: BinaryOp, outShape: readonly number[]): DataHandle {
    if (a.dtype !== "float32" || prod(outShape) < ELEMENTWISE_MIN_ELEMENTS) return super.binary(a, b, op, outShape);
    const out = this.newF32(prod(outShape));
    if (simdBinary(this.rt, op, this.input(a), a.shape, this.input(b), b.shape, outShape, out)) return this.adopt(out);
    this.drop(out);
    return super.binary(a, b, op, outShape);
  }

  override unary(x: KernelTensor, op: UnaryOp, alpha: number): DataHandle {
    const size = prod(x.shape);
    if (!(op in UNARY_CODES) || size < ELEMENTWISE_MIN_ELEMENTS) return super.unary(x, op, alpha);
    const out = this.newF32(size);
    if (simdUnary(this.rt, op as SimdUnaryOp, this.input(x), out)) return this.adopt(out);
    this.drop(out);
    return super.unary(x, op, alpha);
  }

  override maxPool(x: KernelTensor, g: PoolGeometry, withIndices: boolean): MaxPoolResult {
    // Indices need the scan-order comparison; the TypeScript kernel keeps that one.
    if (withIndices) return super.maxPool(x, g, withIndices);
    const out = this.newF32(x.shape[0] * x.shape[1] * prod(g.outShape));
    if (simdPool(this.rt, this.input(x), out, x.shape[0] * x.shape[1], lift3(x.shape.slice(2), g), null)) return { output: this.adopt(out), indices: null };
    this.drop(out);
    return super.maxPool(x, g, withIndices);
  }

  override avgPool(x: KernelTensor, g: AvgPoolGeometry): DataHandle {
    const out = this.newF32(x.shape[0] * x.shape[1] * prod(g.outShape));
    const avg = { countIncludePad: g.countIncludePad, divisorOverride: g.divisorOverride };
    if (simdPool(this.rt, this.input(x), out, x.shape[0] * x.shape[1], lift3(x.shape.slice(2), g), avg)) return this.adopt(out);
    this.drop(out);
    return super.avgPool(x, g);
  }

  /** Wraps a kernel's output array as a new handle (same accounting as upload). */
  private adopt(out: Float32Array): DataHandle {
    return super.upload(out, [out.length], "float32");
  }

  /** Frees an output array that was not used. */
  private drop(out: Float32Array): void {
    if (!this.rt.owns(out)) return;
    this.finalizer.unregister(out);
    this.rt.arena.free(out.byteOffset);
  }
}
