/** The machine facts the report header states. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release } from "node:os";

export interface SystemInfo {
  readonly date: string;
  readonly node: string;
  readonly cpuModel: string;
  /** "family 6 model 207" from /proc/cpuinfo, when present. */
  readonly cpuId: string | null;
  readonly avx512: boolean | null;
  readonly logicalCores: number;
  readonly os: string;
  readonly loadAverage1m: number;
}

function procCpuinfo(): string | null {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return null;
  }
}

function field(cpuinfo: string, name: string): string | null {
  const m = new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(cpuinfo);
  return m ? m[1].trim() : null;
}

export function systemInfo(): SystemInfo {
  const info = procCpuinfo();
  const model = (info && field(info, "model name")) ?? cpus()[0]?.model ?? "unknown";
  const family = info && field(info, "cpu family");
  const modelNo = info && field(info, "model");
  const flags = info && field(info, "flags");
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: model,
    cpuId: family && modelNo ? `family ${family} model ${modelNo}` : null,
    avx512: flags ? flags.split(/\s+/).includes("avx512f") : null,
    logicalCores: availableParallelism(),
    os: `${process.platform} ${release()} ${process.arch}`,
    loadAverage1m: loadavg()[0],
  };
}
