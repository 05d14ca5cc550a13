/** `convkit shape --input 1x3x32x32 <layer>...`: output shapes through a chain of layers, without computing anything. */
import { ConvkitError } from "@convkit/core";
import { UsageError, parseCommand } from "../args.js";
import { formatShape, formatTable } from "../format.js";
import type { CliIO } from "../io.js";
import { LAYER_KINDS, type LayerCost, parseLayer } from "../layers.js";

export function shapeHelp(): string {
  const kinds = formatTable(LAYER_KINDS.map((k) => [`  ${k.syntax}`, k.summary])).join("\n");
  return `Usage: convkit shape --input <shape> <layer> [<layer> ...] [--json]

Prints the output shape after each layer, with PyTorch's rules (the same checks and messages as the
ops), and each layer's learnable parameters and multiply-accumulates (MACs) for one forward pass of
that input, with totals. The input shape is written 1x3x32x32 (N, C, H, W) or 3x32x32 (unbatched);
channels are tracked through the chain, so a conv layer gives only its out channels.

A layer is kind:args, args separated by commas: key=value, a bare value for the first key, or a
flag. Tuples are joined with x like shapes: k=3x2. Keys: k kernel size, s stride (pools: default k;
convs: default 1), p padding (default 0), d dilation (default 1), ceil = ceil mode; adaptive pools
take the output size, where none keeps that input size. Conv layers start with their out channels:
g groups (g = input channels is depthwise), op output padding (transposed), nobias = no bias.
MACs count every kernel tap, padding included, as a dense convolution performs them; pooling has no
parameters and no multiplies (listed as -).

Layers:
${kinds}

Options:
  -i, --input <shape>   input shape, e.g. 1x3x32x32
      --json            print [{"layer", "shape", "params", "macs"}, ...] (macs null for pooling)
  -h, --help            show this help

Examples (a 32x32 input through a 2x2, stride-2 max pool gives 16x16):
  convkit shape --input 1x1x32x32 maxpool2d:k=2,s=2
  convkit shape --input 1x3x32x32 maxpool2d:k=2,s=2 avgpool2d:k=3,s=1,p=1 adaptiveavgpool2d:1
  convkit shape --input 1x3x224x224 conv2d:32,k=3,s=2,p=1 conv2d:32,k=3,p=1,g=32 conv2d:64,k=1 \\
      maxpool2d:k=2 convtranspose2d:16,k=4,s=2,p=1`;
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
  const rows: Row[] = [{ layer: "input", shape, params: 0, macs: null }];
  for (const [i, { text, layer }] of layers.entries()) {
    const input = shape;
    let cost: LayerCost = { params: 0, macs: null };
    try {
      shape = layer.outputShape(input);
      if (layer.cost) cost = layer.cost(input);
    } catch (e) {
      if (!(e instanceof ConvkitError) || layers.length === 1) throw e;
      throw new UsageError(`shape: layer ${i + 1} (${text}) on input ${formatShape(input)}: ${e.message}`);
    }
    rows.push({ layer: text, shape, ...cost });
  }
  if (values.json) {
    io.out(JSON.stringify(rows));
    return 0;
  }
  const layerRows = rows.slice(1);
  const totalParams = layerRows.reduce((sum, r) => sum + r.params, 0);
  const counted = layerRows.filter((r) => r.macs !== null);
  const totalMacs = counted.length === 0 ? null : counted.reduce((sum, r) => sum + (r.macs ?? 0), 0);
  const table = [
    ["layer", "output shape", "params", "MACs"],
    ["input", formatShape(rows[0].shape), "", ""],
    ...layerRows.map((r) => [r.layer, formatShape(r.shape), formatCount(r.params), r.macs === null ? "-" : formatCount(r.macs)]),
    ["total", "", formatCount(totalParams), totalMacs === null ? "-" : formatCount(totalMacs)],
  ];
  io.out(formatTable(table).join("\n"));
  return 0;
}

/** One row of the listing; `macs` is null for layers that multiply nothing (pooling). */
interface Row {
  layer: string;
  shape: number[];
  params: number;
  macs: number | null;
}

/** 1234567 -> 1,234,567. */
function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
