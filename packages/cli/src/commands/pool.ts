/** `convkit pool <op> --input JSON [options]`: runs one pooling op and prints the result. */
import { type Tensor, tensor, tidy } from "@convkit/core";
import {
  type OptionSpec,
  UsageError,
  parseCommand,
  parseInteger,
  parseIntTuple,
  parseNumber,
  parseSizeTuple,
  readJsonInput,
} from "../args.js";
import { formatTable } from "../format.js";
import type { CliIO } from "../io.js";
import { POOL_OPS, type PoolArgs, type PoolOp, type PoolOption, findPoolOp } from "../pool-ops.js";
import { windowLines } from "../windows.js";
import { selectBackend } from "./backends.js";

const POOL_OPTIONS: Record<PoolOption, OptionSpec> = {
  "kernel-size": { type: "string", short: "k" },
  stride: { type: "string", short: "s" },
  padding: { type: "string", short: "p" },
  dilation: { type: "string", short: "d" },
  "ceil-mode": { type: "boolean" },
  "count-include-pad": { type: "boolean" },
  "divisor-override": { type: "string" },
  "return-indices": { type: "boolean" },
  "output-size": { type: "string" },
  "norm-type": { type: "string" },
};

const OPTIONS: Record<string, OptionSpec> = {
  ...POOL_OPTIONS,
  input: { type: "string", short: "i" },
  explain: { type: "boolean" },
  json: { type: "boolean" },
  backend: { type: "string" },
};

export function poolHelp(): string {
  const ops = formatTable(POOL_OPS.map((op) => [`  ${op.name}`, op.summary])).join("\n");
  return `Usage: convkit pool <op> --input <json | @file> [options]

Runs one pooling op with PyTorch's semantics and prints the output tensor.

Ops:
${ops}

Input:
  -i, --input <json | @file>   nested arrays, e.g. '[[[0,1,2],[3,4,5],[6,7,8]]]' (shape 1x3x3,
                               unbatched C,H,W), or {"shape": [...], "data": [...]}; "NaN",
                               "Infinity" and "-Infinity" may be given as strings. @path reads a file.
                               Layout: (N,)C,L for 1d, (N,)C,H,W for 2d, (N,)C,D,H,W for 3d.

Options (tuples as 2,3; each op takes the ones listed by convkit pool <op> --help):
  -k, --kernel-size K          window size
  -s, --stride S               step between windows (default: the kernel size)
  -p, --padding P              implicit padding on both sides (max: -inf, avg: zeros)
  -d, --dilation D             spacing between window taps (max pooling)
      --ceil-mode              round the output size up instead of down
      --count-include-pad=false
                               average over real inputs only (default true: zero pads count)
      --divisor-override N     divide every window sum by N (avg2d, avg3d)
      --return-indices         also print the argmax indices (flat within each plane)
      --output-size S          adaptive ops: output size; "none" keeps that input size, e.g. 4,none
      --norm-type P            lp ops: the power p
      --explain                list each output element's window, e.g. max(0, 1, 3, 4) = 4
      --json                   print {"shape", "data", "indices"?} (non-finite values as strings)
      --backend NAME           run on this backend (default: the best registered one)
  -h, --help                   show this help

Examples:
  convkit pool max2d --input '[[[0,1,2],[3,4,5],[6,7,8]]]' -k 2 -s 1 --explain
  convkit pool avg2d --input '[[[0,1,2],[3,4,5],[6,7,8]]]' -k 2 -s 1 -p 1
  convkit pool adaptive-avg2d --input @image.json --output-size 1 --json`;
}

function opHelp(op: PoolOp): string {
  const opts = op.options.map((o) => `--${o}${op.required.includes(o) ? " (required)" : ""}`).join(", ");
  return `Usage: convkit pool ${op.name} --input <json | @file> [options]

${op.name}: ${op.summary}.
Calls ${op.fn} from @convkit/core.
Options: ${opts},
         --explain, --json, --backend NAME.
See convkit pool --help for what each option means.`;
}

