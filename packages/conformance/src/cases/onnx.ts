import type { ConformanceCase, InexpressibleCase } from "../types.js";

export function onnxCases(): ConformanceCase[] {
  return [];
}

export function onnxInexpressible(): InexpressibleCase[] {
  return [];
}
