/**
 * Every spatial kernel here is written once, for 3 spatial dims; 1-d and 2-d inputs are lifted by
 * prepending unit dims (kernel 1, stride 1, no padding), which costs a couple of trivial loop levels.
 */
import type { PoolGeometry } from "@convkit/core";

export interface Geometry3 {
  /** Input spatial sizes [D, H, W]. */
  readonly inS: Int32Array;
  readonly outS: Int32Array;
  readonly k: Int32Array;
  readonly s: Int32Array;
  readonly d: Int32Array;
  readonly pb: Int32Array;
  readonly pe: Int32Array;
}

function lift(values: readonly number[], fill: number): Int32Array {
  const out = new Int32Array(3).fill(fill);
  out.set(values, 3 - values.length);
  return out;
}

export function lift3(spatial: readonly number[], g: PoolGeometry): Geometry3 {
  return {
    inS: lift(spatial, 1),
    outS: lift(g.outShape, 1),
    k: lift(g.kernel, 1),
    s: lift(g.stride, 1),
    d: lift(g.dilation, 1),
    pb: lift(g.padBegin, 0),
    pe: lift(g.padEnd, 0),
  };
}

export function liftSizes(sizes: readonly number[]): Int32Array {
  return lift(sizes, 1);
}

/** Lifts adaptive windows: a unit dim has the single window [0, 1). */
export function liftWindows(w: readonly Int32Array[], fill: 0 | 1): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < 3 - w.length; i++) out.push(Int32Array.of(fill));
  return [...out, ...w];
}
