import type { Tensor } from "@convkit/core";

/** Features a backend may declare unsupported; cases needing them are reported as unsupported, not run. */
export type Feature =
  | "maxPool"
  | "maxPoolIndices"
  | "avgPool"
  | "adaptiveMaxPool"
  | "adaptiveAvgPool"
  | "maxUnpool"
  | "lpPool"
  | "dilation"
  | "ceilMode"
  | "asymmetricPadding"
  | "pool3d"
  | "nan"
  | "unary"
  | "binary"
  | "activation"
  | "softmax"
  | "layout"
  | "reduce"
  | "argReduce"
  | "matmul"
  | "im2col"
  | "shuffle"
  | "int32"
  | "conv"
  | "convTranspose"
  | "conv3d"
  | "groups"
  | "depthwise"
  | "paddingMode"
  | "pad"
  /** Gradients: backward through the op (cases with a `grad` field), needing the backend's AutogradKernels. */
  | "autograd";

/** A JSON tensor: flat row-major data; non-finite floats as the strings "NaN", "Infinity", "-Infinity". */
export interface JsonTensor {
  shape: number[];
  dtype: "float32" | "int32";
  data: (number | "NaN" | "Infinity" | "-Infinity")[];
}

/** How an output is compared: bit for bit (max-type ops, indices) or within the suite's float tolerance. */
export type Comparison = "exact" | "close";

export interface ExpectedOutput {
  readonly name: string;
  readonly expected: JsonTensor;
  readonly compare: Comparison;
  /** Case-specific tolerance, stated with its reason, e.g. upstream expectations rounded to 4 decimals. */
  readonly tolerance?: { rtol: number; atol: number; reason: string };
}

/** One conformance case: run it on the active backend and get the actual outputs in `expected` order. */
export interface ConformanceCase {
  /** Unique, readable id: `<source>/<op>/<what it checks>`. */
  readonly id: string;
  readonly source: "pytorch" | "onnx" | "tutorial";
  readonly features: readonly Feature[];
  readonly outputs: readonly ExpectedOutput[];
  run(): Tensor[];
}

/** A case that cannot be expressed with convkit's API at all, listed with its reason in the suite output. */
export interface InexpressibleCase {
  readonly id: string;
  readonly reason: string;
}

/** A case known to fail on a backend, with the reason: data, not test-name filters. */
export interface KnownFailure {
  readonly id: string;
  readonly reason: string;
}

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export interface ConformanceOptions {
  /** Features this backend does not implement. */
  readonly unsupported?: readonly Feature[];
  /** Cases expected to fail on this backend, each with its reason. */
  readonly knownFailures?: readonly KnownFailure[];
  /** Float tolerance for "close" outputs; a backend that needs a looser one states why. */
  readonly tolerance?: Tolerance & { reason?: string };
}
