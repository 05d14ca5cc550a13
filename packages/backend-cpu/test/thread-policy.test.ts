import { describe, expect, it } from "vitest";
import { ThreadPolicy } from "../src/threads/policy.js";

/** Runs `runs` jobs of one shape, timing threaded runs `threadedMs` and solo runs `soloMs`; returns the ways taken (T/S). */
function drive(policy: ThreadPolicy, runs: number, threadedMs: number, soloMs: number): string {
  let ways = "";
  for (let i = 0; i < runs; i++) {
    const threaded = policy.threaded("shape");
    policy.record("shape", threaded, threaded ? threadedMs : soloMs);
    ways += threaded ? "T" : "S";
  }
  return ways;
}

describe("ThreadPolicy", () => {
  it("alternates blocks of 3 runs each way, then keeps the faster way and re-times the other every 8th block", () => {
    const policy = new ThreadPolicy();
    // Blocks 0-1 warm up untimed, blocks 2-3 time both ways; threads are faster here.
    expect(drive(policy, 12, 1, 2)).toBe("TTTSSSTTTSSS");
    // Blocks 4-6 threaded, block 7 re-times solo, then threaded again.
    expect(drive(policy, 15, 1, 2)).toBe("TTTTTTTTTSSSTTT");
  });

  it("moves to the calling thread alone after one slower threaded block, and still re-times threads every 8th block", () => {
    const policy = new ThreadPolicy();
    drive(policy, 12, 1, 2);
    // The machine gets busy: threaded runs now take 3 ms against 2 ms alone.
    expect(drive(policy, 12, 3, 2)).toBe("TTTSSSSSSTTT");
    expect(drive(policy, 6, 3, 2)).toBe("SSSSSS");
  });

  it("keeps shapes apart", () => {
    const policy = new ThreadPolicy();
    drive(policy, 12, 1, 2);
    expect(policy.threaded("other shape")).toBe(true);
    policy.record("other shape", true, 5);
    expect(policy.threaded("shape")).toBe(true);
  });
});
