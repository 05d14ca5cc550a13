/**
 * The CPU backend with the WebAssembly SIMD kernels (and worker threads when the memory is shared) for
 * convolution, transposed convolution, depthwise convolution, max pooling and average pooling; every
 * other op, and these ones whenever the SIMD path cannot run them (no SIMD, max pooling with indices,
 * exhausted linear memory), run the TypeScript kernels of CpuBackend.
 *
 * With a shared memory, float32 tensors of at least ARENA_MIN_ELEMENTS live in the kernels' linear
 * memory, so kernels and workers read inputs and write outputs in place. They are freed when released,
 * or by a FinalizationRegistry when a tensor is garbage-collected without being disposed.
 */
import type {
  AvgPoolGeometry,
  ConvGeometry,
  ConvTransposeGeometry,
  DType,
  DataHandle,
  KernelTensor,
  MaxPoolResult,
  PoolGeometry,
  TypedArray,
} from "@convkit/core";
import { CpuBackend, type CpuHandle } from "../cpu-backend.js";
import { lift3 } from "../kernels/lift.js";
import { simdConv, simdConvTranspose, simdDepthwise, simdPool } from "./ops.js";
import type { WasmRuntime } from "./runtime.js";

/** Smaller float32 tensors stay in the JavaScript heap (staged into linear memory when a kernel reads them). */
const ARENA_MIN_ELEMENTS = 1024;

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
