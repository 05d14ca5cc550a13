import type { ConformanceCase } from "../types.js";

export function tutorialCases(): ConformanceCase[] {
  return [];
}
