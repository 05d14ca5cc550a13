import { describe, expect, it } from "vitest";
import { expectRefused, run } from "./run.js";

const GRID = "[[[[0,1,2],[3,4,5],[6,7,8]]]]";

describe("convkit reports bad input as one line on stderr with exit code 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /missing command/],
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    ["an unknown op", ["pool", "max4d", "-i", GRID, "-k", "2"], /unknown op "max4d"; ops are max1d, max2d/],
    ["malformed JSON", ["pool", "max2d", "-i", "[[[1,2]", "-k", "2"], /--input is not valid JSON/],
    ["a non-number in the input", ["pool", "max2d", "-i", '[[["a"]]]', "-k", "1"], /may only hold numbers/],
    ["ragged input", ["pool", "max2d", "-i", "[[[1,2],[3]]]", "-k", "1"], /ragged/],
    ["a malformed option value", ["pool", "max2d", "-i", GRID, "-k", "two"], /--kernel-size must be an integer or comma-separated integers/],
    ["a value core rejects", ["pool", "max2d", "-i", GRID, "-k", "0"], /^convkit: maxPool2d: kernelSize must be positive integers.*got 0/],
    ["an input of the wrong rank", ["pool", "max2d", "-i", "[[1,2],[3,4]]", "-k", "1"], /maxPool2d: input must be 3-D \(C, H, W\) or 4-D/],
    ["an option the op does not take", ["pool", "avg2d", "-i", GRID, "-k", "2", "--dilation", "2"], /--dilation does not apply to avg2d/],
    ["a missing required option", ["pool", "lp2d", "-i", GRID, "-k", "2"], /--norm-type is required/],
    ["an unknown option", ["pool", "max2d", "-i", GRID, "--frob"], /unknown option '--frob'/],
    ["a boolean flag set to neither true nor false", ["pool", "avg2d", "-i", GRID, "-k", "2", "--count-include-pad=maybe"], /takes true or false/],
    ["a missing input file", ["pool", "max2d", "-i", "@/nonexistent/x.json", "-k", "2"], /cannot read input file \/nonexistent\/x.json: no such file/],
    ["an unregistered backend", ["pool", "max2d", "-i", GRID, "-k", "2", "--backend", "nope"], /no backend named "nope" is registered/],
    ["a negative padding", ["pool", "max2d", "-i", GRID, "-k", "2", "--padding=-1"], /padding must be non-negative integers/],
    ["a negative value after a space", ["pool", "lp2d", "-i", GRID, "-k", "2", "--norm-type", "-1"], /'--norm-type' argument is ambiguous; write --norm-type=-1 for a value that starts with a dash/],
    ["an output no tensor can hold", ["pool", "adaptive-avg2d", "-i", GRID, "--output-size", "100000"], /adaptiveAvgPool2d: the output plane of shape \[100000, 100000\] would hold 10000000000 elements/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await run(...argv);
      expectRefused(r, message);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});
