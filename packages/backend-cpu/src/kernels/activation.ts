import type { UnaryOp } from "@convkit/core";

const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * erfc(z) for z >= 0 in float64, accurate far beyond float32: below 2.5 from the all-positive series
 * erf(z) = 2/√π e^(-z²) Σ (2z²)^n z / (2n+1)!! (no cancellation), above it from the continued fraction
 * erfc(z) = e^(-z²)/√π / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), which keeps the tail's relative accuracy.
 */
function erfcNonNeg(z: number): number {
  if (z < 2.5) return 1 - erfSeries(z);
  if (z > 27) return 0; // e^(-z²) underflows float64
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / 2 / f;
  return (INV_SQRT_PI * Math.exp(-z * z)) / f;
}

/** erf(z) for 0 <= z < 2.5 from the all-positive series (keeps its relative accuracy near 0). */
function erfSeries(z: number): number {
  const z2 = 2 * z * z;
  let term = z;
  let sum = z;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= z2 / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
}

/** erf(x) in float64 (odd; NaN stays NaN). */
function erf(x: number): number {
  const z = Math.abs(x);
  const v = z < 2.5 ? erfSeries(z) : 1 - erfcNonNeg(z);
  return x < 0 ? -v : x === 0 ? x : v; // x === 0 keeps the sign of zero
}

/** The standard normal CDF Φ(x) = (1 + erf(x / √2)) / 2, without cancellation in either tail. */
function normalCdf(x: number): number {
  const z = x * SQRT1_2;
  return z >= 0 ? 1 - 0.5 * erfcNonNeg(z) : 0.5 * erfcNonNeg(-z);
}

/** Activation functions with one scalar parameter at most (`alpha`: leakyRelu's negative slope). */
export function activation(x: Float32Array, op: UnaryOp, alpha: number, out: Float32Array): void {
  const n = x.length;
  switch (op) {
    case "relu6":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v < 0 ? 0 : Math.min(v, 6); // NaN passes through, -0 stays -0 (as torch's hardtanh)
      }
      return;
    case "leakyRelu":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v * alpha;
      }
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
      return;
    case "tanh":
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case "hardswish":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = (v * Math.min(Math.max(v + 3, 0), 6)) / 6; // -inf * 0 is NaN, as in torch
      }
      return;
    case "hardsigmoid":
      for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(x[i] + 3, 0), 6) / 6;
      return;
    case "gelu":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * normalCdf(v);
      }
      return;
    case "erf":
      for (let i = 0; i < n; i++) out[i] = erf(x[i]);
      return;
    case "geluTanh":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
      return;
    default:
      throw new Error(`cpu unary: unknown op ${op}`);
  }
}
