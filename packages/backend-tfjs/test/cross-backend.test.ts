/**
 * Cross-backend property tests: seeded random valid configurations of every op family run on convkit's
 * `cpu` backend and on each tfjs engine, and must agree. Max-type values and indices must match exactly;
 * sums within rtol 1e-4 / atol 1e-5, because the cpu backend accumulates some sums in float64 and tfjs in
 * float32 (the conformance suite holds both to PyTorch at its own tolerance).
 */
import "@convkit/backend-cpu";
import * as ck from "@convkit/core";
import type { Tensor } from "@convkit/core";
import { describe, expect, it } from "vitest";
import "../src/index.js";

/** mulberry32: a small seeded generator for configurations and data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const prod = (s: readonly number[]): number => s.reduce((a, v) => a * v, 1);

interface Input {
  readonly shape: number[];
  readonly data: Float32Array | Int32Array;
  readonly dtype: "float32" | "int32";
}

/** Small integers (ties) with a few NaN and infinities, or smooth random values. */
function floats(r: Rand, shape: number[], special: boolean): Input {
  const data = new Float32Array(prod(shape));
  for (let i = 0; i < data.length; i++) {
    const u = r();
    if (special && u < 0.03) data[i] = Number.NaN;
    else if (special && u < 0.05) data[i] = u < 0.04 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    else data[i] = special && u < 0.5 ? int(r, -2, 2) : (r() - 0.5) * 4;
  }
  return { shape, data, dtype: "float32" };
}

interface Trial {
  readonly what: string;
  readonly inputs: Input[];
  readonly exact: boolean;
  run(...xs: Tensor[]): Tensor | Tensor[];
}

type Family = (r: Rand) => Trial;

function spatial(r: Rand, rank: number, lo: number, hi: number): number[] {
  return Array.from({ length: rank }, () => int(r, lo, hi));
}

const maxPool: Family = (r) => {
  const rank = int(r, 1, 3);
  const k = int(r, 1, 3), d = int(r, 1, 2), s = int(r, 1, 3);
  const p = int(r, 0, Math.floor(((k - 1) * d + 1) / 2));
  const o = { stride: s, padding: p, dilation: d, ceilMode: r() < 0.5, returnIndices: r() < 0.5 };
  const shape = [int(r, 1, 2), int(r, 1, 3), ...spatial(r, rank, (k - 1) * d + 1, 7)];
  const fn = [ck.maxPool1d, ck.maxPool2d, ck.maxPool3d][rank - 1] as (x: Tensor, k: number, o: object) => Tensor | Tensor[];
  return { what: `maxPool${rank}d(${JSON.stringify(shape)}, ${k}, ${JSON.stringify(o)})`, inputs: [floats(r, shape, true)], exact: true, run: (x) => fn(x, k, o) };
};

const avgPool: Family = (r) => {
  const rank = int(r, 1, 3);
  const k = int(r, 1, 3), s = int(r, 1, 3), p = int(r, 0, Math.floor(k / 2));
  const o: Record<string, unknown> = { stride: s, padding: p, ceilMode: r() < 0.5, countIncludePad: r() < 0.5 };
  if (rank > 1 && r() < 0.3) o.divisorOverride = pick(r, [1, 2, 5, -3]);
  const shape = [int(r, 1, 2), int(r, 1, 3), ...spatial(r, rank, k, 7)];
  const fn = [ck.avgPool1d, ck.avgPool2d, ck.avgPool3d][rank - 1] as (x: Tensor, k: number, o: object) => Tensor;
  return { what: `avgPool${rank}d(${JSON.stringify(shape)}, ${k}, ${JSON.stringify(o)})`, inputs: [floats(r, shape, r() < 0.3)], exact: false, run: (x) => fn(x, k, o) };
};

const adaptive: Family = (r) => {
  const rank = int(r, 1, 3);
  const shape = [int(r, 1, 2), int(r, 1, 3), ...spatial(r, rank, 1, 8)];
  const out = shape.slice(2).map((n) => int(r, 1, n + 2));
  const max = r() < 0.5;
  const ri = r() < 0.5;
  const name = `adaptive${max ? "Max" : "Avg"}Pool${rank}d`;
  const fn = (ck as unknown as Record<string, (x: Tensor, o: number[], opt?: object) => Tensor | Tensor[]>)[name];
  return {
    what: `${name}(${JSON.stringify(shape)}, ${JSON.stringify(out)}${max ? `, returnIndices ${ri}` : ""})`,
    inputs: [floats(r, shape, max)],
    exact: max,
    run: (x) => (max ? fn(x, out, { returnIndices: ri }) : fn(x, out)),
  };
};

const maxUnpool: Family = (r) => {
  const k = int(r, 1, 3), s = int(r, 1, 3);
  const shape = [int(r, 1, 2), int(r, 1, 3), int(r, k, 7), int(r, k, 7)];
  return {
    what: `maxUnpool2d(maxPool2d(${JSON.stringify(shape)}, ${k}, stride ${s}))`,
    inputs: [floats(r, shape, false)],
    exact: true,
    run: (x) => ck.tidy(() => {
      const [v, i] = ck.maxPool2d(x, k, { stride: s, returnIndices: true });
      return ck.maxUnpool2d(v, i, k, { stride: s });
    }),
  };
};

