/**
 * PyTorch's tensor repr (torch/_tensor_str.py, default print options: precision 4, linewidth 80,
 * threshold 1000, edgeitems 3), so printed results can be compared with a PyTorch session by eye.
 */
import type { DType, TypedArray } from "./dtype.js";

const PRECISION = 4;
const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGEITEMS = 3;

/**
 * Rounds a string of decimal digits to `keep` digits, half to even on an exact tie (as Python's format
 * does; JavaScript's toFixed/toExponential round ties away from zero). Returns the kept digits, one
 * longer when the rounding carries out of the first digit.
 */
function roundDigits(all: string, keep: number): string {
  const kept = all.slice(0, keep).padEnd(keep, "0");
  const rest = all.slice(keep);
  let up = false;
  if (rest[0] > "5") up = true;
  else if (rest[0] === "5") up = /[1-9]/.test(rest.slice(1)) || Number(kept[kept.length - 1] ?? "0") % 2 === 1;
  if (!up) return kept;
  const chars = kept.split("");
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === "9") chars[i--] = "0";
  if (i < 0) return `1${chars.join("")}`;
  chars[i] = String(Number(chars[i]) + 1);
  return chars.join("");
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/**
 * Python's `'{:.Nf}'`. toFixed with 30 extra digits resolves every float32 tie exactly: a float32 that
 * is not a tie differs from one far above 1e-30 relative to the digits shown.
 */
function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 30));
  const dot = exact.indexOf(".");
  const intPart = exact.slice(0, dot);
  const rounded = roundDigits(intPart + exact.slice(dot + 1), intPart.length + digits);
  const intLen = rounded.length - digits;
  const body = digits > 0 ? `${rounded.slice(0, intLen)}.${rounded.slice(intLen)}` : rounded;
  return isNegative(x) ? `-${body}` : body;
}

/** Significant digits (no leading zeros) and the decimal exponent of the first one, from 100 correctly rounded digits. */
function significantDigits(a: number): { digits: string; exp: number } {
  const s = a.toPrecision(100);
  const e = s.indexOf("e");
  if (e !== -1) return { digits: s.slice(0, e).replace(".", ""), exp: Number(s.slice(e + 1)) };
  const [intPart, frac = ""] = s.split(".");
  if (intPart !== "0") return { digits: intPart + frac, exp: intPart.length - 1 };
  const zeros = frac.length - frac.replace(/^0+/, "").length;
  return { digits: frac.slice(zeros), exp: -(zeros + 1) };
}

/** Python's `'{:.Ne}'`: half-even ties, the sign of -0 kept, an exponent with a sign and at least two digits. */
function formatSci(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  let mant = "0".repeat(digits + 1);
  let exp = 0;
  if (x !== 0) {
    const sig = significantDigits(Math.abs(x));
    mant = roundDigits(sig.digits, digits + 1);
    exp = sig.exp;
    if (mant.length > digits + 1) {
      mant = mant.slice(0, digits + 1);
      exp++;
    }
  }
  const body = digits > 0 ? `${mant[0]}.${mant.slice(1)}` : mant;
  const e = `e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${isNegative(x) ? "-" : ""}${body}${e}`;
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

/**
 * PyTorch's `_add_suffixes`: each suffix follows `, ` on the last line, or starts a new line indented
 * under the opening parenthesis when it would pass the linewidth (with PyTorch's own line-length count).
 */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  const out = [text];
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > LINEWIDTH) {
      out.push(`,\n${" ".repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      out.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  out.push(")");
  return out.join("");
}

/** The string PyTorch prints for a tensor of this data, shape and dtype. */
export function formatTensor(data: TypedArray, shape: readonly number[], dtype: DType): string {
  const floating = dtype === "float32";
  const prefix = "tensor(";
  const indent = prefix.length;
  // float32 is PyTorch's default dtype and is never named; int32 always is.
  const dtypeSuffix = dtype === "int32" ? ["dtype=torch.int32"] : [];
  if (data.length === 0) {
    // PyTorch names the shape of an empty tensor unless it is 1-D, as NumPy does.
    const sizeSuffix = shape.length === 1 ? [] : [`size=(${shape.join(", ")}${shape.length === 1 ? "," : ""})`];
    return addSuffixes(`${prefix}[]`, [...sizeSuffix, ...dtypeSuffix], indent);
  }
  const summarize = data.length > THRESHOLD;
  const shown = summarize ? collectShown(data, shape, true) : data;
  const f = new Formatter(shown, floating);
  const body = shape.length === 0 ? f.format(data[0]).trim() : render(data, shape, strides(shape), 0, 0, indent, summarize, f);
  return addSuffixes(`${prefix}${body}`, dtypeSuffix, indent);
}
