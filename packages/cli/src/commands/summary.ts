/** `convkit summary <model> [--input 1x3x224x224]`: the model's layers, output shapes, parameters and multiply-accumulates. */
import { models, summary } from "@convkit/layers";
import { UsageError, parseCommand, parseInteger } from "../args.js";
import { formatShape, formatTable } from "../format.js";
import type { CliIO } from "../io.js";
import { selectBackend } from "./backends.js";

export function modelList(): string {
  return formatTable(models.MODELS.map((m) => [`  ${m.name}`, formatShape(m.inputShape), m.description])).join("\n");
}

export function summaryHelp(): string {
  return `Usage: convkit summary <model> [--input <shape>] [--depth N] [--classes N] [--options JSON] [--json] [--backend NAME]

Prints a model's summary like torchinfo's: every layer down to --depth with its output shape,
parameter count and multiply-accumulates (convolutions and linear layers; norms, activations and
pooling count none), then the totals. It runs one forward pass on zeros of the input shape, so
every shape is what the model really produces; the model is built with convkit's default
initialisation (no weights needed).

Models (default input shape):
${modelList()}

Options:
  -i, --input <shape>   input shape, batch included, e.g. 1x3x224x224 (default: the model's)
      --depth N         deepest level of nesting shown (default 3)
      --classes N       number of classes (default: the model's; 1000 for the torchvision models)
      --options JSON    constructor options, e.g. '{"base": 8, "depth": 3}' for unet
      --json            print {"model", "inputShape", "totalParams", "totalMacs", "layers": [...]}
      --backend NAME    run on this backend (default: the best registered one)
  -h, --help            show this help

Examples:
  convkit summary resnet18 --input 1x3x224x224
  convkit summary sppnet --input 1x3x97x50 --depth 1`;
}

export function parseInputShape(command: string, text: string): number[] {
  const parts = text.trim().split("x");
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) === 0)) {
    throw new UsageError(`${command}: --input must be positive integers joined by x, like 1x3x224x224, got ${JSON.stringify(text)}`);
  }
  return parts.map(Number);
}

/**
 * The model options from `--options <json>` (e.g. '{"base": 4, "depth": 3}' for unet) and `--classes N`;
 * the model checks the names and values.
 */
export function modelOptions(command: string, json: string | undefined, classes: string | undefined): Record<string, unknown> {
  let options: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new UsageError(`${command}: --options is not valid JSON: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new UsageError(`${command}: --options must be a JSON object such as '{"numClasses": 10}', got ${json}`);
    }
    options = parsed as Record<string, unknown>;
  }
  const numClasses = parseClasses(command, classes);
  return numClasses === undefined ? options : { ...options, numClasses };
}

/** `--classes`, checked as the models check numClasses. */
function parseClasses(command: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseInteger(command, "classes", text);
  if (n < 1) throw new UsageError(`${command}: --classes must be a positive integer, got ${n}`);
  return n;
}

export async function summaryCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("summary", argv, {
    input: { type: "string", short: "i" },
    depth: { type: "string" },
    classes: { type: "string" },
    options: { type: "string" },
    json: { type: "boolean" },
    backend: { type: "string" },
  });
  if (values.help) {
    io.out(summaryHelp());
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`summary: name a model: ${models.MODELS.map((m) => m.name).join(", ")}`);
  if (positionals.length > 1) throw new UsageError(`summary: unexpected argument ${JSON.stringify(positionals[1])} (one model at a time)`);
  const info = models.findModel(positionals[0]);
  const shape = values.input === undefined ? [...info.inputShape] : parseInputShape("summary", values.input as string);
  const depth = values.depth === undefined ? 3 : parseInteger("summary", "depth", values.depth as string);
  if (depth < 0) throw new UsageError(`summary: --depth must be 0 or more, got ${depth}`);
  const options = modelOptions("summary", values.options as string | undefined, values.classes as string | undefined);
  await selectBackend(values.backend as string | undefined);
  const model = info.create(options);
  try {
    const s = summary(model, shape, { depth });
    if (values.json) {
      const layers = s.layers.map((l) => ({ name: l.name, type: l.type, depth: l.depth, outputShapes: l.outputShapes, params: l.params, macs: l.macs }));
      io.out(JSON.stringify({ model: info.name, inputShape: shape, totalParams: s.totalParams, totalMacs: s.totalMacs, layers }));
    } else {
      io.out(`${info.description}, input ${formatShape(shape)}`);
      io.out(String(s));
    }
  } finally {
    model.dispose();
  }
  return 0;
}