const PAD_MODES = ["zeros", "reflect", "replicate", "circular"] as const;

const conv: Family = (r) => {
  const rank = int(r, 1, 3);
  const groups = int(r, 1, 3);
  const cin = groups * int(r, 1, 2), cout = groups * int(r, 1, 2);
  const k = int(r, 1, 3), s = int(r, 1, 2), d = int(r, 1, 2);
  const ek = (k - 1) * d + 1;
  const shape = [int(r, 1, 2), cin, ...spatial(r, rank, ek + 1, 7)];
  const mode = pick(r, PAD_MODES);
  const padding = s === 1 && r() < 0.2 ? "same" : int(r, 0, Math.min(2, Math.min(...shape.slice(2)) - 1));
  const o = { stride: s, dilation: d, groups, padding, paddingMode: mode };
  const w = floats(r, [cout, cin / groups, ...new Array(rank).fill(k)], false);
  const bias = r() < 0.5;
  const fn = [ck.conv1d, ck.conv2d, ck.conv3d][rank - 1] as (x: Tensor, w: Tensor, o: object) => Tensor;
  const inputs = [floats(r, shape, false), w];
  if (bias) inputs.push(floats(r, [cout], false));
  return { what: `conv${rank}d(${JSON.stringify(shape)}, w ${JSON.stringify(w.shape)}, ${JSON.stringify(o)}, bias ${bias})`, inputs, exact: false, run: (x, wt, b) => fn(x, wt, { ...o, bias: b ?? null }) };
};

const convTranspose: Family = (r) => {
  const rank = int(r, 1, 3);
  const groups = int(r, 1, 2);
  const cin = groups * int(r, 1, 2), cout = groups * int(r, 1, 2);
  const k = int(r, 1, 3), s = int(r, 1, 3), d = int(r, 1, 2);
  const p = int(r, 0, Math.floor(((k - 1) * d) / 2));
  const op = int(r, 0, Math.max(s, d) - 1);
  const shape = [int(r, 1, 2), cin, ...spatial(r, rank, 1, 5)];
  const o = { stride: s, dilation: d, groups, padding: p, outputPadding: op };
  const w = floats(r, [cin, cout / groups, ...new Array(rank).fill(k)], false);
  const fn = [ck.convTranspose1d, ck.convTranspose2d, ck.convTranspose3d][rank - 1] as (x: Tensor, w: Tensor, o: object) => Tensor;
  return { what: `convTranspose${rank}d(${JSON.stringify(shape)}, w ${JSON.stringify(w.shape)}, ${JSON.stringify(o)})`, inputs: [floats(r, shape, false), w, floats(r, [cout], false)], exact: false, run: (x, wt, b) => fn(x, wt, { ...o, bias: b }) };
};

const pad: Family = (r) => {
  const mode = pick(r, ["constant", "reflect", "replicate", "circular"] as const);
  const rank = int(r, 1, 3);
  const shape = [int(r, 1, 2), int(r, 1, 2), ...spatial(r, rank, 2, 6)];
  const pads: number[] = [];
  for (let i = rank - 1; i >= 0; i--) {
    const n = shape[2 + i];
    const lim = mode === "reflect" ? n - 1 : mode === "circular" ? n : 3;
    pads.push(int(r, -1, lim), int(r, -1, lim));
  }
  return { what: `pad(${JSON.stringify(shape)}, ${JSON.stringify(pads)}, ${mode})`, inputs: [floats(r, shape, false)], exact: true, run: (x) => ck.pad(x, pads, mode, mode === "constant" ? 0.5 : 0) };
};

