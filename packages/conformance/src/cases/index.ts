import type { ConformanceCase, InexpressibleCase } from "../types.js";
import { onnxCases, onnxInexpressible } from "./onnx.js";
import { pytorchCases } from "./pytorch.js";
import { tutorialCases } from "./tutorial.js";

export function allCases(): ConformanceCase[] {
  const cases = [...pytorchCases(), ...onnxCases(), ...tutorialCases()];
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new Error(`duplicate conformance case id ${c.id}`);
    seen.add(c.id);
  }
  return cases;
}

export function inexpressibleCases(): InexpressibleCase[] {
  return onnxInexpressible();
}
