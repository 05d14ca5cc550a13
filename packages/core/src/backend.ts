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

/**
 * Convolution geometry, one entry per spatial dim; zero padding only (core applies the other padding
 * modes with `pad` first). The weight is `[Cout, Cin / groups, ...kernel]` and output channel `oc` reads
 * the input channels of group `floor(oc / (Cout / groups))`. Output position `o` of dim `i` reads input
 * positions `o * stride[i] - padBegin[i] + t * dilation[i]` for kernel taps `t`; positions outside
 * `[0, in)` read 0. `outShape` is the spatial output shape, resolved by core. Bias, if any, is `[Cout]`.
 */
export interface ConvGeometry {
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly groups: number;
  readonly outShape: readonly number[];
}

/**
 * Transposed-convolution geometry. The weight is `[Cin, Cout / groups, ...kernel]`; input channel `ci`
 * feeds the output channels of group `floor(ci / (Cin / groups))`. Input position `i` with kernel tap `t`
 * adds to output position `i * stride - padBegin + t * dilation`; positions outside `[0, outShape)` are
 * dropped, and output positions no tap reaches hold just the bias. `outShape` (resolved by core) is
 * `(in - 1) * stride + dilation * (k - 1) + 1 - padBegin - padEnd`; `padEnd` may be negative (extra
 * positions at the end: torch's outputPadding, ONNX's output_shape).
 */
export type ConvTransposeGeometry = ConvGeometry;

/**
 * Padding modes of `pad`, per dim with begin/end amounts (F.pad's semantics): `constant` fills with a
 * value and crops where an amount is negative; `reflect` mirrors without repeating the edge;
 * `replicate` repeats the edge; `circular` wraps around. For every mode, output position `o` maps to
 * input position `o - padBegin` before the mode's rule applies, except `circular`, which first crops
 * negative amounts and then wraps within the cropped extent (PyTorch's order).
 */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

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
  | "addScalar" // x + alpha
  | "relu6"
  | "leakyRelu" // alpha = negative slope
  | "sigmoid"
  | "tanh"
  | "hardswish"
  | "hardsigmoid"
  | "gelu" // exact, with erf
  | "geluTanh" // tanh approximation
  | "erf"; // the error function, odd, NaN stays NaN (gelu's gradient needs it)

/** Element-wise binary functions. Both operands and the result share one dtype (float32 or int32; int32 wraps). */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "maximum" | "minimum";

/** Reductions over a set of axes. max/min propagate NaN; core never reduces an empty axis with them. */
export type ReduceOp = "sum" | "mean" | "max" | "min";

export interface ArgReduceResult {
  readonly values: DataHandle;
  /** int32 position along the reduced axis: the first NaN if any, else the first extreme value. */
  readonly indices: DataHandle;
}

/**
 * Sliding-block geometry of `unfold`/`fold` (im2col / col2im), one entry per spatial dim. Block `o` of
 * dim `i` covers image positions `o * stride[i] - padBegin[i] + t * dilation[i]` for `t` in
 * `[0, kernel[i])`; positions outside `[0, image[i])` read as 0 (unfold) or are dropped (fold).
 */
export interface Im2ColGeometry {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padBegin: readonly number[];
  /** Spatial shape of the image side: unfold's input, fold's output. */
  readonly image: readonly number[];
  /** Number of block positions per spatial dim (their product is the columns' last dim). */
  readonly blocks: readonly number[];
}

export interface MaxPoolResult {
  readonly output: DataHandle;
  /** int32, flat index within the (n, c) plane of the unpadded input, as PyTorch returns them. */
  readonly indices: DataHandle | null;
}

/** Element-wise comparisons with IEEE semantics: any comparison with NaN is false, except `ne`, which is true. */
export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

/** Padding modes whose gradient accumulates (several output positions read one input position). */
export type AccumulatingPadMode = Exclude<PadMode, "constant">;

/**
 * Kernels autograd needs beyond the forward ones. Core composes every gradient formula (PyTorch's, kink
 * rules included) from these and the forward kernels; the kernels themselves only compute. They are
 * optional: a backend without them runs every forward op, and `backward()` through an op that needs a
 * missing one throws a BackendError naming it. Shapes and indices are already checked by core.
 */