const elementwise: Family = (r) => {
  const shape = [int(r, 1, 3), int(r, 1, 3), int(r, 1, 4), int(r, 1, 4)];
  const other = shape.map((n) => (r() < 0.4 ? 1 : n));
  const op = pick(r, ["add", "sub", "mul", "div", "maximum", "minimum"] as const);
  const un = pick(r, ["abs", "neg", "sign", "relu", "relu6", "sigmoid", "tanh", "hardswish", "hardsigmoid", "exp"] as const);
  return {
    what: `${un}(${op}(${JSON.stringify(shape)}, ${JSON.stringify(other)}))`,
    inputs: [floats(r, shape, true), floats(r, other, true)],
    exact: false,
    run: (a, b) => ck.tidy(() => (ck as unknown as Record<string, (x: Tensor) => Tensor>)[un]((ck as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[op](a, b))),
  };
};

const reduce: Family = (r) => {
  const shape = [int(r, 1, 3), int(r, 1, 4), int(r, 1, 4), int(r, 1, 3)];
  const dims = [0, 1, 2, 3].filter(() => r() < 0.5);
  const op = pick(r, ["sum", "mean", "amax", "amin", "argmax", "argmin", "softmax", "logSoftmax"] as const);
  const dim = int(r, 0, 3);
  const keepdim = r() < 0.5;
  const special = op === "amax" || op === "amin" || op === "argmax" || op === "argmin";
  const run = (x: Tensor): Tensor => {
    const d = dims.length ? dims : undefined;
    switch (op) {
      case "argmax":
        return ck.argmax(x, dim, { keepdim });
      case "argmin":
        return ck.argmin(x, dim, { keepdim });
      case "softmax":
        return ck.softmax(x, dim);
      case "logSoftmax":
        return ck.logSoftmax(x, dim);
      case "sum":
        return ck.sum(x, d, { keepdim });
      case "mean":
        return ck.mean(x, d, { keepdim });
      case "amax":
        return ck.amax(x, d, { keepdim });
      case "amin":
        return ck.amin(x, d, { keepdim });
    }
  };
  return { what: `${op}(${JSON.stringify(shape)}, dims ${JSON.stringify(dims)} / dim ${dim}, keepdim ${keepdim})`, inputs: [floats(r, shape, special)], exact: special, run };
};

const matmulFold: Family = (r) => {
  if (r() < 0.5) {
    const m = int(r, 1, 4), k = int(r, 1, 5), n = int(r, 1, 4);
    const a = [int(r, 1, 2), 1, m, k], b = [1, int(r, 1, 3), k, n];
    return { what: `matmul(${JSON.stringify(a)}, ${JSON.stringify(b)})`, inputs: [floats(r, a, false), floats(r, b, false)], exact: false, run: (x, y) => ck.matmul(x, y) };
  }
  const k = int(r, 1, 3), s = int(r, 1, 2), d = int(r, 1, 2), p = int(r, 0, 1);
  const shape = [int(r, 1, 2), int(r, 1, 2), int(r, (k - 1) * d + 1, 6), int(r, (k - 1) * d + 1, 6)];
  const o = { stride: s, dilation: d, padding: p };
  return {
    what: `fold(unfold(${JSON.stringify(shape)}, ${k}, ${JSON.stringify(o)}))`,
    inputs: [floats(r, shape, false)],
    exact: false,
    run: (x) => {
      const cols = ck.unfold(x, k, o);
      return [cols, ck.fold(cols, [shape[2], shape[3]], k, o)];
    },
  };
};

const FAMILIES: Record<string, Family> = { maxPool, avgPool, adaptive, maxUnpool, conv, convTranspose, pad, elementwise, reduce, matmulFold };
const TRIALS = 20;

async function runOn(backend: string, t: Trial): Promise<{ shape: readonly number[]; dtype: string; data: Float32Array | Int32Array }[]> {
  await ck.setBackend(backend);
  const xs = t.inputs.map((i) => ck.tensor(i.data.slice(), i.shape, i.dtype));
  try {
    const out = ck.tidy(() => t.run(...xs));
    const list = Array.isArray(out) ? out : [out];
    const res = list.map((y) => ({ shape: y.shape, dtype: y.dtype, data: y.dataSync() }));
    for (const y of list) y.dispose();
    return res;
  } finally {
    for (const x of xs) x.dispose();
  }
}

function differences(want: Awaited<ReturnType<typeof runOn>>, got: Awaited<ReturnType<typeof runOn>>, exact: boolean): string | null {
  for (let o = 0; o < want.length; o++) {
    const a = want[o], b = got[o];
    if (JSON.stringify(a.shape) !== JSON.stringify(b.shape) || a.dtype !== b.dtype) return `output ${o}: ${b.dtype} ${JSON.stringify(b.shape)} vs cpu ${a.dtype} ${JSON.stringify(a.shape)}`;
    for (let i = 0; i < a.data.length; i++) {
      const x = a.data[i], y = b.data[i];
      const same = Number.isNaN(x) ? Number.isNaN(y) : exact || !Number.isFinite(x) ? x === y : Math.abs(x - y) <= 1e-5 + 1e-4 * Math.abs(x);
      if (!same) return `output ${o}[${i}]: ${y} vs cpu ${x}`;
    }
  }
  return null;
}

for (const engine of ["tfjs-cpu", "tfjs-wasm"]) {
  describe(`cpu and ${engine} agree on seeded random configurations`, () => {
    for (const [name, family] of Object.entries(FAMILIES)) {
      it(`${name}: ${TRIALS} seeded configurations give the same results on ${engine} as on cpu`, async () => {
        const r = rng(0x5eed + name.length * 7919 + name.charCodeAt(0));
        const problems: string[] = [];
        let compared = 0;
        for (let n = 0; n < TRIALS; n++) {
          const t = family(r);
          let want: Awaited<ReturnType<typeof runOn>>;
          try {
            want = await runOn("cpu", t);
          } catch {
            continue; // an invalid configuration: core rejects it on every backend alike
          }
          compared++;
          const diff = differences(want, await runOn(engine, t), t.exact);
          if (diff) problems.push(`${t.what}: ${diff}`);
        }
        expect(problems).toEqual([]);
        // Most generated configurations are valid, so the comparison above covered the family.
        expect(compared).toBeGreaterThan(TRIALS / 2);
      });
    }
  });
}
