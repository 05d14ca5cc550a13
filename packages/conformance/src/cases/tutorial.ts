/**
 * The tutorial's examples (the reference tutorial, shared/reference/tutorial-pooling-convolution.txt): its pooling API
 * functions test01..test04 (3.7) and its transposed convolution of a 2x2 input by a 3x3 kernel (5.4.1).
 * Expected values are what PyTorch gives for the tutorial's own code, in `fixtures/tutorial.json`
 * (written by tools/fixtures/generate_tutorial.py, which documents the values chosen for 5.4.1, whose
 * figure has no numbers).
 *
 * The tutorial also lists the windows of its pooling examples, e.g. "max(0, 1, 3, 4)" (3.2-3.4). Those
 * listings are kept below as a cross-check of the fixture: each listed window's max / mean must be
 * PyTorch's output at that position, or loading the cases fails.
 */
import { readFileSync } from "node:fs";
import { decodeValues } from "../json-tensor.js";
import type { ConformanceCase } from "../types.js";
import { FIXTURE_DIR, type FixtureCase, type FixtureFile, TUTORIAL_FIXTURE, fixtureCase } from "./pytorch.js";

interface WindowListing {
  /** Where the tutorial lists them. */
  section: string;
  reduce: "max" | "mean";
  /** The windows as the tutorial writes them, in output order (row-major); it may list only the first few. */
  windows: number[][];
}

/** The tutorial's listings, by fixture case id. */
export const TUTORIAL_WINDOW_LISTINGS: Readonly<Record<string, WindowListing>> = {
  "test01-maxpool-kernel-2-stride-1": {
    section: "3.2",
    reduce: "max",
    windows: [
      [0, 1, 3, 4],
      [1, 2, 4, 5],
      [3, 4, 6, 7],
      [4, 5, 7, 8],
    ],
  },
  "test01-avgpool-kernel-2-stride-1": {
    section: "3.2",
    reduce: "mean",
    windows: [
      [0, 1, 3, 4],
      [1, 2, 4, 5],
      [3, 4, 6, 7],
      [4, 5, 7, 8],
    ],
  },
  "test02-maxpool-stride-2": {
    section: "3.3",
    reduce: "max",
    windows: [
      [0, 1, 4, 5],
      [2, 3, 6, 7],
      [8, 9, 12, 13],
      [10, 11, 14, 15],
    ],
  },
  "test02-avgpool-stride-2": {
    section: "3.3",
    reduce: "mean",
    windows: [
      [0, 1, 4, 5],
      [2, 3, 6, 7],
      [8, 9, 12, 13],
      [10, 11, 14, 15],
    ],
  },
  // 3.4 pictures zero padding and lists the first row's windows, then "以此类推" (and so on). PyTorch's
  // max pooling pads with -inf rather than 0, which gives the same values on this all-non-negative input;
  // its average pooling counts the zero pads in the divisor by default, as the listing does.
  "test03-maxpool-padding-1": {
    section: "3.4",
    reduce: "max",
    windows: [
      [0, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 0, 1, 2],
      [0, 0, 2, 0],
    ],
  },
  "test03-avgpool-padding-1": {
    section: "3.4",
    reduce: "mean",
    windows: [
      [0, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 0, 1, 2],
      [0, 0, 2, 0],
    ],
  },
};

function reduceWindow(reduce: WindowListing["reduce"], window: readonly number[]): number {
  return reduce === "max" ? Math.max(...window) : Math.fround(window.reduce((a, b) => a + b, 0) / window.length);
}

/** Where the fixture's outputs contradict the tutorial's window listings (or a listed case is missing). */
export function tutorialListingMismatches(cases: readonly FixtureCase[], listings = TUTORIAL_WINDOW_LISTINGS): string[] {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const problems: string[] = [];
  for (const [id, listing] of Object.entries(listings)) {
    const fc = byId.get(id);
    if (fc === undefined) {
      problems.push(`${id}: listed in the tutorial (${listing.section}) but not in ${TUTORIAL_FIXTURE}`);
      continue;
    }
    const actual = decodeValues(fc.outputs[0] ?? { data: [] });
    listing.windows.forEach((window, i) => {
      const expected = reduceWindow(listing.reduce, window);
      if (actual[i] !== expected) {
        problems.push(`${id}: output ${i} is ${actual[i]}, the tutorial's ${listing.reduce}(${window.join(", ")}) (${listing.section}) is ${expected}`);
      }
    });
  }
  return problems;
}

export function loadTutorialFixture(dir = FIXTURE_DIR): FixtureFile {
  return JSON.parse(readFileSync(`${dir}/${TUTORIAL_FIXTURE}`, "utf8")) as FixtureFile;
}

export function tutorialCases(): ConformanceCase[] {
  const { cases } = loadTutorialFixture();
  const problems = tutorialListingMismatches(cases);
  if (problems.length > 0) throw new Error(`${TUTORIAL_FIXTURE} disagrees with the tutorial's text:\n${problems.join("\n")}`);
  return cases.map((fc) => fixtureCase(fc, "tutorial", `tutorial/${fc.id}`));
}
