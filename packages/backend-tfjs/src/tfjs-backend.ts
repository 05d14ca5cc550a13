import * as tf from "@tensorflow/tfjs-core";
import {
  type AccumulatingPadMode,
  type AdaptivePoolGeometry,
  type ArgReduceResult,
  type AvgPoolGeometry,
  type Backend,
  BackendError,
  type BackendMemory,
  type BinaryOp,
  type CompareOp,
  type ConvGeometry,
  type ConvTransposeGeometry,
  type DType,
  type DataHandle,
  type Im2ColGeometry,
  type KernelTensor,
  type MaxPoolResult,
  type MaxUnpoolGeometry,
  type PadMode,
  type PoolGeometry,
  type ReduceOp,
  type TypedArray,
  type UnaryOp,
} from "@convkit/core";
import type { EngineCaps } from "./caps.js";
import { type EngineName, activate } from "./engines.js";
import { TfHandle, clOf, clShape, derivedOf, nchwOf, toChannelsLast } from "./handle.js";
import { adaptiveAvgPoolCl, adaptiveMaxPoolCl } from "./kernels/adaptive-pool.js";
import { avgPoolCl } from "./kernels/avg-pool.js";
import { maxPoolCl } from "./kernels/max-pool.js";
import { maxUnpoolCl } from "./kernels/max-unpool.js";
import * as plumbing from "./kernels/plumbing.js";
import * as autograd from "./kernels/autograd.js";
import { convTransposeCl, convTransposeFilters, transposeAsConv } from "./kernels/conv-transpose.js";
import { convBackwardWeight } from "./kernels/conv-weight-grad.js";
import { convCl, convFilters, convPlan } from "./kernels/conv.js";
import { padTensor } from "./kernels/pad.js";
import { fold, unfold } from "./kernels/im2col.js";
import { unary } from "./kernels/unary.js";

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Which stored layout an op should read: channels-last when that is all the handle has (rank >= 3). */
function prefersCl(h: TfHandle): boolean {
  return h.cl !== null && h.nchw === null;
}

/**
 * convkit's kernels on one TensorFlow.js engine. Data lives in tfjs tensors from op to op; every kernel is
 * composed of tfjs ops. Each method first makes this instance's engine tfjs's active one.
 */
export class TfjsBackend implements Backend {
  readonly name: string;
  readonly engine: EngineName;
  readonly caps: EngineCaps;
  private numBuffers = 0;
  private numBytes = 0;

  constructor(name: string, engine: EngineName, caps: EngineCaps) {
    this.name = name;
    this.engine = engine;
    this.caps = caps;
  }

  private handle(x: KernelTensor): TfHandle {
    const h = x.handle as TfHandle;
    if (!(h instanceof TfHandle) || h.owner !== this) {
      throw new BackendError(`${this.name}: got a tensor of shape ${JSON.stringify(x.shape)} that lives on another backend; move it first`);
    }
    return h;
  }

  /** Wraps kernel outputs (kept past any tfjs scope the caller may be in) as a handle. */
  private own(shape: readonly number[], dtype: DType, nchw: tf.Tensor | null, cl: tf.Tensor | null): TfHandle {
    if (nchw) tf.keep(nchw);
    if (cl) tf.keep(cl);
    this.numBuffers++;
    this.numBytes += sizeOf(shape) * 4;
    return new TfHandle(this, shape, dtype, nchw, cl);
  }

  /** The input in channels-last form, for spatial kernels. */
  private cl(x: KernelTensor): tf.Tensor {
    return clOf(this.handle(x));
  }

  private nchw(x: KernelTensor): tf.Tensor {
    return nchwOf(this.handle(x));
  }

  /**
   * Runs a kernel (engine active, intermediates freed) and wraps its result in the given layout. A kernel
   * that returns one of its inputs unchanged gets a copy, so each handle owns its tensors.
   */
  private run(shape: readonly number[], dtype: DType, layout: "nchw" | "cl", inputs: readonly tf.Tensor[], make: () => tf.Tensor): TfHandle {
    if (sizeOf(shape) === 0) return this.own(shape, dtype, tf.zeros(shape as number[], dtype), null);
    const want = layout === "cl" ? clShape(shape) : [...shape];
    const out = tf.tidy(() => {
      let y = make();
      // Element-wise kernels whose operands all have a 1 where outShape does not still return outShape.
      if (y.shape.length !== want.length || y.shape.some((d, i) => d !== want[i])) y = tf.broadcastTo(y, want);
      if (y.dtype !== dtype) y = tf.cast(y, dtype);
      return inputs.includes(y) ? tf.clone(y) : y;
    });
    return layout === "cl" ? this.own(shape, dtype, null, out) : this.own(shape, dtype, out, null);
  }

