/**
 * The kernel contract: the one interface a backend implements. Core validates and normalises every
 * argument before calling a kernel, so kernels receive explicit, already-checked geometry and only compute.
 * Every spatial kernel takes a batched, channels-first input `[N, C, ...spatial]`; the spatial rank is
 * `shape.length - 2` (1, 2 or 3).
 */
import type { DType, TypedArray } from "./dtype.js";

/** Backend-defined storage for a tensor's data. Core never looks inside. */
export type DataHandle = object;

/** What a kernel sees of a tensor: its storage, shape and dtype. */
export interface KernelTensor {
  readonly handle: DataHandle;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Sliding-window geometry, one entry per spatial dim. Window `o` of dim `i` covers the input positions
 * `o * stride[i] - padBegin[i] + t * dilation[i]` for `t` in `[0, kernel[i])`; positions outside
 * `[0, in)` are padding. `outShape` is the spatial output shape, already resolved by core (ceil mode included).
 */
export interface PoolGeometry {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly outShape: readonly number[];
}

export interface AvgPoolGeometry extends PoolGeometry {
  /**
   * Divisor rule. `null` divides by the number of taps that land inside the input (`countIncludePad`
   * false) or inside the padded extent `[-padBegin, in + padEnd)` (`countIncludePad` true); taps past
   * that extent (ceil-mode overhang) never count. A window with no tap inside the input gives 0.
   */
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
}

/**
 * Adaptive windows per spatial dim: output position `o` of dim `i` covers input positions
 * `[start[i][o], end[i][o])` (never empty). Core computes them with PyTorch's rule.
 */
export interface AdaptivePoolGeometry {
  readonly start: readonly Int32Array[];
  readonly end: readonly Int32Array[];
}

export interface MaxUnpoolGeometry {
  /** Spatial output shape; indices are flat within each (n, c) plane of that shape, already range-checked by core. */
  readonly outShape: readonly number[];
}

/** Element-wise unary functions. `alpha` is the scalar operand where one is needed. */
export type UnaryOp =
  | "abs"
  | "neg"
  | "sign"
  | "relu"
  | "sqrt"
  | "exp"
  | "log"
  | "pow" // x ** alpha
  | "mulScalar" // x * alpha
  | "addScalar"; // x + alpha

export interface MaxPoolResult {
  readonly output: DataHandle;
  /** int32, flat index within the (n, c) plane of the unpadded input, as PyTorch returns them. */
  readonly indices: DataHandle | null;
}

export interface BackendMemory {
  /** Distinct data buffers the backend holds. */
  readonly numBuffers: number;
  readonly numBytes: number;
}

export interface Backend {
  readonly name: string;

  // Storage. `upload` takes ownership of `values`; `download` returns an array the caller owns.
  upload(values: TypedArray, shape: readonly number[], dtype: DType): DataHandle;
  download(x: KernelTensor): Promise<TypedArray>;
  downloadSync(x: KernelTensor): TypedArray;
  release(handle: DataHandle): void;
  memory(): BackendMemory;
  /** Same data, new shape of equal size. May share storage; each handle is released separately. */
  reshape(x: KernelTensor, shape: readonly number[]): DataHandle;

  // Element-wise.
  unary(x: KernelTensor, op: UnaryOp, alpha: number): DataHandle;

  // Pooling (float32 in, float32 out).
  maxPool(x: KernelTensor, g: PoolGeometry, withIndices: boolean): MaxPoolResult;
  avgPool(x: KernelTensor, g: AvgPoolGeometry): DataHandle;
  adaptiveMaxPool(x: KernelTensor, g: AdaptivePoolGeometry, withIndices: boolean): MaxPoolResult;
  adaptiveAvgPool(x: KernelTensor, g: AdaptivePoolGeometry): DataHandle;
  maxUnpool(x: KernelTensor, indices: KernelTensor, g: MaxUnpoolGeometry): DataHandle;

  /** Optional: release everything (workers, device contexts). */
  dispose?(): void;
}
