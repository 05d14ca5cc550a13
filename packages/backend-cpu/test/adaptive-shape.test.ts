/**
 * Core's tensor-free adaptive pooling shape function: the output shape of every adaptive pooling
 * PyTorch fixture (packages/conformance/fixtures/pool-adaptive.json, real PyTorch outputs), and for
 * rejected calls exactly the error the op itself throws (both go through the same size resolution).
 */
import "../src/index.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type AdaptivePoolOp,
  type AdaptiveSizeN,
  ArgumentError,
  ShapeError,
  type Tensor,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  adaptivePoolOutputShape,
  tidy,
  zeros,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import { thrown } from "./expect-error.js";

const OPS: Record<AdaptivePoolOp, (x: Tensor, size: AdaptiveSizeN) => Tensor> = {
  adaptiveAvgPool1d: adaptiveAvgPool1d as never,
  adaptiveAvgPool2d: adaptiveAvgPool2d as never,
  adaptiveAvgPool3d: adaptiveAvgPool3d as never,
  adaptiveMaxPool1d: adaptiveMaxPool1d as never,
  adaptiveMaxPool2d: adaptiveMaxPool2d as never,
  adaptiveMaxPool3d: adaptiveMaxPool3d as never,
};

interface Case {
  id: string;
  op: AdaptivePoolOp;
  inputs: { shape: number[] }[];
  args: [AdaptiveSizeN, ...unknown[]];
  outputs: { shape: number[] }[];
}

const url = new URL("../../conformance/fixtures/pool-adaptive.json", import.meta.url);
const FIXTURE = (JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as { cases: Case[] }).cases;

describe("adaptivePoolOutputShape gives the shape PyTorch returned", () => {
  it(`for every case of pool-adaptive.json (${FIXTURE.length} cases, outputs larger than the input included)`, () => {
    expect(FIXTURE.length).toBeGreaterThan(0);
    for (const c of FIXTURE) {
      expect(adaptivePoolOutputShape(c.op, c.inputs[0].shape, c.args[0]), c.id).toEqual(c.outputs[0].shape);
    }
  });
});

describe("adaptivePoolOutputShape refuses what the op refuses, with the op's error", () => {
  const refused: [AdaptivePoolOp, number[], AdaptiveSizeN][] = [
    ["adaptiveAvgPool2d", [1, 1, 3, 3], 100000],
    ["adaptiveMaxPool2d", [1, 1, 3, 3], [100000, 100000]],
    ["adaptiveAvgPool1d", [1, 50000, 1], 50000],
    ["adaptiveAvgPool2d", [1, 1, 3, 3], 0],
    ["adaptiveMaxPool3d", [1, 1, 3, 3, 3], [2, -1, 2]],
    ["adaptiveAvgPool2d", [1, 1, 3, 3], 2.5],
    ["adaptiveAvgPool2d", [1, 1, 3, 3], [2, 2, 2]],
    ["adaptiveMaxPool1d", [1, 2, 3, 4], 2],
    ["adaptiveAvgPool2d", [1, 0, 3, 3], 2],
  ];
  for (const [op, shape, size] of refused) {
    it(`${op} on ${JSON.stringify(shape)} with outputSize ${JSON.stringify(size)}`, () => {
      const expected = thrown(() => adaptivePoolOutputShape(op, shape, size));
      expect(expected).toSatisfy((e: Error) => e instanceof ArgumentError || e instanceof ShapeError);
      const actual = thrown(() => tidy(() => OPS[op](zeros(shape), size)));
      expect(actual.constructor).toBe(expected.constructor);
      expect(actual.message).toBe(expected.message);
    });
  }
});