  // ---- storage ------------------------------------------------------------------------------------

  upload(values: TypedArray, shape: readonly number[], dtype: DType): DataHandle {
    activate(this.engine);
    return this.own(shape, dtype, tf.tensor(values, shape as number[], dtype), null);
  }

  async download(x: KernelTensor): Promise<TypedArray> {
    activate(this.engine);
    const data = await this.nchw(x).data();
    return x.dtype === "int32" ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array);
  }

  downloadSync(x: KernelTensor): TypedArray {
    activate(this.engine);
    const data = this.nchw(x).dataSync();
    return x.dtype === "int32" ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array);
  }

  release(handle: DataHandle): void {
    const h = handle as TfHandle;
    if (h.nchw === null && h.cl === null) return;
    this.numBuffers--;
    this.numBytes -= sizeOf(h.shape) * 4;
    h.dispose();
  }

  memory(): BackendMemory {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes };
  }

  reshape(x: KernelTensor, shape: readonly number[]): DataHandle {
    activate(this.engine);
    const h = this.handle(x);
    const keepsChannels = shape.length >= 3 && x.shape.length >= 3 && shape[0] === x.shape[0] && shape[1] === x.shape[1];
    if (h.cl && keepsChannels) {
      // Only spatial dims change: the channels-last data is the new shape's channels-last data too.
      return this.own(shape, x.dtype, h.nchw ? tf.reshape(h.nchw, shape as number[]) : null, tf.reshape(h.cl, clShape(shape)));
    }
    return this.own(shape, x.dtype, tf.reshape(nchwOf(h), shape as number[]), null);
  }

  // ---- element-wise -------------------------------------------------------------------------------

  unary(x: KernelTensor, op: UnaryOp, alpha: number): DataHandle {
    activate(this.engine);
    const h = this.handle(x);
    const cl = prefersCl(h);
    const src = cl ? (h.cl as tf.Tensor) : nchwOf(h);
    const out = tf.tidy(() => unary(src, op, alpha, this.caps));
    return cl ? this.own(x.shape, "float32", null, out) : this.own(x.shape, "float32", out, null);
  }

  // ---- pooling ------------------------------------------------------------------------------------

  maxPool(x: KernelTensor, g: PoolGeometry, withIndices: boolean): MaxPoolResult {
    activate(this.engine);
    const shape = [x.shape[0], x.shape[1], ...g.outShape];
    if (sizeOf(shape) === 0) return this.emptyPool(shape, withIndices);
    const xc = this.cl(x);
    const r = tf.tidy(() => {
      const res = maxPoolCl(xc, g, withIndices, this.caps);
      return res.indices ? [res.output, res.indices] : [res.output];
    });
    return { output: this.own(shape, "float32", null, r[0]), indices: r[1] ? this.own(shape, "int32", null, r[1]) : null };
  }

  private emptyPool(shape: number[], withIndices: boolean): MaxPoolResult {
    return {
      output: this.own(shape, "float32", tf.zeros(shape), null),
      indices: withIndices ? this.own(shape, "int32", tf.zeros(shape, "int32"), null) : null,
    };
  }

  avgPool(x: KernelTensor, g: AvgPoolGeometry): DataHandle {
    activate(this.engine);
    const xc = this.cl(x);
    return this.run([x.shape[0], x.shape[1], ...g.outShape], "float32", "cl", [xc], () => avgPoolCl(xc, g, this.caps));
  }

  adaptiveMaxPool(x: KernelTensor, g: AdaptivePoolGeometry, withIndices: boolean): MaxPoolResult {
    activate(this.engine);
    const shape = [x.shape[0], x.shape[1], ...g.start.map((s) => s.length)];
    if (sizeOf(shape) === 0) return this.emptyPool(shape, withIndices);
    const xc = this.cl(x);
    const r = tf.tidy(() => {
      const res = adaptiveMaxPoolCl(xc, g, withIndices, this.caps);
      return res.indices ? [res.output, res.indices] : [res.output];
    });
    return { output: this.own(shape, "float32", null, r[0]), indices: r[1] ? this.own(shape, "int32", null, r[1]) : null };
  }

  adaptiveAvgPool(x: KernelTensor, g: AdaptivePoolGeometry): DataHandle {
    activate(this.engine);
    const xc = this.cl(x);
    const shape = [x.shape[0], x.shape[1], ...g.start.map((s) => s.length)];
    return this.run(shape, "float32", "cl", [xc], () => adaptiveAvgPoolCl(xc, g, this.caps));
  }

  maxUnpool(x: KernelTensor, indices: KernelTensor, g: MaxUnpoolGeometry): DataHandle {
    activate(this.engine);
    const xc = this.cl(x);
    const ic = this.cl(indices);
    return this.run([x.shape[0], x.shape[1], ...g.outShape], "float32", "cl", [xc], () => maxUnpoolCl(xc, ic, g));
  }

  // ---- convolution --------------------------------------------------------------------------------

  conv(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvGeometry): DataHandle {
    activate(this.engine);
    const xc = this.cl(x);
    const plan = convPlan(weight.shape, g.groups);
    const wh = this.handle(weight);
    const filters = derivedOf(wh, `conv:${plan}:${g.groups}`, () => convFilters(nchwOf(wh), g.groups, plan));
    const b = bias ? this.nchw(bias) : null;
    const shape = [x.shape[0], weight.shape[0], ...g.outShape];
    // An empty spatial input leaves only padding (tfjs-wasm's conv reads uninitialised memory there).
    if (xc.size === 0) return this.run(shape, "float32", "cl", [], () => (b ? tf.broadcastTo(b, clShape(shape)) : tf.zeros(clShape(shape))));
    return this.run(shape, "float32", "cl", [xc], () => convCl(xc, filters, b, g, plan, this.caps));
  }

  convTranspose(x: KernelTensor, weight: KernelTensor, bias: KernelTensor | null, g: ConvTransposeGeometry): DataHandle {
    activate(this.engine);
    const xc = this.cl(x);
    const asConv = transposeAsConv(g.stride.length, this.caps);
    const wh = this.handle(weight);
    const key = `convTranspose:${g.groups}:${g.dilation.join("x")}:${asConv}`;
    const filters = derivedOf(wh, key, () => convTransposeFilters(nchwOf(wh), g.groups, g.dilation, asConv));
    const b = bias ? this.nchw(bias) : null;
    const shape = [x.shape[0], weight.shape[1] * g.groups, ...g.outShape];
    if (xc.size === 0) return this.run(shape, "float32", "cl", [], () => (b ? tf.broadcastTo(b, clShape(shape)) : tf.zeros(clShape(shape))));
    return this.run(shape, "float32", "cl", [xc], () => convTransposeCl(xc, filters, b, g, asConv, this.caps));
  }

  pad(x: KernelTensor, padBegin: readonly number[], padEnd: readonly number[], mode: PadMode, value: number): DataHandle {
    activate(this.engine);
    const h = this.handle(x);
    const shape = x.shape.map((n, i) => n + padBegin[i] + padEnd[i]);
    if (prefersCl(h)) {
      const perm = toChannelsLast(x.shape.length);
      const src = h.cl as tf.Tensor;
      const pb = perm.map((i) => padBegin[i]);
      const pe = perm.map((i) => padEnd[i]);
      return this.run(shape, x.dtype, "cl", [src], () => padTensor(src, pb, pe, mode, value));
    }
    const src = nchwOf(h);
    return this.run(shape, x.dtype, "nchw", [src], () => padTensor(src, padBegin, padEnd, mode, value));
  }

  // ---- tensor plumbing ----------------------------------------------------------------------------

  binary(a: KernelTensor, b: KernelTensor, op: BinaryOp, outShape: readonly number[]): DataHandle {
    activate(this.engine);
    const ha = this.handle(a);
    const hb = this.handle(b);
    const cl = outShape.length >= 3 && (prefersCl(ha) || prefersCl(hb));
    const ta = cl ? clOf(ha) : nchwOf(ha);
    const tb = cl ? clOf(hb) : nchwOf(hb);
    return this.run(outShape, a.dtype, cl ? "cl" : "nchw", [ta, tb], () => plumbing.binary(ta, tb, op, this.caps));
  }

  transpose(x: KernelTensor, perm: readonly number[]): DataHandle {
    activate(this.engine);
    const src = this.nchw(x);
    return this.run(
      perm.map((p) => x.shape[p]),
      x.dtype,
      "nchw",
      [src],
      () => tf.transpose(src, perm as number[]),
    );
  }

  concat(xs: readonly KernelTensor[], axis: number): DataHandle {
    activate(this.engine);
    const hs = xs.map((x) => this.handle(x));
    const rank = xs[0].shape.length;
    const shape = xs[0].shape.map((n, i) => (i === axis ? xs.reduce((s, x) => s + x.shape[axis], 0) : n));
    if (rank >= 3 && hs.every(prefersCl)) {
      const srcs = hs.map((h) => h.cl as tf.Tensor);
      const clAxis = toChannelsLast(rank).indexOf(axis);
      return this.run(shape, xs[0].dtype, "cl", srcs, () => (srcs.length === 1 ? srcs[0] : tf.concat(srcs, clAxis)));
    }
    const srcs = hs.map((h) => nchwOf(h));
    return this.run(shape, xs[0].dtype, "nchw", srcs, () => (srcs.length === 1 ? srcs[0] : tf.concat(srcs, axis)));
  }

  slice(x: KernelTensor, begin: readonly number[], size: readonly number[], step: readonly number[]): DataHandle {
    activate(this.engine);
    const h = this.handle(x);
    if (prefersCl(h)) {
      const perm = toChannelsLast(x.shape.length);
      const src = h.cl as tf.Tensor;
      const at = (a: readonly number[]) => perm.map((i) => a[i]);
      return this.run(size, x.dtype, "cl", [src], () => plumbing.slice(src, at(begin), at(size), at(step)));
    }
    const src = nchwOf(h);
    return this.run(size, x.dtype, "nchw", [src], () => plumbing.slice(src, begin, size, step));
  }

  reduce(x: KernelTensor, axes: readonly number[], op: ReduceOp): DataHandle {
    activate(this.engine);
    const h = this.handle(x);
    const shape = x.shape.filter((_, i) => !axes.includes(i));
    const perm = x.shape.length >= 3 ? toChannelsLast(x.shape.length) : null;
    // Channels-last data reduces in place when the kept dims come out in the logical order anyway.
    if (perm && prefersCl(h) && sameOrder(perm.filter((i) => !axes.includes(i)))) {
      const src = h.cl as tf.Tensor;
      const clAxes = axes.map((a) => perm.indexOf(a)).sort((p, q) => p - q);
      return this.run(shape, x.dtype, "nchw", [src], () => plumbing.reduce(src, clAxes, op, this.caps));
    }
    const src = nchwOf(h);
    return this.run(shape, x.dtype, "nchw", [src], () => plumbing.reduce(src, axes, op, this.caps));
  }

  argReduce(x: KernelTensor, axis: number, op: "max" | "min"): ArgReduceResult {
    activate(this.engine);
    const src = this.nchw(x);
    const shape = x.shape.filter((_, i) => i !== axis);
    if (sizeOf(shape) === 0) {
      return { values: this.own(shape, x.dtype, tf.zeros(shape, x.dtype), null), indices: this.own(shape, "int32", tf.zeros(shape, "int32"), null) };
    }
    const [v, i] = tf.tidy(() => plumbing.argReduce(src, axis, op, this.caps));
    return { values: this.own(shape, x.dtype, v, null), indices: this.own(shape, "int32", i, null) };
  }

  softmax(x: KernelTensor, axis: number, log: boolean): DataHandle {
    activate(this.engine);
    const h = this.handle(x);
    if (prefersCl(h)) {
      const src = h.cl as tf.Tensor;
      const clAxis = toChannelsLast(x.shape.length).indexOf(axis);
      return this.run(x.shape, "float32", "cl", [src], () => plumbing.softmax(src, clAxis, log, this.caps));
    }
    const src = nchwOf(h);
    return this.run(x.shape, "float32", "nchw", [src], () => plumbing.softmax(src, axis, log, this.caps));
  }

  matmul(a: KernelTensor, b: KernelTensor, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): DataHandle {
    activate(this.engine);
    const ta = this.nchw(a);
    const tb = this.nchw(b);
    return this.run(outShape, "float32", "nchw", [ta, tb], () => plumbing.matmul(ta, tb, transposeA, transposeB, outShape));
  }

  unfold(x: KernelTensor, g: Im2ColGeometry): DataHandle {
    activate(this.engine);
    const src = this.nchw(x);
    const k = sizeOf(g.kernel);
    return this.run([x.shape[0], x.shape[1] * k, sizeOf(g.blocks)], "float32", "nchw", [src], () => unfold(src, g));
  }

  fold(x: KernelTensor, g: Im2ColGeometry): DataHandle {
    activate(this.engine);
    const src = this.nchw(x);
    const c = x.shape[1] / sizeOf(g.kernel);
    return this.run([x.shape[0], c, ...g.image], "float32", "nchw", [src], () => fold(src, g));
  }

  // ---- kernels for autograd -----------------------------------------------------------------------

  /** Operands of a broadcasting element-wise op, channels-last when one of them only has that layout. */
  private elementwise(xs: readonly KernelTensor[], outShape: readonly number[]): { layout: "nchw" | "cl"; ts: tf.Tensor[] } {
    const hs = xs.map((x) => this.handle(x));
    const cl = outShape.length >= 3 && hs.some(prefersCl);
    return { layout: cl ? "cl" : "nchw", ts: hs.map((h) => (cl ? clOf(h) : nchwOf(h))) };
  }

  compare(a: KernelTensor, b: KernelTensor, op: CompareOp, outShape: readonly number[]): DataHandle {
    activate(this.engine);
    const { layout, ts } = this.elementwise([a, b], outShape);
    return this.run(outShape, "float32", layout, ts, () => autograd.compare(ts[0], ts[1], op));
  }

  where(cond: KernelTensor, a: KernelTensor, b: KernelTensor, outShape: readonly number[]): DataHandle {
    activate(this.engine);
    const { layout, ts } = this.elementwise([cond, a, b], outShape);
    return this.run(outShape, a.dtype, layout, ts, () => autograd.where(ts[0], ts[1], ts[2]));
  }

  scatterAdd(src: KernelTensor, indices: KernelTensor, outSpatial: readonly number[]): DataHandle {
    activate(this.engine);
    const s = this.nchw(src);
    const i = this.nchw(indices);
    return this.run([src.shape[0], src.shape[1], ...outSpatial], "float32", "nchw", [s], () => autograd.scatterAdd(s, i, outSpatial));
  }

  gather(src: KernelTensor, indices: KernelTensor): DataHandle {
    activate(this.engine);
    const s = this.nchw(src);
    const i = this.nchw(indices);
    return this.run(indices.shape, "float32", "nchw", [s], () => autograd.gather(s, i));
  }

  avgPoolBackward(dy: KernelTensor, g: AvgPoolGeometry, inSpatial: readonly number[]): DataHandle {
    activate(this.engine);
    const d = this.nchw(dy);
    return this.run([dy.shape[0], dy.shape[1], ...inSpatial], "float32", "nchw", [d], () => autograd.avgPoolBackward(d, g, inSpatial));
  }

  adaptiveAvgPoolBackward(dy: KernelTensor, g: AdaptivePoolGeometry, inSpatial: readonly number[]): DataHandle {
    activate(this.engine);
    const d = this.nchw(dy);
    return this.run([dy.shape[0], dy.shape[1], ...inSpatial], "float32", "nchw", [d], () => autograd.adaptiveAvgPoolBackward(d, g, inSpatial));
  }

  padBackward(dy: KernelTensor, inShape: readonly number[], padBegin: readonly number[], padEnd: readonly number[], mode: AccumulatingPadMode): DataHandle {
    activate(this.engine);
    const d = this.nchw(dy);
    return this.run(inShape, "float32", "nchw", [d], () => autograd.padBackward(d, inShape, padBegin, padEnd, mode));
  }

  convBackwardWeight(x: KernelTensor, dy: KernelTensor, g: ConvGeometry, kernel: readonly number[]): DataHandle {
    activate(this.engine);
    const xs = this.nchw(x);
    const d = this.nchw(dy);
    const shape = [dy.shape[1], x.shape[1] / g.groups, ...kernel];
    return this.run(shape, "float32", "nchw", [xs, d], () => convBackwardWeight(xs, d, g, kernel));
  }
}

/** True when `dims` is ascending (the logical order). */
function sameOrder(dims: readonly number[]): boolean {
  return dims.every((d, i) => i === 0 || dims[i - 1] < d);
}
