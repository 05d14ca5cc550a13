/**
 * PyTorch's tensor repr (torch/_tensor_str.py, default print options: precision 4, linewidth 80,
 * threshold 1000, edgeitems 3), so printed results can be compared with a PyTorch session by eye.
 */
import type { DType, TypedArray } from "./dtype.js";

const PRECISION = 4;
const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGEITEMS = 3;

/** `x.toFixed(digits)` with Python's round-half-even on exact binary ties (JS rounds them up). */
function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 30));
  const dot = exact.indexOf(".");
  const keep = exact.slice(0, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  let roundUp = false;
  if (rest[0] > "5") roundUp = true;
  else if (rest[0] === "5") {
    const tail = rest.slice(1);
    if (/[1-9]/.test(tail)) roundUp = true;
    else {
      const last = keep.replace(".", "").slice(-1);
      roundUp = Number(last) % 2 === 1;
    }
  }
  let digitsOnly = keep.replace(".", "");
  if (roundUp) {
    const chars = digitsOnly.split("");
    let i = chars.length - 1;
    while (i >= 0) {
      if (chars[i] === "9") {
        chars[i] = "0";
        i--;
      } else {
        chars[i] = String(Number(chars[i]) + 1);
        break;
      }
    }
    digitsOnly = (i < 0 ? "1" : "") + chars.join("");
  }
  const intLen = digitsOnly.length - digits;
  const body = digits > 0 ? `${digitsOnly.slice(0, intLen)}.${digitsOnly.slice(intLen)}` : digitsOnly;
  const negative = x < 0 || Object.is(x, -0);
  return negative ? `-${body}` : body;
}

/** Python's `'{:.4e}'`: the exponent has a sign and at least two digits. */
function formatSci(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const s = x.toExponential(digits);
  const [mant, exp] = s.split("e");
  const sign = exp[0] === "-" ? "-" : "+";
  const mag = exp.replace(/^[+-]/, "");
  return `${mant}e${sign}${mag.padStart(2, "0")}`;
}

class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(
    values: ArrayLike<number>,
    private readonly floating: boolean,
  ) {
    if (!floating) {
      for (let i = 0; i < values.length; i++) this.maxWidth = Math.max(this.maxWidth, String(values[i]).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) finite.push(v);
    }
    if (finite.length === 0) return;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatSci(v, PRECISION).length);
      } else {
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatSci(v, PRECISION).length);
    } else {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, PRECISION).length);
    }
  }

  width(): number {
    return this.maxWidth;
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = String(v);
    else if (this.sciMode) s = formatSci(v, PRECISION);
    else if (this.intMode) s = Number.isFinite(v) ? `${formatFixed(v, 0)}.` : formatFixed(v, 0);
    else s = formatFixed(v, PRECISION);
    return s.padStart(this.maxWidth, " ");
  }
}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** Indices shown along a dim of this size: all, or the first and last EDGEITEMS when summarising. */
function shownIndices(size: number, summarize: boolean): number[] {
  if (summarize && size > 2 * EDGEITEMS) {
    const head = Array.from({ length: EDGEITEMS }, (_, i) => i);
    const tail = Array.from({ length: EDGEITEMS }, (_, i) => size - EDGEITEMS + i);
    return [...head, ...tail];
  }
  return Array.from({ length: size }, (_, i) => i);
}

function collectShown(data: ArrayLike<number>, shape: readonly number[], summarize: boolean): number[] {
  const st = strides(shape);
  const out: number[] = [];
  const walk = (dim: number, offset: number) => {
    if (dim === shape.length) {
      out.push(data[offset]);
      return;
    }
    for (const i of shownIndices(shape[dim], summarize)) walk(dim + 1, offset + i * st[dim]);
  };
  walk(0, 0);
  return out;
}

function render(
  data: ArrayLike<number>,
  shape: readonly number[],
  st: number[],
  dim: number,
  offset: number,
  indent: number,
  summarize: boolean,
  f: Formatter,
): string {
  const size = shape[dim];
  const cut = summarize && size > 2 * EDGEITEMS;
  if (dim === shape.length - 1) {
    const elementLength = f.width() + 2;
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
    const items: string[] = [];
    const idx = shownIndices(size, summarize);
    idx.forEach((i, k) => {
      if (cut && k === EDGEITEMS) items.push(" ...");
      items.push(f.format(data[offset + i * st[dim]]));
    });
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
    return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
  }
  const parts: string[] = [];
  const idx = shownIndices(size, summarize);
  idx.forEach((i, k) => {
    if (cut && k === EDGEITEMS) parts.push("...");
    parts.push(render(data, shape, st, dim + 1, offset + i * st[dim], indent + 1, summarize, f));
  });
  const rank = shape.length - dim;
  return `[${parts.join(`,${"\n".repeat(rank - 1)}${" ".repeat(indent + 1)}`)}]`;
}

/** The string PyTorch prints for a tensor of this data, shape and dtype. */
export function formatTensor(data: TypedArray, shape: readonly number[], dtype: DType): string {
  const floating = dtype === "float32";
  const suffix = dtype === "int32" ? ", dtype=torch.int32" : "";
  const size = data.length;
  if (size === 0) {
    const sizeSuffix = shape.length === 1 && shape[0] === 0 ? "" : `, size=(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
    return `tensor([]${sizeSuffix}${suffix})`;
  }
  const summarize = size > THRESHOLD;
  const shown = summarize ? collectShown(data, shape, true) : data;
  const f = new Formatter(shown, floating);
  const indent = "tensor(".length;
  const body = shape.length === 0 ? f.format(data[0]).trim() : render(data, shape, strides(shape), 0, 0, indent, summarize, f);
  return `tensor(${body}${suffix})`;
}
