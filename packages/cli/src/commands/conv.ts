/** `convkit conv <op> --input JSON --weight JSON [options]`: runs one convolution op and prints the result. */
import { ConvkitError, type PaddingMode, type Tensor, tensor, tidy } from "@convkit/core";
import { type OptionSpec, UsageError, parseCommand, parseIntTuple, parseInteger, readJsonInput } from "../args.js";
import { explainConvLines } from "../conv-explain.js";
import { CONV_OPS, type ConvArgs, type ConvOp, type ConvOption, findConvOp } from "../conv-ops.js";
import { formatTable } from "../format.js";
import type { CliIO } from "../io.js";
import { selectBackend } from "./backends.js";

const CONV_OPTIONS: Record<ConvOption, OptionSpec> = {
  stride: { type: "string", short: "s" },
  padding: { type: "string", short: "p" },
  "padding-mode": { type: "string" },
  dilation: { type: "string", short: "d" },
  groups: { type: "string", short: "g" },
  "output-padding": { type: "string" },
};

const OPTIONS: Record<string, OptionSpec> = {
  ...CONV_OPTIONS,
  input: { type: "string", short: "i" },
  weight: { type: "string", short: "w" },
  bias: { type: "string", short: "b" },
  explain: { type: "boolean" },
  json: { type: "boolean" },
  backend: { type: "string" },
};

const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

export function convHelp(): string {
  const ops = formatTable(CONV_OPS.map((op) => [`  ${op.name}`, op.summary])).join("\n");
  return `Usage: convkit conv <op> --input <json | @file> --weight <json | @file> [options]

Runs one convolution op with PyTorch's semantics and prints the output tensor.

Ops:
${ops}

Tensors (nested arrays, or {"shape": [...], "data": [...]}; @path reads a JSON file):
  -i, --input <json | @file>    (N,)C,L for 1d, (N,)C,H,W for 2d, (N,)C,D,H,W for 3d
  -w, --weight <json | @file>   convolution: [Cout, Cin/groups, k...]; transposed: [Cin, Cout/groups, k...]
  -b, --bias <json | @file>     1-D, one value per output channel (default: no bias)

Options (tuples as 2,3):
  -s, --stride S                step between windows (default 1)
  -p, --padding P               zero padding on both sides; conv ops also take same (stride 1; an even
                                kernel's extra padding goes at the end) and valid (no padding).
                                Transposed ops: removes P positions from both ends of the output
      --padding-mode M          conv ops: zeros (default), reflect, replicate or circular (nn.ConvNd)
  -d, --dilation D              spacing between kernel taps (default 1)
  -g, --groups G                split channels into G independent convolutions; G = Cin is depthwise
      --output-padding P        transposed ops: extra positions at the end (smaller than stride or dilation)
      --explain                 write out every output element, e.g. 0*1 + 1*0 + 3*(-1) + ... + 1 (bias) = 5
      --json                    print {"shape", "data"} (non-finite values as strings)
      --backend NAME            run on this backend (default: the best registered one)
  -h, --help                    show this help

Examples:
  convkit conv conv2d --input '[[[0,1,2],[3,4,5],[6,7,8]]]' --weight '[[[[-1,0,1],[-2,0,2],[-1,0,1]]]]' -p 1 --explain
  convkit conv conv2d -i @x.json -w @w.json -b '[0.5, -1]' -s 2 -p same --json
  convkit conv conv-transpose2d --input '[[[1,2],[3,4]]]' --weight '[[[[1,1,1],[1,1,1],[1,1,1]]]]' --explain`;
}

function opHelp(op: ConvOp): string {
  return `Usage: convkit conv ${op.name} --input <json | @file> --weight <json | @file> [--bias <json | @file>] [options]

${op.name}: ${op.summary}.
Calls ${op.fn} from @convkit/core.
Options: ${op.options.map((o) => `--${o}`).join(", ")},
         --explain, --json, --backend NAME.
See convkit conv --help for what each option means.`;
}

