/**
 * `convkit demo`: the pooling tutorial's four examples (section 3; its test01..test04), each with the
 * input, PyTorch's printed output and every output element's window in the tutorial's own notation.
 */
import { tensor } from "@convkit/core";
import { UsageError, parseCommand } from "../args.js";
import type { CliIO } from "../io.js";
import { type PoolArgs, findPoolOp } from "../pool-ops.js";
import { poolReport } from "./pool.js";
import { selectBackend } from "./backends.js";

interface Example {
  readonly title: string;
  /** As the tutorial builds it: unsqueezed to (1, 1, H, W), or (1, 3, H, W) for the 3-channel input. */
  readonly input: number[][][][];
  readonly args: PoolArgs;
  readonly ops: readonly ("max2d" | "avg2d")[];
  /** Printed before the op's result. */
  readonly notes?: Partial<Record<"max2d" | "avg2d", string>>;
}

const GRID_3X3 = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
];

const EXAMPLES: readonly Example[] = [
  {
    title: "Example 1 (3.2, test01): kernel_size=2, stride=1, padding=0",
    input: [[GRID_3X3]],
    args: { kernelSize: 2, stride: 1, padding: 0 },
    ops: ["max2d", "avg2d"],
  },
  {
    title: "Example 2 (3.3 stride, test02): kernel_size=2, stride=2, padding=0",
    input: [[Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => 4 * r + c))]],
    args: { kernelSize: 2, stride: 2, padding: 0 },
    ops: ["max2d", "avg2d"],
  },
  {
    title: "Example 3 (3.4 padding, test03): kernel_size=2, stride=1, padding=1",
    input: [[GRID_3X3]],
    args: { kernelSize: 2, stride: 1, padding: 1 },
    ops: ["max2d", "avg2d"],
    notes: {
      max2d:
        "Note: the tutorial pictures zero padding: max(0, 0, 0, 0), max(0, 0, 0, 1), ...\n" +
        "PyTorch's MaxPool2d pads with -inf instead, so a padded position never wins; below, padded taps\n" +
        "are listed as -inf. (With this input, all >= 0, the outputs are the same either way.)",
      avg2d:
        "Note: average pooling pads with zeros, and PyTorch's default count_include_pad=True counts them in the\n" +
        "divisor, as the tutorial does: mean(0, 0, 0, 1) = 0.25 divides by 4.",
    },
  },
  {
    title: "Example 4 (3.5 multi-channel, test04): 3 channels, MaxPool2d(kernel_size=2, stride=1)",
    input: [
      [
        GRID_3X3,
        [
          [10, 20, 30],
          [40, 50, 60],
          [70, 80, 90],
        ],
        [
          [11, 22, 33],
          [44, 55, 66],
          [77, 88, 99],
        ],
      ],
    ],
    args: { kernelSize: 2, stride: 1, padding: 0 },
    ops: ["max2d"],
    notes: {
      max2d: "Note: each channel is pooled separately (nothing is summed across channels), so the channel count is\nkept: 3 channels in, 3 channels out.",
    },
  },
];

const LABELS = { max2d: "max pooling", avg2d: "average pooling" } as const;

export function demoHelp(): string {
  return `Usage: convkit demo [--backend NAME]

Runs the pooling tutorial's four examples (section 3: kernel 2 with stride 1, stride 2, padding 1,
and a 3-channel input) and prints, for max and average pooling, the input, the output as PyTorch
prints it, and each output element's window, e.g. out[0, 0, 0, 0] = max(0, 1, 3, 4) = 4.

Options:
      --backend NAME   run on this backend (default: the best registered one)
  -h, --help           show this help`;
}

export async function demoCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("demo", argv, { backend: { type: "string" } });
  if (values.help) {
    io.out(demoHelp());
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`demo: unexpected argument ${JSON.stringify(positionals[0])}`);
  const backend = await selectBackend(values.backend as string | undefined);
  io.out(`The pooling tutorial's examples, on backend ${JSON.stringify(backend)}, with PyTorch's semantics.`);
  for (const ex of EXAMPLES) {
    const x = tensor(ex.input);
    try {
      io.out(`\n== ${ex.title} ==\ninput, shape [${x.shape.join(", ")}]:\n${x.toString()}`);
      for (const name of ex.ops) {
        const op = findPoolOp(name);
        if (!op) throw new Error(`demo: no pool op ${name}`);
        const [call, ...report] = poolReport(op, x, ex.args, true);
        io.out(`\n${LABELS[name]}: ${call}`);
        const note = ex.notes?.[name];
        if (note) io.out(note);
        io.out(report.join("\n"));
      }
    } finally {
      x.dispose();
    }
  }
  return 0;
}
