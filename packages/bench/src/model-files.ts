/**
 * The files the whole-model workloads run: `<model>.safetensors` (torch's state dict, for convkit) and
 * `<model>.onnx` (torch.onnx.export of the same model, for onnxruntime), written by
 * tools/models/export_torchvision.py into packages/bench/.models/ (gitignored). The bench exports them
 * on first use when Debian's Python has torch, torchvision and onnx; otherwise those rows are n/a.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/bench, from src/ (vitest) or dist/ (the built bench) alike. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EXPORTER = resolve(PACKAGE_ROOT, "..", "..", "tools", "models", "export_torchvision.py");
const PYTHON = "/usr/bin/python3";

export const MODEL_DIR = process.env.CONVKIT_BENCH_MODELS ?? join(PACKAGE_ROOT, ".models");

export type ModelFileKind = "safetensors" | "onnx";

export function modelFile(name: string, kind: ModelFileKind): string {
  return join(MODEL_DIR, `${name}.${kind}`);
}

const EXPORT_HINT = `export it with ${PYTHON} tools/models/export_torchvision.py --onnx --out ${MODEL_DIR} (needs python3-torch, python3-torchvision, python3-onnx)`;

/** Null when the file is there, else why the model cannot run (shown as the cell's n/a reason). */
export function missingModelFile(name: string, kind: ModelFileKind): string | null {
  return existsSync(modelFile(name, kind)) ? null : `no ${name}.${kind}: ${EXPORT_HINT}`;
}

function missing(names: readonly string[]): string[] {
  return names.filter((n) => missingModelFile(n, "safetensors") !== null || missingModelFile(n, "onnx") !== null);
}

/**
 * Exports the models whose files are missing (once, before any timing). Returns a line for the progress
 * log: what was exported, or why nothing could be (the rows then report n/a).
 */
export function prepareModelFiles(names: readonly string[]): string {
  const todo = missing(names);
  if (todo.length === 0) return `models: using ${names.join(", ")} from ${MODEL_DIR}`;
  if (!existsSync(PYTHON)) return `models: ${todo.join(", ")} not exported: ${PYTHON} not found; their rows are n/a`;
  const probe = spawnSync(PYTHON, ["-c", "import torch, torchvision, onnx"], { encoding: "utf8" });
  if (probe.status !== 0) {
    const why = (probe.stderr || "").trim().split("\n").pop() ?? "import failed";
    return `models: ${todo.join(", ")} not exported (${why}; apt-get install python3-torch python3-torchvision python3-onnx); their rows are n/a`;
  }
  const started = performance.now();
  const run = spawnSync(PYTHON, [EXPORTER, "--onnx", "--out", MODEL_DIR, "--models", todo.join(",")], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (run.status !== 0) {
    const tail = (run.stderr || "").trim().split("\n").slice(-3).join(" | ");
    return `models: exporting ${todo.join(", ")} failed (exit ${run.status}): ${tail}`;
  }
  return `models: exported ${todo.join(", ")} with torch to ${MODEL_DIR} in ${((performance.now() - started) / 1000).toFixed(0)} s`;
}
