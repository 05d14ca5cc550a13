/**
 * The pooling tutorial's examples (/work/shared/reference/tutorial-pooling-convolution.txt, section 3;
 * the same inputs and arguments as its torch API examples test01..test04 in 3.7, which unsqueeze the
 * inputs to (1, 1, H, W), or (1, 3, H, W) for test04).
 *
 * Expected values are the tutorial's own: it lists every window of examples 1 and 2, e.g.
 * "max(0, 1, 3, 4)", "mean(0, 1, 3, 4)", and the values below are those windows' max / mean. For
 * example 3 (padding 1) it lists the first row's windows and "以此类推" (and so on); the full 4x4
 * outputs are the ones the issue states. Example 4 applies the tutorial's rule for multi-channel
 * pooling (3.5: each channel is pooled separately, the channel count is kept) to its test04 input.
 * The tutorial does not print test01..test04's outputs; running them under torch 1.13 prints the
 * values below.
 */
import { avgPool2d, maxPool2d } from "@convkit/core";
import { fromJson } from "../json-tensor.js";
import type { ConformanceCase, Feature, JsonTensor } from "../types.js";

const GRID_3X3 = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const GRID_4X4 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
/** test04: [[0..8], [10, 20, ..., 90], [11, 22, ..., 99]], each 3x3. */
const THREE_CHANNELS = [...GRID_3X3, 10, 20, 30, 40, 50, 60, 70, 80, 90, 11, 22, 33, 44, 55, 66, 77, 88, 99];

function float(shape: number[], data: number[]): JsonTensor {
  return { shape, dtype: "float32", data };
}

interface TutorialExample {
  id: string;
  op: "maxPool2d" | "avgPool2d";
  input: JsonTensor;
  kernelSize: number;
  stride: number;
  padding: number;
  expected: JsonTensor;
}

const EXAMPLES: TutorialExample[] = [
  // 3.2: max(0, 1, 3, 4), max(1, 2, 4, 5), max(3, 4, 6, 7), max(4, 5, 7, 8)
  {
    id: "example-1-kernel-2-stride-1",
    op: "maxPool2d",
    input: float([1, 1, 3, 3], GRID_3X3),
    kernelSize: 2,
    stride: 1,
    padding: 0,
    expected: float([1, 1, 2, 2], [4, 5, 7, 8]),
  },
  // 3.2: mean(0, 1, 3, 4), mean(1, 2, 4, 5), mean(3, 4, 6, 7), mean(4, 5, 7, 8)
  {
    id: "example-1-kernel-2-stride-1",
    op: "avgPool2d",
    input: float([1, 1, 3, 3], GRID_3X3),
    kernelSize: 2,
    stride: 1,
    padding: 0,
    expected: float([1, 1, 2, 2], [2, 3, 5, 6]),
  },
  // 3.3: max(0, 1, 4, 5), max(2, 3, 6, 7), max(8, 9, 12, 13), max(10, 11, 14, 15)
  {
    id: "example-2-stride-2",
    op: "maxPool2d",
    input: float([1, 1, 4, 4], GRID_4X4),
    kernelSize: 2,
    stride: 2,
    padding: 0,
    expected: float([1, 1, 2, 2], [5, 7, 13, 15]),
  },
  // 3.3: mean(0, 1, 4, 5), mean(2, 3, 6, 7), mean(8, 9, 12, 13), mean(10, 11, 14, 15)
  {
    id: "example-2-stride-2",
    op: "avgPool2d",
    input: float([1, 1, 4, 4], GRID_4X4),
    kernelSize: 2,
    stride: 2,
    padding: 0,
    expected: float([1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5]),
  },
  // 3.4 pictures zero padding: max(0, 0, 0, 0), max(0, 0, 0, 1), max(0, 0, 1, 2), max(0, 0, 2, 0), ...
  // PyTorch's max pooling pads with -inf instead, so a pad never wins; this input is all >= 0, so the
  // values are the same either way: [[0,1,2,2],[3,4,5,5],[6,7,8,8],[6,7,8,8]] (the numbers).
  {
    id: "example-3-padding-1",
    op: "maxPool2d",
    input: float([1, 1, 3, 3], GRID_3X3),
    kernelSize: 2,
    stride: 1,
    padding: 1,
    expected: float([1, 1, 4, 4], [0, 1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 8, 6, 7, 8, 8]),
  },
  // 3.4: mean(0, 0, 0, 0), mean(0, 0, 0, 1), mean(0, 0, 1, 2), mean(0, 0, 2, 0), ...: zero pads counted
  // in the divisor (PyTorch's default count_include_pad=True); full output as the issue states it.
  {
    id: "example-3-padding-1",
    op: "avgPool2d",
    input: float([1, 1, 3, 3], GRID_3X3),
    kernelSize: 2,
    stride: 1,
    padding: 1,
    expected: float([1, 1, 4, 4], [0, 0.25, 0.75, 0.5, 0.75, 2, 3, 1.75, 2.25, 5, 6, 3.25, 1.5, 3.25, 3.75, 2]),
  },
  // 3.5 + test04: every channel pooled on its own, 3 channels in and out.
  {
    id: "example-4-three-channels",
    op: "maxPool2d",
    input: float([1, 3, 3, 3], THREE_CHANNELS),
    kernelSize: 2,
    stride: 1,
    padding: 0,
    expected: float([1, 3, 2, 2], [4, 5, 7, 8, 50, 60, 80, 90, 55, 66, 88, 99]),
  },
];

export function tutorialCases(): ConformanceCase[] {
  return EXAMPLES.map((ex) => {
    const isMax = ex.op === "maxPool2d";
    const features: Feature[] = [isMax ? "maxPool" : "avgPool"];
    return {
      id: `tutorial/${ex.op}/${ex.id}`,
      source: "tutorial",
      features,
      outputs: [{ name: "output", expected: ex.expected, compare: isMax ? "exact" : "close" }],
      run: () => {
        const x = fromJson(ex.input);
        const options = { stride: ex.stride, padding: ex.padding };
        return [isMax ? maxPool2d(x, ex.kernelSize, options) : avgPool2d(x, ex.kernelSize, options)];
      },
    };
  });
}
