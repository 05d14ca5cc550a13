/**
 * Core's tensor-free convolution shape functions: the output shape of every conv / convTranspose
 * PyTorch fixture (packages/conformance/fixtures, real PyTorch outputs), the weight shapes nn.ConvNd
 * creates, and for rejected calls exactly the error the op itself throws (the ops resolve through
 * these functions, so the two cannot drift apart).
 */
import "../src/index.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  ArgumentError,
  type Tensor,
  conv1d,
  conv2d,
  conv3d,
  convOutputShape,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  convTransposeOutputShape,
  convTransposeOutputSize,
  convWeightShape,
  tidy,
  zeros,
} from "@convkit/core";
import { describe, expect, it } from "vitest";
import { thrown } from "./expect-error.js";

interface Case {
  id: string;
  op: string;
  inputs: { shape: number[] }[];
  args: unknown[];
  call?: unknown[];
  outputs: { shape: number[] }[];
}

function fixtureCases(file: string): Case[] {
  const url = new URL(`../../conformance/fixtures/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as { cases: Case[] }).cases;
}

/** The options object of a fixture call, without its bias tensor (shapes do not depend on it). */
function shapeOptions(c: Case): Record<string, unknown> {
  const options = (c.call ? c.call[2] : c.args[0]) ?? {};
  const { bias: _bias, ...rest } = options as Record<string, unknown>;
  return rest;
}

const OPS: Record<string, (x: Tensor, w: Tensor, o?: object) => Tensor> = {
  conv1d: conv1d as never,
  conv2d: conv2d as never,
  conv3d: conv3d as never,
  convTranspose1d: convTranspose1d as never,
  convTranspose2d: convTranspose2d as never,
  convTranspose3d: convTranspose3d as never,
};

describe("convOutputShape / convTransposeOutputShape give the shape PyTorch returned", () => {
  for (const [file, shapeFn] of [
    ["conv.json", convOutputShape],
    ["conv-transpose.json", convTransposeOutputShape],
  ] as const) {
    const cases = fixtureCases(file).filter((c) => c.op in OPS);
    it(`for all ${cases.length} ${file} cases of F.conv*d / F.conv_transpose*d (batched and unbatched)`, () => {
      expect(cases.length).toBeGreaterThan(50);
      const wrong = cases.filter((c) => shapeFn(c.inputs[0].shape, c.inputs[1].shape, shapeOptions(c)).join() !== c.outputs[0].shape.join());
      expect(wrong.map((c) => c.id)).toEqual([]);
    });
  }
});

describe("convTransposeOutputSize is the transposed-convolution length formula", () => {
  it("agrees with every 1-D PyTorch fixture's output length", () => {
    const cases = fixtureCases("conv-transpose.json").filter((c) => c.op === "convTranspose1d");
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) {
      const o = shapeOptions(c) as { stride?: number; padding?: number; dilation?: number; outputPadding?: number };
      const [n, k] = [c.inputs[0].shape.at(-1) as number, c.inputs[1].shape[2]];
      const p = o.padding ?? 0;
      expect(convTransposeOutputSize(n, k, o.stride ?? 1, p, p, o.dilation ?? 1, o.outputPadding ?? 0), c.id).toBe(c.outputs[0].shape.at(-1));
    }
  });
});

describe("convWeightShape is the weight nn.ConvNd / nn.ConvTransposeNd create, with their checks", () => {
  it("Conv2d(4, 8, (3, 5), groups=2) is [8, 2, 3, 5]; ConvTranspose3d(4, 6, 2, groups=2) is [4, 3, 2, 2, 2]; Conv1d(3, 5, 4) is [5, 3, 4]", () => {
    expect(convWeightShape("Conv2d", 2, { inChannels: 4, outChannels: 8, kernelSize: [3, 5], groups: 2 })).toEqual([8, 2, 3, 5]);
    expect(convWeightShape("ConvTranspose3d", 3, { inChannels: 4, outChannels: 6, kernelSize: 2, groups: 2, transposed: true })).toEqual([4, 3, 2, 2, 2]);
    expect(convWeightShape("Conv1d", 1, { inChannels: 3, outChannels: 5, kernelSize: 4 })).toEqual([5, 3, 4]);
  });

  it("rejects groups that do not divide a channel count, as torch's 'in_channels must be divisible by groups'", () => {
    expect(() => convWeightShape("Conv2d", 2, { inChannels: 3, outChannels: 8, kernelSize: 3, groups: 2 })).toThrow(
      new ArgumentError("Conv2d: inChannels (3) must be divisible by groups (2)"),
    );
    expect(() => convWeightShape("Conv2d", 2, { inChannels: 4, outChannels: 6, kernelSize: 3, groups: 4 })).toThrow(
      new ArgumentError("Conv2d: outChannels (6) must be divisible by groups (4)"),
    );
  });
});

describe("the shape functions reject exactly what the ops reject, with the op's error", () => {
  const rejected: [string, number[], number[], object][] = [
    ["conv2d", [1, 4, 5, 5], [8, 3, 3, 3], {}],
    ["conv2d", [1, 4, 5, 5], [3, 2, 3, 3], { groups: 2 }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { groups: 0 }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { padding: "same", stride: 2 }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { padding: "full" }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { padding: -1 }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { stride: [1, 2, 3] }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 7, 7], {}],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { dilation: 3 }],
    ["conv2d", [1, 4, 2, 5], [8, 4, 3, 3], { padding: 2, paddingMode: "reflect" }],
    ["conv2d", [1, 4, 2, 5], [8, 4, 3, 3], { padding: 3, paddingMode: "circular" }],
    ["conv2d", [1, 4, 5, 5], [8, 4, 3, 3], { paddingMode: "mirror" }],
    ["conv2d", [1, 0, 5, 5], [8, 4, 3, 3], {}],
    ["conv3d", [4, 5, 5], [8, 4, 3, 3, 3], {}],
    ["conv1d", [4, 6], [8, 4, 3], { padding: 1, paddingMode: "replicate", stride: 0 }],
    ["convTranspose2d", [1, 4, 5, 5], [4, 8, 3, 3], { outputPadding: 1 }],
    ["convTranspose2d", [1, 4, 5, 5], [3, 8, 3, 3], {}],
    ["convTranspose2d", [1, 4, 5, 5], [4, 8, 3, 3], { groups: 3 }],
    ["convTranspose2d", [1, 4, 1, 1], [4, 8, 2, 2], { padding: 1 }],
    ["convTranspose1d", [1, 4, 5], [4, 8, 3], { padding: "same" }],
    ["convTranspose3d", [4, 5, 5, 5], [4, 8, 3, 3, 3], { stride: 2, outputPadding: [1, 2, 1] }],
  ];
  for (const [op, inputShape, weightShape, options] of rejected) {
    it(`${op} on ${inputShape.join("x")} with weight ${weightShape.join("x")} and ${JSON.stringify(options)}`, () => {
      const fromOp = tidy(() => thrown(() => OPS[op](zeros(inputShape), zeros(weightShape), options)));
      const shapeFn = op.startsWith("convTranspose") ? convTransposeOutputShape : convOutputShape;
      const fromShape = thrown(() => shapeFn(inputShape, weightShape, options as never));
      expect(fromShape.constructor).toBe(fromOp.constructor);
      expect(fromShape.message).toBe(fromOp.message);
    });
  }

  it("and accept what they accept: an empty batch gives an empty batch of the right shape", () => {
    const y = conv2d(zeros([0, 4, 5, 5]), zeros([8, 4, 3, 3]), { padding: 1 });
    expect(convOutputShape([0, 4, 5, 5], [8, 4, 3, 3], { padding: 1 })).toEqual(y.shape);
    y.dispose();
  });
});