function readPoolArgs(op: PoolOp, values: Record<string, string | boolean | undefined>): PoolArgs {
  const cmd = `pool ${op.name}`;
  for (const name of Object.keys(POOL_OPTIONS) as PoolOption[]) {
    if (values[name] !== undefined && !op.options.includes(name)) {
      throw new UsageError(`${cmd}: --${name} does not apply to ${op.name} (it takes ${op.options.map((o) => `--${o}`).join(", ")})`);
    }
  }
  for (const name of op.required) {
    if (values[name] === undefined) throw new UsageError(`${cmd}: --${name} is required`);
  }
  const str = (name: PoolOption) => values[name] as string | undefined;
  const bool = (name: PoolOption) => values[name] as boolean | undefined;
  const tuple = (name: PoolOption) => {
    const v = str(name);
    return v === undefined ? undefined : parseIntTuple(cmd, name, v);
  };
  const divisor = str("divisor-override");
  const outputSize = str("output-size");
  const norm = str("norm-type");
  return {
    kernelSize: tuple("kernel-size"),
    stride: tuple("stride"),
    padding: tuple("padding"),
    dilation: tuple("dilation"),
    ceilMode: bool("ceil-mode"),
    countIncludePad: bool("count-include-pad"),
    divisorOverride: divisor === undefined ? undefined : parseInteger(cmd, "divisor-override", divisor),
    returnIndices: bool("return-indices"),
    outputSize: outputSize === undefined ? undefined : parseSizeTuple(cmd, "output-size", outputSize),
    normType: norm === undefined ? undefined : parseNumber(cmd, "norm-type", norm),
  };
}

/** Non-finite values as the strings JSON tensors use elsewhere in convkit ("NaN", "Infinity", "-Infinity"). */
function jsonValues(data: ArrayLike<number>): (number | string)[] {
  return Array.from(data, (v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"));
}

/** Everything printed for one op run, computed inside tidy so no tensor outlives it. */
export function poolReport(op: PoolOp, x: Tensor, a: PoolArgs, explain: boolean): string[] {
  return tidy(() => {
    const { output, indices } = op.run(x, a);
    const lines = [`${op.call(a)} -> shape [${output.shape.join(", ")}]`, output.toString()];
    if (indices) lines.push("indices:", indices.toString());
    if (explain) {
      const windows = op.windows(x, output, a);
      const listed = windowLines(x.shape, x.dataSync(), output.shape, output.dataSync(), windows, op.rule(a), indices?.dataSync());
      lines.push(...listed.map((l) => `  ${l}`));
    }
    return lines;
  });
}

export async function poolCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("pool", argv, OPTIONS);
  const name = positionals[0];
  const op = name === undefined ? undefined : findPoolOp(name);
  if (values.help) {
    io.out(op ? opHelp(op) : poolHelp());
    return 0;
  }
  if (name === undefined) throw new UsageError("pool: missing <op> (see convkit pool --help)");
  if (!op) throw new UsageError(`pool: unknown op ${JSON.stringify(name)}; ops are ${POOL_OPS.map((o) => o.name).join(", ")}`);
  if (positionals.length > 1) throw new UsageError(`pool: unexpected argument ${JSON.stringify(positionals[1])}`);
  const args = readPoolArgs(op, values);
  if (values.input === undefined) throw new UsageError(`pool ${op.name}: --input is required`);
  if (values.json && values.explain) throw new UsageError(`pool ${op.name}: --explain and --json cannot be combined`);
  const input = readJsonInput(`pool ${op.name}`, values.input as string);
  await selectBackend(values.backend as string | undefined);
  const x = tensor(input.values, input.shape);
  try {
    if (values.json) {
      const json = tidy(() => {
        const { output, indices } = op.run(x, args);
        return JSON.stringify({
          shape: output.shape,
          data: jsonValues(output.dataSync()),
          ...(indices ? { indices: Array.from(indices.dataSync()) } : {}),
        });
      });
      io.out(json);
      return 0;
    }
    io.out(poolReport(op, x, args, values.explain === true).join("\n"));
    return 0;
  } finally {
    x.dispose();
  }
}
