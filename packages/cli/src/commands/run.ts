/** `convkit run <model> --weights w.safetensors --input x`: one forward pass with PyTorch-trained weights, printing the top classes or the output. */
import { readFileSync } from "node:fs";
import { type Tensor, getBackend, noGrad, unsqueeze } from "@convkit/core";
import { type Module, loadSafetensors, models } from "@convkit/layers";
import { UsageError, fileError, parseCommand, parseInteger } from "../args.js";
import { formatShape, formatTable, formatValue } from "../format.js";
import type { CliIO } from "../io.js";
import { readModelInput, topK } from "../model-input.js";
import { selectBackend } from "./backends.js";
import { modelList, modelOptions } from "./summary.js";

export function runHelp(): string {
  return `Usage: convkit run <model> --weights <file.safetensors> --input <image.png | tensor.json | file.safetensors> [options]

Builds the model, loads a state dict saved from PyTorch (torchvision's parameter names; strict: every
key must be there and nothing else), runs one forward pass in eval mode and prints the top classes
(index, score and softmax probability; no class names are downloaded) or, for models whose output is
not a class score per sample (unet), the output tensor. A progress line per top-level layer goes to
stderr.

Inputs:
  image.png          RGB scaled to [0, 1], then normalised with ImageNet's mean and std for the
                     torchvision models (as their pretrained weights expect); luminance in [0, 1] for
                     1-channel models (lenet5). Used at its own size: resize it yourself (e.g. to 224x224).
  tensor.json        {"shape": [...], "data": [...]} or nested arrays (also inline JSON or @file)
  file.safetensors   the tensor named "input", or the file's only tensor
  An input without the batch dimension is run as a batch of one.

Models:
${modelList()}

Options:
  -w, --weights <file>    the state dict, as safetensors (required); e.g. torch's
                          model.state_dict() written by tools/models/export_torchvision.py
  -i, --input <spec>      the input (required)
      --top K             how many classes to list per sample (default 5)
      --output top|tensor print the top classes (default for classifiers) or the output tensor
      --classes N         number of classes the weights were trained for (default: the model's)
      --options JSON      constructor options the weights need, e.g. '{"base": 4, "depth": 3}' for unet
      --normalize         ImageNet normalisation of PNG input (default: on for torchvision models);
                          --no-normalize to feed [0, 1] values
      --strict            require exactly the model's keys (default true; --strict=false skips missing
                          and unexpected keys, still rejecting shape mismatches)
      --json              print the result as JSON
  -q, --quiet             no progress lines
      --backend NAME      run on this backend (default: the best registered one)
  -h, --help              show this help

Examples:
  convkit run resnet18 --weights resnet18.safetensors --input cat.png
  convkit run unet --weights unet.safetensors --input tile.json --output tensor`;
}

