import { describe, expect, it } from "vitest";
import { peakRssBytes, resetPeakRss, rssBytes } from "../src/memory.js";
import { memoryText } from "../src/report.js";

const MB = 1024 * 1024;

describe("memoryText", () => {
  it("states the inference peak, its rise over the loaded workload, the workload's rise over the engine, and the engine's detail", () => {
    const text = memoryText({ type: "memory", status: "ok", baseline: 80 * MB, loaded: 250 * MB, peak: 262 * MB, peakIsLifetime: false, detail: "WebAssembly memory 104 MB" });
    expect(text).toBe("peak 262 MB (inference +12.0 MB over 250 MB loaded; workload +170 MB over the engine alone); WebAssembly memory 104 MB");
  });

  it("says 'process peak' where the high-water mark could not be reset after loading", () => {
    expect(memoryText({ type: "memory", status: "ok", baseline: 0, loaded: MB, peak: 2 * MB, peakIsLifetime: true, detail: null })).toMatch(/^process peak 2\.0 MB/);
  });
});

describe("resident memory probes", () => {
  it("the peak is at least the current RSS, and after resetPeakRss() it follows a new 64 MB allocation", () => {
    const now = rssBytes();
    expect(peakRssBytes()).toBeGreaterThanOrEqual(now);
    const reset = resetPeakRss();
    const before = peakRssBytes();
    const block = new Uint8Array(64 * MB).fill(1);
    expect(peakRssBytes()).toBeGreaterThanOrEqual(before + (reset ? 60 * MB : 0));
    expect(block[block.length - 1]).toBe(1);
  });
});
