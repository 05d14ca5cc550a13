export { defineConformanceSuite } from "./suite.js";
export { allCases, inexpressibleCases } from "./cases/index.js";
export { compareOutput, DEFAULT_TOLERANCE } from "./compare.js";
export { fromJson, decodeValues } from "./json-tensor.js";
export type * from "./types.js";
