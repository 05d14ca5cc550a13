/**
 * Python literal formatting for module reprs, so `toString()` prints what PyTorch's `repr` prints.
 * A JS array stands for a Python tuple (convkit's API takes arrays where torch takes tuples).
 */

/** A value a module's extraRepr shows: numbers, booleans, strings, null (None), nested tuples. */
export type PyValue = number | boolean | string | null | undefined | readonly PyValue[];

/**
 * Python's `repr(float)`: shortest round-trip digits, scientific notation below 1e-4 (`1e-05`). Integer
 * values print as Python ints, since JS cannot tell `2` from `2.0`; every double from 2^53 up is an
 * integer, so Python's switch to exponent form at 1e16 never applies.
 */
function pyNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v)) return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  const [mantissa, exp] = v.toExponential().split("e");
  const e = Number(exp);
  if (e < -4) return `${mantissa}e-${String(-e).padStart(2, "0")}`;
  return String(v);
}

/** `repr()` of the Python value `v` stands for. */
export function pyRepr(v: PyValue): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyNumber(v);
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (v.length === 1) return `(${pyRepr(v[0])},)`;
  return `(${v.map(pyRepr).join(", ")})`;
}

/** `key=repr(value), ...` as PyTorch's extra_repr methods write them. */
export function pyKwargs(entries: readonly (readonly [string, PyValue])[]): string {
  return entries.map(([k, v]) => `${k}=${pyRepr(v)}`).join(", ");
}

/**
 * PyTorch's `_ntuple`: a sequence is kept as given (as a tuple); anything else, an int included, is
 * repeated n times (a bad value is then the functional op's to report at forward time, as in PyTorch).
 */
export function ntuple(v: number | readonly (number | null)[], n: number): readonly (number | null)[] {
  return Array.isArray(v) ? [...v] : new Array<number>(n).fill(v as number);
}

/** PyTorch's `_addindent`: indents every line but the first. */
export function addIndent(s: string, spaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}
