/** `convkit backends` lists the registered backends; `selectBackend` is the --backend option every command shares. */
import { cpuKernelPath } from "@convkit/backend-cpu";
import { listBackends, ready, setBackend } from "@convkit/core";
import { UsageError, parseCommand } from "../args.js";
import { formatTable } from "../format.js";
import type { CliIO } from "../io.js";

/** TensorFlow.js is loaded only when asked for: importing it costs time and registers the tfjs backends. */
async function loadTfjs(): Promise<typeof import("@convkit/backend-tfjs")> {
  return import("@convkit/backend-tfjs");
}

/** Activates `name` (errors name the registered backends), or the best registered one when no name is given. */
export async function selectBackend(name: string | undefined): Promise<string> {
  if (name === undefined) return ready();
  if (name.startsWith("tfjs")) await loadTfjs();
  await setBackend(name);
  return name;
}

/** One line on the "cpu" backend's kernel path: SIMD or TypeScript, threads, and why not when not. */
function describeKernels(k: ReturnType<typeof cpuKernelPath>): string {
  const what = k.simd ? `WebAssembly SIMD, ${k.threads} thread${k.threads === 1 ? "" : "s"}` : "TypeScript (portable)";
  return k.reason === undefined ? what : `${what} (${k.reason})`;
}

export function backendsHelp(): string {
  return `Usage: convkit backends [--json]

Lists the registered backends, best first: name, priority, status (registered, ready or failed,
with the reason) and which one is active, then which kernels "cpu" runs (WebAssembly SIMD and how
many threads, or the portable TypeScript kernels, with the reason). Backends initialise on first use;
commands that compute take --backend NAME to choose one ("cpu-portable" forces the TypeScript kernels).

Options:
      --json      print the list as JSON
  -h, --help      show this help`;
}

export async function backendsCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("backends", argv, { json: { type: "boolean" } });
  if (values.help) {
    io.out(backendsHelp());
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`backends: unexpected argument ${JSON.stringify(positionals[0])}`);
  const { tfjsEngineReport } = await loadTfjs();
  const engines = tfjsEngineReport().engines;
  const kernels = cpuKernelPath();
  const list = listBackends().map((b) => (b.name === "cpu" ? { ...b, kernels } : b.name === "tfjs" ? { ...b, engines } : b));
  if (values.json) {
    io.out(JSON.stringify(list));
    return 0;
  }
  if (list.length === 0) {
    io.out("no backends registered");
    return 0;
  }
  const rows = list.map((b) => [b.name, String(b.priority), b.error === undefined ? b.status : `${b.status}: ${b.error}`, b.active ? "yes" : ""]);
  io.out(formatTable([["name", "priority", "status", "active"], ...rows]).join("\n"));
  if (list.some((b) => b.name === "cpu")) io.out(`\ncpu kernels: ${describeKernels(kernels)}`);
  io.out(`\ntfjs engines (best first):`);
  for (const e of engines) io.out(`  ${e.engine}: ${e.state}${e.reason ? ` (${e.reason})` : ""}`);
  return 0;
}