export interface AutogradKernels {
  /**
   * float32 mask: 1 where `a op b`, else 0 (IEEE: NaN compares false, except `ne`). `a` and `b` share a
   * dtype (float32 or int32), have `outShape`'s rank, and each of their dims equals `outShape`'s or is 1
   * (broadcast), as for `binary`.
   */
  compare(a: KernelTensor, b: KernelTensor, op: CompareOp, outShape: readonly number[]): DataHandle;
  /**
   * Element-wise select: `a` where `cond` is non-zero (NaN counts as non-zero), else `b`; a pure copy,
   * `-0` and NaN payloads kept. `cond` is float32; `a` and `b` share a dtype, which the result has. All
   * three have `outShape`'s rank and broadcast to it as for `binary`.
   */
  where(cond: KernelTensor, a: KernelTensor, b: KernelTensor, outShape: readonly number[]): DataHandle;
  /**
   * Scatter-add within planes (max pooling's gradient): `src` float32 and `indices` int32 share the shape
   * `[N, C, ...s]`; the result is float32 `[N, C, ...outSpatial]`, zero except that for every (n, c)
   * plane, in increasing flat position `j` of the plane, `out[n, c, indices[n, c, j]] += src[n, c, j]`,
   * accumulating in float32 in that order (PyTorch's CPU order). Indices are flat positions within an
   * output plane, all in `[0, prod(outSpatial))`.
   */
  scatterAdd(src: KernelTensor, indices: KernelTensor, outSpatial: readonly number[]): DataHandle;
  /**
   * Gather within planes (max unpooling's gradient): `src` float32 `[N, C, ...s]`, `indices` int32
   * `[N, C, ...t]` holding flat positions within a `src` plane (all in range); the result is float32
   * `[N, C, ...t]` with `out[n, c, j] = src[n, c, indices[n, c, j]]`.
   */
  gather(src: KernelTensor, indices: KernelTensor): DataHandle;
  /**
   * avgPool's adjoint: `dy` float32 `[N, C, ...g.outShape]` to float32 `[N, C, ...inSpatial]`. Every
   * output position, in row-major order, adds `delta = float32(dy / divisor)` (the forward's divisor:
   * `divisorOverride`, or the tap count of `countIncludePad`) to each input position its window covers
   * (taps inside the input only), accumulating in float32 in that order. A window with no tap inside
   * the input adds nothing.
   */
  avgPoolBackward(dy: KernelTensor, g: AvgPoolGeometry, inSpatial: readonly number[]): DataHandle;
  /**
   * adaptiveAvgPool's adjoint: `dy` float32 `[N, C, ...outSpatial]` (one window per output position,
   * as in `g`) to float32 `[N, C, ...inSpatial]`. Every output position, in row-major order, adds
   * `delta = dy / k_1 / ... / k_r` (its window's extent per spatial dim, first to last, rounding to
   * float32 after each division, as PyTorch does) to each input position of its window, accumulating in
   * float32 in that order.
   */
  adaptiveAvgPoolBackward(dy: KernelTensor, g: AdaptivePoolGeometry, inSpatial: readonly number[]): DataHandle;
  /**
   * pad's adjoint for the modes that read an input position more than once: `dy` float32 of the padded
   * shape (`inShape[i] + padBegin[i] + padEnd[i]` per dim) to float32 `inShape`. Every output position,
   * in row-major order, adds its value to the input position `pad` copied it from (same rules as `pad`,
   * negative amounts included), accumulating in float32 in that order.
   */
  padBackward(dy: KernelTensor, inShape: readonly number[], padBegin: readonly number[], padEnd: readonly number[], mode: AccumulatingPadMode): DataHandle;
  /**
   * The weight gradient of `conv(x, weight, bias, g)`. `x` is that convolution's float32 input
   * `[N, C, ...in]`, `dy` the float32 gradient of its output `[N, M, ...g.outShape]`, `g` its geometry
   * exactly as `conv` takes it (zero padding, `padBegin`/`padEnd` >= 0, `outShape` the conv's output
   * size; `groups` divides C and M) and `kernel` the spatial kernel size (`weight.shape.slice(2)`). The
   * result is float32 `[M, C / groups, ...kernel]`:
   * `out[m, c, t] = sum over n and output positions o of dy[n, m, o] * x[n, grp * C / groups + c, p]`
   * with `grp = floor(m / (M / groups))` and, per spatial dim i, `p_i = o_i * stride[i] - padBegin[i] +
   * t_i * dilation[i]`; taps with `p` outside `[0, in)` contribute nothing. N = 0 gives zeros. Any
   * summation order is fine within the conformance tolerance (the CPU backend sums in float64 and
   * rounds once).
   *
   * Core also calls it for the transposed convolution's weight gradient, with the roles swapped:
   * `x` = the transposed conv's output gradient, `dy` = its input, `g` = the transposed conv's own
   * geometry (its outShape replaced by the input's spatial size, padEnd >= 0). Nothing changes for
   * the kernel. A backend without a direct weight-gradient op can compute it (for groups = 1) as an
   * ordinary convolution with batch and channels swapped: input `x` viewed as `[C, N, ...in]`, weight
   * `dy` viewed as `[M, N, ...outShape]`, stride = g.dilation, dilation = g.stride, padBegin =
   * g.padBegin, output spatial size = `kernel` (trailing input positions it never reads may be
   * cropped), giving `[C, M, ...kernel]` to transpose to `[M, C, ...kernel]`; per group for groups > 1.
   */
  convBackwardWeight(x: KernelTensor, dy: KernelTensor, g: ConvGeometry, kernel: readonly number[]): DataHandle;
}

