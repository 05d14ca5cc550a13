/** `convkit shape --input 1x3x32x32 <layer>...`: output shapes through a chain of layers, without computing anything. */
import { ConvkitError } from "@convkit/core";
import { UsageError, parseCommand } from "../args.js";
import { formatShape, formatTable } from "../format.js";
import type { CliIO } from "../io.js";
import { LAYER_KINDS, parseLayer } from "../layers.js";

export function shapeHelp(): string {
  const kinds = formatTable(LAYER_KINDS.map((k) => [`  ${k.syntax}`, k.summary])).join("\n");
  return `Usage: convkit shape --input <shape> <layer> [<layer> ...] [--json]

Prints the output shape after each layer, with PyTorch's rules (the same checks and messages as the
ops). The input shape is written 1x3x32x32 (N, C, H, W) or 3x32x32 (unbatched).

A layer is kind:args, args separated by commas: key=value, a bare value for the first key, or a
flag. Tuples are joined with x like shapes: k=3x2. Keys: k kernel size, s stride (default k),
p padding (default 0), d dilation (default 1), ceil = ceil mode; adaptive pools take the output
size, where none keeps that input size.

Layers:
${kinds}

Options:
  -i, --input <shape>   input shape, e.g. 1x3x32x32
      --json            print [{"layer", "shape"}, ...]
  -h, --help            show this help

Example (a 32x32 input through a 2x2, stride-2 max pool gives 16x16):
  convkit shape --input 1x1x32x32 maxpool2d:k=2,s=2
  convkit shape --input 1x3x32x32 maxpool2d:k=2,s=2 avgpool2d:k=3,s=1,p=1 adaptiveavgpool2d:1`;
}

function parseShape(text: string): number[] {
  const parts = text.trim().split("x");
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) === 0)) {
    throw new UsageError(`shape: --input must be positive integers joined by x, like 1x3x32x32, got ${JSON.stringify(text)}`);
  }
  return parts.map(Number);
}

export async function shapeCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("shape", argv, { input: { type: "string", short: "i" }, json: { type: "boolean" } });
  if (values.help) {
    io.out(shapeHelp());
    return 0;
  }
  if (values.input === undefined) throw new UsageError("shape: --input <shape> is required, e.g. --input 1x3x32x32");
  if (positionals.length === 0) throw new UsageError("shape: give at least one layer, e.g. maxpool2d:k=2,s=2 (see convkit shape --help)");
  // Parse every layer before computing, so a typo in the last one is reported even if an earlier one fails on the shape.
  const layers = positionals.map((text) => ({ text, layer: parseLayer(text) }));
  let shape = parseShape(values.input as string);
  const rows: { layer: string; shape: number[] }[] = [{ layer: "input", shape }];
  for (const [i, { text, layer }] of layers.entries()) {
    try {
      shape = layer.outputShape(shape);
    } catch (e) {
      if (!(e instanceof ConvkitError) || layers.length === 1) throw e;
      throw new UsageError(`shape: layer ${i + 1} (${text}) on input ${formatShape(shape)}: ${e.message}`);
    }
    rows.push({ layer: text, shape });
  }
  if (values.json) io.out(JSON.stringify(rows));
  else io.out(formatTable([["layer", "output shape"], ...rows.map((r) => [r.layer, formatShape(r.shape)])]).join("\n"));
  return 0;
}