function readConvArgs(op: ConvOp, values: Record<string, string | boolean | undefined>): ConvArgs {
  const cmd = `conv ${op.name}`;
  for (const name of Object.keys(CONV_OPTIONS) as ConvOption[]) {
    if (values[name] !== undefined && !op.options.includes(name)) {
      throw new UsageError(`${cmd}: --${name} does not apply to ${op.name} (it takes ${op.options.map((o) => `--${o}`).join(", ")})`);
    }
  }
  const str = (name: ConvOption) => values[name] as string | undefined;
  const tuple = (name: ConvOption) => {
    const v = str(name);
    return v === undefined ? undefined : parseIntTuple(cmd, name, v);
  };
  const paddingText = str("padding");
  const keyword = paddingText?.trim().toLowerCase();
  let padding: ConvArgs["padding"];
  if (keyword === "same" || keyword === "valid") {
    if (op.transposed) throw new UsageError(`${cmd}: --padding ${keyword} applies to convolutions only; ${op.name} takes an integer or integers like 1,2`);
    padding = keyword;
  } else padding = tuple("padding");
  const mode = str("padding-mode");
  if (mode !== undefined && !PADDING_MODES.includes(mode as PaddingMode)) {
    throw new UsageError(`${cmd}: --padding-mode must be one of ${PADDING_MODES.join(", ")}, got ${JSON.stringify(mode)}`);
  }
  const groups = str("groups");
  return {
    stride: tuple("stride"),
    padding,
    paddingMode: mode as PaddingMode | undefined,
    dilation: tuple("dilation"),
    groups: groups === undefined ? undefined : parseInteger(cmd, "groups", groups),
    outputPadding: tuple("output-padding"),
  };
}

/** A tensor option read as JSON; core's complaints about it (ragged arrays, ...) name the option. */
function readTensor(command: string, spec: string, option: string): Tensor {
  const json = readJsonInput(command, spec, option);
  try {
    return tensor(json.values, json.shape);
  } catch (e) {
    if (e instanceof ConvkitError) throw new UsageError(`${command}: --${option}: ${e.message}`);
    throw e;
  }
}

/** Non-finite values as the strings JSON tensors use elsewhere in convkit ("NaN", "Infinity", "-Infinity"). */
function jsonValues(data: ArrayLike<number>): (number | string)[] {
  return Array.from(data, (v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"));
}

/** Everything printed for one op run, computed inside tidy so no tensor outlives it. */
export function convReport(op: ConvOp, x: Tensor, w: Tensor, bias: Tensor | null, a: ConvArgs, explain: boolean): string[] {
  return tidy(() => {
    const output = op.run(x, w, bias, a);
    const lines = [`${op.call(a, bias !== null)} -> shape [${output.shape.join(", ")}]`, output.toString()];
    if (explain) {
      const { header, lines: listed } = explainConvLines(op, x, w, bias, output, a);
      lines.push(...header, ...listed.map((l) => `  ${l}`));
    }
    return lines;
  });
}

export async function convCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("conv", argv, OPTIONS);
  const name = positionals[0];
  const op = name === undefined ? undefined : findConvOp(name);
  if (values.help) {
    io.out(op ? opHelp(op) : convHelp());
    return 0;
  }
  if (name === undefined) throw new UsageError("conv: missing <op> (see convkit conv --help)");
  if (!op) throw new UsageError(`conv: unknown op ${JSON.stringify(name)}; ops are ${CONV_OPS.map((o) => o.name).join(", ")}`);
  const cmd = `conv ${op.name}`;
  if (positionals.length > 1) throw new UsageError(`conv: unexpected argument ${JSON.stringify(positionals[1])}`);
  const args = readConvArgs(op, values);
  if (values.input === undefined) throw new UsageError(`${cmd}: --input is required`);
  if (values.weight === undefined) throw new UsageError(`${cmd}: --weight is required`);
  if (values.json && values.explain) throw new UsageError(`${cmd}: --explain and --json cannot be combined`);
  await selectBackend(values.backend as string | undefined);
  const owned: Tensor[] = [];
  try {
    const x = readTensor(cmd, values.input as string, "input");
    owned.push(x);
    const w = readTensor(cmd, values.weight as string, "weight");
    owned.push(w);
    const bias = values.bias === undefined ? null : readTensor(cmd, values.bias as string, "bias");
    if (bias) owned.push(bias);
    if (values.json) {
      const json = tidy(() => {
        const output = op.run(x, w, bias, args);
        return JSON.stringify({ shape: output.shape, data: jsonValues(output.dataSync()) });
      });
      io.out(json);
      return 0;
    }
    io.out(convReport(op, x, w, bias, args, values.explain === true).join("\n"));
    return 0;
  } finally {
    for (const t of owned) t.dispose();
  }
}
