/**
 * Factoring a 2-D kernel into a column and a row vector (K = column * row^T), the test of whether a
 * k x k convolution can run as a k x 1 and a 1 x k pass (the tutorial's spatially separable
 * convolution: Sobel [[-1,0,1],[-2,0,2],[-1,0,1]] = [1,2,1]^T x [-1,0,1]).
 */
import { ArgumentError, ShapeError, Tensor } from "@convkit/core";

export interface SeparateKernelOptions {
  /**
   * Largest |K - column * row^T| still called separable, relative to the largest |K| (default 1e-6:
   * float32 rounding of a rank-1 kernel stays well inside it, a genuine second component does not).
   */
  tolerance?: number;
  /** Throw an ArgumentError (naming the residual) instead of returning `separable: false`. */
  strict?: boolean;
}

export interface SeparatedKernel {
  /** True when the kernel equals `column * row^T` within the tolerance. */
  separable: boolean;
  /** `kH` entries, scaled so its first non-zero entry is 1 (all zeros for an all-zero kernel). */
  column: number[];
  /** `kW` entries: the row that goes with that column. */
  row: number[];
  /**
   * Largest |K - column * row^T| over the kernel. For a non-separable kernel, column and row are its
   * best rank-1 approximation (least squares: the leading singular pair), so this is how far the
   * kernel is from every separable kernel in that sense, not a factorisation to use as if exact.
   */
  residual: number;
}

function readKernel(kernel: unknown): { k: Float64Array; rows: number; cols: number } {
  const op = "separateKernel";
  if (kernel instanceof Tensor) {
    if (kernel.shape.length !== 2 || kernel.size === 0)
      throw new ShapeError(`${op}: kernel must be a non-empty 2-D tensor [kH, kW], got shape [${kernel.shape.join(", ")}]`);
    return { k: Float64Array.from(kernel.dataSync()), rows: kernel.shape[0], cols: kernel.shape[1] };
  }
  if (!Array.isArray(kernel) || kernel.length === 0 || !Array.isArray(kernel[0]) || kernel[0].length === 0) {
    throw new ArgumentError(`${op}: kernel must be a Tensor or a non-empty array of equally long rows of numbers, got ${JSON.stringify(kernel)}`);
  }
  const rows = kernel.length;
  const cols = (kernel[0] as unknown[]).length;
  const k = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r: unknown = kernel[i];
    if (!Array.isArray(r) || r.length !== cols) throw new ShapeError(`${op}: kernel rows must all have ${cols} entries, row ${i} is ${JSON.stringify(r)}`);
    for (let j = 0; j < cols; j++) {
      const v: unknown = r[j];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new ArgumentError(`${op}: kernel entries must be finite numbers, got ${JSON.stringify(v)} at [${i}, ${j}]`);
      k[i * cols + j] = v;
    }
  }
  if (k.some((v) => !Number.isFinite(v))) throw new ArgumentError(`${op}: kernel entries must be finite, got a non-finite value`);
  return { k, rows, cols };
}

function residualOf(k: Float64Array, rows: number, cols: number, column: number[], row: number[]): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) worst = Math.max(worst, Math.abs(k[i * cols + j] - column[i] * row[j]));
  return worst;
}

/** The leading right singular vector of K (power iteration on K^T K), starting from `start`. */
function leadingRowVector(k: Float64Array, rows: number, cols: number, start: number[]): number[] {
  const m = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += k[i * cols + a] * k[i * cols + b];
      m[a * cols + b] = s;
    }
  }
  let v = start.slice();
  const normalise = (x: number[]) => {
    const n = Math.hypot(...x);
    return x.map((e) => e / n);
  };
  v = normalise(v);
  for (let it = 0; it < 100_000; it++) {
    const w = normalise(v.map((_, a) => v.reduce((s, vb, b) => s + m[a * cols + b] * vb, 0)));
    const change = Math.hypot(...w.map((e, a) => e - v[a]));
    v = w;
    if (change < 1e-15) break;
  }
  return v;
}

/**
 * Factors a 2-D kernel (a Tensor `[kH, kW]` or nested rows) into `column` (kH) and `row` (kW) with
 * K = column * row^T, scaled so the column's first non-zero entry is 1: Sobel-x gives the tutorial's
 * column [1, 2, 1] and row [-1, 0, 1]. A kernel of rank above 1 is reported as such (`separable:
 * false`, its best rank-1 approximation and the residual), or with `strict: true` throws.
 */
export function separateKernel(kernel: Tensor | readonly (readonly number[])[], options: SeparateKernelOptions = {}): SeparatedKernel {
  const { k, rows, cols } = readKernel(kernel);
  const tolerance = options.tolerance ?? 1e-6;
  if (typeof tolerance !== "number" || !(tolerance >= 0))
    throw new ArgumentError(`separateKernel: tolerance must be a non-negative number, got ${JSON.stringify(tolerance)}`);
  let p = 0;
  for (let i = 1; i < k.length; i++) if (Math.abs(k[i]) > Math.abs(k[p])) p = i;
  const scale = Math.abs(k[p]);
  if (scale === 0) return { separable: true, column: new Array(rows).fill(0), row: new Array(cols).fill(0), residual: 0 };
  const [pr, pc] = [Math.floor(p / cols), p % cols];
  // Exactly rank 1 means every row is a multiple of the pivot row: the pivot's column and row factor it
  // with no iteration, so integer kernels keep integer factors.
  let column = Array.from({ length: rows }, (_, i) => k[i * cols + pc]);
  let row = Array.from({ length: cols }, (_, j) => k[pr * cols + j] / k[p]);
  let separable = residualOf(k, rows, cols, column, row) <= tolerance * scale;
  if (!separable) {
    row = leadingRowVector(k, rows, cols, row);
    column = Array.from({ length: rows }, (_, i) => row.reduce((s, r, j) => s + k[i * cols + j] * r, 0));
  }
  const maxColumn = Math.max(...column.map(Math.abs));
  const lead = column.find((c) => Math.abs(c) > 1e-12 * maxColumn) ?? 1;
  // `+ 0` turns -0 into 0, so exact factors print and compare as plain numbers.
  column = column.map((c) => c / lead + 0);
  row = row.map((r) => r * lead + 0);
  const residual = residualOf(k, rows, cols, column, row);
  separable = residual <= tolerance * scale;
  if (!separable && options.strict) {
    throw new ArgumentError(
      `separateKernel: the ${rows}x${cols} kernel is not separable: its closest column * row^T (best rank-1 approximation) still differs by up to ${residual} (tolerance ${tolerance} x max |K| = ${tolerance * scale})`,
    );
  }
  return { separable, column, row, residual };
}
