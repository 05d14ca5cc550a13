import { describe, expect, it } from "vitest";
import { loadTutorialFixture, tutorialCases, tutorialListingMismatches } from "../src/cases/tutorial.js";

describe("tutorial cases (fixtures/tutorial.json)", () => {
  const { cases } = loadTutorialFixture();

  it("PyTorch's outputs agree with every window the tutorial lists (3.2-3.4)", () => {
    expect(tutorialListingMismatches(cases)).toEqual([]);
  });

  it("tutorialListingMismatches reports an output that contradicts a listed window", () => {
    const tampered = cases.map((c) =>
      c.id === "test03-avgpool-padding-1" ? { ...c, outputs: [{ ...c.outputs[0], data: [0, 0.5, ...c.outputs[0].data.slice(2)] }] } : c,
    );
    expect(tutorialListingMismatches(tampered)).toEqual(["test03-avgpool-padding-1: output 1 is 0.5, the tutorial's mean(0, 0, 0, 1) (3.4) is 0.25"]);
  });

  it("tutorialListingMismatches reports a listed example missing from the fixture", () => {
    const problems = tutorialListingMismatches(cases.filter((c) => c.id !== "test02-maxpool-stride-2"));
    expect(problems).toEqual(["test02-maxpool-stride-2: listed in the tutorial (3.3) but not in tutorial.json"]);
  });

  it("runs test01..test04's pooling modules and the 5.4.1 transposed convolution as tutorial/<case> ids", () => {
    expect(tutorialCases().map((c) => [c.id, c.source])).toEqual([
      ["tutorial/test01-maxpool-kernel-2-stride-1", "tutorial"],
      ["tutorial/test01-avgpool-kernel-2-stride-1", "tutorial"],
      ["tutorial/test02-maxpool-stride-2", "tutorial"],
      ["tutorial/test02-avgpool-stride-2", "tutorial"],
      ["tutorial/test03-maxpool-padding-1", "tutorial"],
      ["tutorial/test03-avgpool-padding-1", "tutorial"],
      ["tutorial/test04-maxpool-three-channels", "tutorial"],
      ["tutorial/conv-transpose-2x2-input-3x3-kernel-stride-1", "tutorial"],
    ]);
  });

  it("compares max pooling exactly and average pooling and convolution within tolerance", () => {
    const compare = Object.fromEntries(tutorialCases().map((c) => [c.id.replace(/^tutorial\//, ""), c.outputs.map((o) => o.compare)]));
    expect(compare["test03-maxpool-padding-1"]).toEqual(["exact"]);
    expect(compare["test04-maxpool-three-channels"]).toEqual(["exact"]);
    expect(compare["test03-avgpool-padding-1"]).toEqual(["close"]);
    expect(compare["conv-transpose-2x2-input-3x3-kernel-stride-1"]).toEqual(["close"]);
  });
});
