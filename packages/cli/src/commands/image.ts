/** `convkit image <in.png> --kernel K --out <out.png>`: a convolution (and pooling) on a real picture. */
import { ConvkitError, type PaddingMode, tensor } from "@convkit/core";
import { type OptionSpec, UsageError, parseCommand, readJsonInput } from "../args.js";
import { formatTable } from "../format.js";
import {
  IMAGE_MODES,
  type ImageKernel,
  type ImageMode,
  NAMED_KERNELS,
  NORMALIZE_RULES,
  NORMALIZE_TEXT,
  type Normalize,
  type Pool,
  filterImage,
  resolveNormalize,
  toPixels,
} from "../image-ops.js";
import type { CliIO } from "../io.js";
import { readPng, writePng } from "../png.js";
import { selectBackend } from "./backends.js";

const OPTIONS: Record<string, OptionSpec> = {
  kernel: { type: "string", short: "k" },
  out: { type: "string", short: "o" },
  mode: { type: "string", short: "m" },
  pool: { type: "string" },
  "padding-mode": { type: "string" },
  normalize: { type: "string" },
  separable: { type: "boolean" },
  backend: { type: "string" },
};

const PADDING_MODES: readonly PaddingMode[] = ["replicate", "zeros", "reflect", "circular"];

export function imageHelp(): string {
  const kernels = formatTable([
    ...Object.entries(NAMED_KERNELS).map(([name, k]) => [`  ${name}`, k.summary]),
    ["  <json | @file>", "a 2-D kernel [[...], ...] of any size, or [3][kH][kW]: one per R, G, B channel"],
  ]).join("\n");
  return `Usage: convkit image <in.png> --kernel <name | json | @file> --out <out.png> [options]

Convolves a PNG with a kernel (same-size output, stride 1), optionally pools it, and writes the
result as a PNG, so you can see what a kernel does. Transparency is dropped.

Kernels:
${kernels}

Options:
  -k, --kernel K            the kernel (required)
  -o, --out <out.png>       where to write the result (required)
  -m, --mode M              how the kernel meets the colour channels (tutorial 5.2.2):
                              depthwise (default): one kernel per channel, channels kept apart
                                (conv2d groups=3), RGB out
                              sum: one kernel over all three channels, the per-channel results added
                                up (a multi-channel kernel), gray out
                              gray: the image to luminance first (0.299 R + 0.587 G + 0.114 B), then
                                the 2-D kernel, gray out
      --pool max:K|avg:K    then max- or average-pool with a KxK window, stride K
      --padding-mode M      how the border is padded: replicate (default; no false edges at the
                            border), zeros (PyTorch's default), reflect or circular
      --normalize R         float outputs to 0..255: abs (|v|, clipped), clip (v clipped), minmax
                            ((v - min) / (max - min) * 255, over all channels together) or auto
                            (default): abs if the weights feeding an output channel sum to 0 (edge
                            detectors), clip if they sum to 1 (blur, sharpen, emboss), else minmax.
                            Values are rounded half up.
      --separable           run the 2-D kernel as SpatiallySeparableConv2d (a kH x 1 then a 1 x kW
                            pass, tutorial 5.6.1); fails, naming the residual, if it is not separable
      --backend NAME        run on this backend (default: the best registered one)
  -h, --help                show this help

Examples:
  convkit image photo.png --kernel sobel-x --mode gray --out edges.png
  convkit image photo.png --kernel blur --pool avg:2 --out small.png
  convkit image photo.png --kernel '[[0,0,0],[0,0,1],[0,0,0]]' --out shifted.png`;
}