export interface BackendMemory {
  /** Distinct data buffers the backend holds. */
  readonly numBuffers: number;
  readonly numBytes: number;
}

/** A backend: the forward kernels below (required) and, for gradients, the optional `AutogradKernels`. */
export interface Backend extends Partial<AutogradKernels> {
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

  // Convolution (float32 in, float32 out). Output `[N, Cout, ...g.outShape]`; bias is `[Cout]` or null.
  conv(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvGeometry): DataHandle;
  convTranspose(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvTransposeGeometry): DataHandle;
  /**
   * Pads (or crops, where an amount is negative) every dim `i` by `padBegin[i]` / `padEnd[i]`; the output
   * dim is `in + padBegin + padEnd`, already checked by core (>= 0, and >= 1 with input >= 1 left for
   * reflect/replicate/circular). `value` fills constant padding. Same dtype out as in.
   */
  pad(x: KernelTensor, padBegin: readonly number[], padEnd: readonly number[], mode: PadMode, value: number): DataHandle;

  // Tensor plumbing. Shapes are already checked by core; any dtype unless stated.
  /** `a` and `b` have `outShape`'s rank; each of their dims equals `outShape`'s or is 1 (broadcast). */
  binary(a: KernelTensor, b: KernelTensor, op: BinaryOp, outShape: readonly number[]): DataHandle;
  /** Output dim `i` is input dim `perm[i]`; the result is contiguous row-major. */
  transpose(x: KernelTensor, perm: readonly number[]): DataHandle;
  /** Joins along `axis`; all other dims are equal. */
  concat(xs: readonly KernelTensor[], axis: number): DataHandle;
  /** Elements `begin[i] + j * step[i]` for `j` in `[0, size[i])` of every dim (step >= 1, all in range). */
  slice(x: KernelTensor, begin: readonly number[], size: readonly number[], step: readonly number[]): DataHandle;
  /** Reduces the distinct, ascending `axes`; the output shape is the input's with those dims removed. mean is float32 only. */
  reduce(x: KernelTensor, axes: readonly number[], op: ReduceOp): DataHandle;
  /** Max/min and its index along one non-empty `axis`, which is removed from the output shape. */
  argReduce(x: KernelTensor, axis: number, op: "max" | "min"): ArgReduceResult;
  /** float32 softmax (or log-softmax) along `axis`, shape unchanged. */
  softmax(x: KernelTensor, axis: number, log: boolean): DataHandle;
  /**
   * float32 batched matrix product: `a` is `[...batch, M, K]` (`[..., K, M]` when transposeA), `b` is
   * `[...batch, K, N]` (`[..., N, K]` when transposeB), both with `outShape`'s rank >= 2; their batch
   * dims equal `outShape`'s or are 1 (broadcast). `outShape` is `[...batch, M, N]`.
   */
  matmul(a: KernelTensor, b: KernelTensor, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): DataHandle;
  /** float32 im2col: `[N, C, ...image]` to `[N, C * prod(kernel), prod(blocks)]`, rows ordered (c, kernel offsets). */
  unfold(x: KernelTensor, g: Im2ColGeometry): DataHandle;
  /** float32 col2im, unfold's adjoint: `[N, C * prod(kernel), prod(blocks)]` to `[N, C, ...image]`, overlaps summed. */
  fold(x: KernelTensor, g: Im2ColGeometry): DataHandle;

  /** Optional: release everything (workers, device contexts). */
  dispose?(): void;
}
