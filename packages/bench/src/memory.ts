/**
 * Resident memory of the current process for `--memory`: the resident set size now and its high-water
 * mark, from /proc/self/status on Linux. Writing 5 to /proc/self/clear_refs resets the high-water mark,
 * so the peak of one phase (the inference runs) can be read apart from an earlier one (model loading).
 * Elsewhere the peak is process.resourceUsage().maxRSS, which cannot be reset: it then covers the whole
 * child process (every memory measurement runs in a fresh one).
 */
import { readFileSync, writeFileSync } from "node:fs";

function statusKb(field: "VmRSS" | "VmHWM"): number | null {
  try {
    const m = readFileSync("/proc/self/status", "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Bytes resident now. */
export function rssBytes(): number {
  const kb = statusKb("VmRSS");
  return kb === null ? process.memoryUsage().rss : kb * 1024;
}

/** Highest resident bytes since the process started or since the last successful resetPeakRss(). */
export function peakRssBytes(): number {
  const kb = statusKb("VmHWM");
  return kb === null ? process.resourceUsage().maxRSS * 1024 : kb * 1024;
}

/** Restarts the high-water mark at the current RSS; false where the platform cannot. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Collects garbage when the process runs with --expose-gc (the bench's children do). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") {
    gc();
    gc();
  }
}

export function formatMB(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)} MB`;
}
