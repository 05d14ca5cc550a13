/**
 * The convkit command line, callable in-process: `main(argv, io)` returns the exit code. Mistakes in
 * the command line or input (UsageError, ConvkitError from core, unreadable JSON) print one line,
 * `convkit: <problem>`, and return 2; anything else is a bug and returns 1, still as one line.
 */
import "@convkit/backend-cpu";
import { ConvkitError } from "@convkit/core";
import { UsageError } from "./args.js";
import { backendsCommand, backendsHelp } from "./commands/backends.js";
import { convCommand, convHelp } from "./commands/conv.js";
import { demoCommand, demoHelp } from "./commands/demo.js";
import { imageCommand, imageHelp } from "./commands/image.js";
import { poolCommand, poolHelp } from "./commands/pool.js";
import { runCommand, runHelp } from "./commands/run.js";
import { shapeCommand, shapeHelp } from "./commands/shape.js";
import { summaryCommand, summaryHelp } from "./commands/summary.js";
import { trainCommand, trainHelp } from "./commands/train.js";
import { formatTable } from "./format.js";
import type { CliIO } from "./io.js";

export type { CliIO } from "./io.js";

interface Command {
  readonly summary: string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
  help(): string;
}

const COMMANDS: Record<string, Command> = {
  demo: { summary: "the pooling tutorial's four examples, with every window spelled out", run: demoCommand, help: demoHelp },
  pool: { summary: "run a pooling op on a JSON tensor (max2d, avg2d, adaptive-avg2d, lp2d, ...)", run: poolCommand, help: poolHelp },
  conv: { summary: "run a convolution op on JSON tensors (conv2d, conv-transpose2d, ...), every sum written out", run: convCommand, help: convHelp },
  image: { summary: "apply a kernel (sobel-x, blur, ...) and pooling to a PNG and write the result", run: imageCommand, help: imageHelp },
  shape: { summary: "output shapes through a chain of layers, e.g. 1x3x32x32 maxpool2d:k=2,s=2", run: shapeCommand, help: shapeHelp },
  summary: { summary: "a model's layers, output shapes, parameters and MACs (resnet18, unet, ...)", run: summaryCommand, help: summaryHelp },
  run: { summary: "run a model with PyTorch weights (safetensors) on a PNG or tensor: top-5 classes", run: runCommand, help: runHelp },
  train: { summary: "train a model (lenet5) on the built-in shapes dataset: progress, test accuracy, safetensors, curves PNG", run: trainCommand, help: trainHelp },
  backends: { summary: "list the registered backends", run: backendsCommand, help: backendsHelp },
};

export function rootHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => [`  ${name}`, c.summary]);
  const cmds = formatTable([...rows, ["  help [command]", "show help for a command"]]).join("\n");
  return `Usage: convkit <command> [options]

Convolution and pooling with PyTorch's exact semantics.

Commands:
${cmds}

Run convkit <command> --help for a command's options.`;
}

/** One line: the message with any line breaks folded. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) throw new UsageError("missing command (try convkit --help)");
    if (name === "--help" || name === "-h") {
      io.out(rootHelp());
      return 0;
    }
    if (name === "help") {
      const topic = rest[0];
      if (topic === undefined) io.out(rootHelp());
      else if (Object.hasOwn(COMMANDS, topic)) io.out(COMMANDS[topic].help());
      else throw new UsageError(`help: unknown command ${JSON.stringify(topic)}; commands are ${Object.keys(COMMANDS).join(", ")}`);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, name)) {
      const what = name.startsWith("-") ? "option" : "command";
      throw new UsageError(`unknown ${what} ${JSON.stringify(name)}; commands are ${Object.keys(COMMANDS).join(", ")} (try convkit --help)`);
    }
    return await COMMANDS[name].run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConvkitError) {
      io.err(`convkit: ${oneLine(e.message)}`);
      return 2;
    }
    io.err(`convkit: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
}