function readWeights(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError("run", "read", `weights ${path}`, e);
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Prints one line to stderr as each top-level layer finishes; returns the hooks' remover. */
function reportProgress(model: Module, io: CliIO, started: number): () => void {
  const children = model.namedChildren();
  const handles = children.map(([name, child], i) =>
    child.registerForwardHook((_m, _inputs, output) => {
      const shape = (output as Tensor | undefined)?.shape;
      io.err(`run: [${i + 1}/${children.length}] ${name} (${child.typeName})${shape ? ` -> ${formatShape(shape)}` : ""}, ${seconds(performance.now() - started)}`);
    }),
  );
  return () => {
    for (const h of handles) h.remove();
  };
}

export async function runCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("run", argv, {
    weights: { type: "string", short: "w" },
    input: { type: "string", short: "i" },
    top: { type: "string" },
    output: { type: "string" },
    classes: { type: "string" },
    options: { type: "string" },
    normalize: { type: "boolean" },
    strict: { type: "boolean" },
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
    backend: { type: "string" },
  });
  if (values.help) {
    io.out(runHelp());
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`run: name a model: ${models.MODELS.map((m) => m.name).join(", ")}`);
  if (positionals.length > 1) throw new UsageError(`run: unexpected argument ${JSON.stringify(positionals[1])} (one model at a time)`);
  const info = models.findModel(positionals[0]);
  if (values.weights === undefined) throw new UsageError("run: --weights <file.safetensors> is required (a PyTorch state dict saved as safetensors)");
  if (values.input === undefined) throw new UsageError("run: --input <image.png | tensor.json | file.safetensors> is required");
  const top = values.top === undefined ? 5 : parseInteger("run", "top", values.top as string);
  if (top < 1) throw new UsageError(`run: --top must be a positive integer, got ${top}`);
  const output = (values.output as string | undefined) ?? (info.output === "classes" ? "top" : "tensor");
  if (output !== "top" && output !== "tensor") throw new UsageError(`run: --output must be top or tensor, got ${JSON.stringify(output)}`);
  if (output === "top" && info.output !== "classes") throw new UsageError(`run: ${info.name} outputs a per-pixel map, not class scores; use --output tensor`);
  const options = modelOptions("run", values.options as string | undefined, values.classes as string | undefined);
  const quiet = values.quiet === true;
  const normalize = (values.normalize as boolean | undefined) ?? info.source === "torchvision";

  const backend = await selectBackend(values.backend as string | undefined);
  const started = performance.now();
  const bytes = readWeights(values.weights as string);
  const model = info.create(options).eval();
  let x: Tensor | null = null;
  let y: Tensor | null = null;
  try {
    const { tensors } = loadSafetensors(bytes);
    try {
      model.loadStateDict(tensors, { strict: values.strict !== false });
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
    if (!quiet) io.err(`run: loaded ${Object.keys(model.stateDict()).length} tensors from ${values.weights}, ${seconds(performance.now() - started)}`);
    const rank = info.inputShape.length;
    const raw = readModelInput("run", values.input as string, info.inputShape[1], normalize);
    x = raw.rank === rank - 1 ? unsqueeze(raw, 0) : raw;
    if (x !== raw) raw.dispose();
    if (x.rank !== rank) {
      throw new UsageError(`run: ${info.name} takes a ${rank}-D input like ${formatShape(info.inputShape)} (or ${rank - 1}-D without the batch), got ${formatShape(x.shape)}`);
    }
    const removeHooks = quiet ? () => {} : reportProgress(model, io, performance.now());
    const forwardStart = performance.now();
    try {
      // Inference only: without a graph, activations are freed as soon as the next layer has used them.
      const input = x;
      y = noGrad(() => model.forward(input));
    } finally {
      removeHooks();
    }
    const forwardMs = performance.now() - forwardStart;
    const head = `${info.name} on ${getBackend() ?? backend}: input ${formatShape(x.shape)} -> output ${formatShape(y.shape)} in ${seconds(forwardMs)}`;
    if (output === "tensor") {
      if (values.json) io.out(JSON.stringify({ model: info.name, inputShape: x.shape, output: { shape: y.shape, data: Array.from(y.dataSync()) } }));
      else io.out(`${head}\n${y.toString()}`);
      return 0;
    }
    const rows = topK(y.dataSync(), y.shape, Math.min(top, y.shape[1]));
    if (values.json) {
      io.out(JSON.stringify({ model: info.name, inputShape: x.shape, outputShape: y.shape, top: rows }));
      return 0;
    }
    io.out(head);
    rows.forEach((row, n) => {
      if (rows.length > 1) io.out(`sample ${n}:`);
      const table = [["rank", "class", "score", "probability"], ...row.map((c, i) => [String(i + 1), String(c.index), formatValue(c.score), formatValue(c.probability)])];
      io.out(formatTable(table).map((l) => `  ${l}`).join("\n"));
    });
    return 0;
  } finally {
    model.dispose();
    x?.dispose();
    y?.dispose();
  }
}