/** `--kernel`: a name, or JSON (inline or @file) holding a 2-D kernel or one per colour channel. */
function readKernel(cmd: string, spec: string): ImageKernel {
  const name = spec.toLowerCase();
  if (Object.hasOwn(NAMED_KERNELS, name)) {
    const { kernel } = NAMED_KERNELS[name];
    return { label: name, shape: [kernel.length, kernel[0].length], data: kernel.flat() };
  }
  if (!spec.startsWith("[") && !spec.startsWith("{") && !spec.startsWith("@")) {
    throw new UsageError(
      `${cmd}: unknown kernel ${JSON.stringify(spec)}; kernels are ${Object.keys(NAMED_KERNELS).join(", ")}, or JSON like [[0,1,0],[1,-4,1],[0,1,0]]`,
    );
  }
  const json = readJsonInput(cmd, spec, "kernel");
  let shape: number[];
  let data: number[];
  try {
    const t = tensor(json.values, json.shape);
    shape = t.shape.slice();
    data = Array.from(t.dataSync());
    t.dispose();
  } catch (e) {
    if (e instanceof ConvkitError) throw new UsageError(`${cmd}: --kernel: ${e.message}`);
    throw e;
  }
  if (!(shape.length === 2 || (shape.length === 3 && shape[0] === 3)) || shape.includes(0)) {
    throw new UsageError(`${cmd}: --kernel must be 2-D [kH, kW] or [3, kH, kW] (one per R, G, B channel), got shape [${shape.join(", ")}]`);
  }
  if (data.some((v) => !Number.isFinite(v))) throw new UsageError(`${cmd}: --kernel must hold finite numbers`);
  return { label: `the ${shape.join("x")} kernel`, shape, data };
}

function readPool(cmd: string, text: string): Pool {
  const m = /^(max|avg):(\d+)$/.exec(text.trim().toLowerCase());
  if (!m || Number(m[2]) < 1) throw new UsageError(`${cmd}: --pool must be max:K or avg:K with K a positive integer, like max:2, got ${JSON.stringify(text)}`);
  return { kind: m[1] as Pool["kind"], size: Number(m[2]) };
}

function choice<T extends string>(cmd: string, name: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!allowed.includes(text as T)) throw new UsageError(`${cmd}: --${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(text)}`);
  return text as T;
}

const MODE_TEXT: Record<ImageMode, string> = {
  depthwise: "one kernel per channel (groups=3)",
  sum: "one kernel summed over R, G, B",
  gray: "luminance, then the kernel",
};

export async function imageCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const cmd = "image";
  const { values, positionals } = parseCommand(cmd, argv, OPTIONS);
  if (values.help) {
    io.out(imageHelp());
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`${cmd}: missing <in.png> (see convkit image --help)`);
  if (positionals.length > 1) throw new UsageError(`${cmd}: unexpected argument ${JSON.stringify(positionals[1])}`);
  if (values.kernel === undefined) throw new UsageError(`${cmd}: --kernel is required (${Object.keys(NAMED_KERNELS).join(", ")}, or JSON)`);
  if (values.out === undefined) throw new UsageError(`${cmd}: --out <out.png> is required`);
  const kernel = readKernel(cmd, values.kernel as string);
  const mode = choice(cmd, "mode", values.mode as string | undefined, IMAGE_MODES, "depthwise");
  const paddingMode = choice(cmd, "padding-mode", values["padding-mode"] as string | undefined, PADDING_MODES, "replicate");
  const rule = choice<Normalize>(cmd, "normalize", values.normalize as string | undefined, NORMALIZE_RULES, "auto");
  const pool = values.pool === undefined ? undefined : readPool(cmd, values.pool as string);
  const separable = values.separable === true;
  if (kernel.shape.length === 3 && mode === "gray")
    throw new UsageError(`${cmd}: a per-channel [3, kH, kW] kernel needs --mode depthwise or sum (gray has one channel)`);
  if (kernel.shape.length === 3 && separable) throw new UsageError(`${cmd}: --separable takes one 2-D kernel, got shape [${kernel.shape.join(", ")}]`);
  await selectBackend(values.backend as string | undefined);
  const input = readPng(cmd, positionals[0]);
  const filtered = filterImage(input, kernel, { mode, paddingMode, pool, separable });
  const resolved = resolveNormalize(rule, kernel, mode);
  const { pixels, min, max } = toPixels(filtered, resolved);
  writePng(cmd, values.out as string, pixels);
  const how = `${kernel.label}${separable ? " (separable: column then row pass)" : ""}, ${MODE_TEXT[mode]}, ${paddingMode} padding${pool ? `, ${pool.kind} pool ${pool.size}` : ""}`;
  io.out(
    `wrote ${values.out}: ${pixels.width}x${pixels.height} ${pixels.channels === 1 ? "gray" : "RGB"} from ${input.width}x${input.height}; ${how}; ` +
      `outputs ${Number(min.toPrecision(6))}..${Number(max.toPrecision(6))} mapped by ${resolved}: ${NORMALIZE_TEXT[resolved]}`,
  );
  return 0;
}
