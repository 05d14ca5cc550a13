/** Text formatting for CLI output: single values in window listings, shapes, call signatures and tables. */

/** A float32 value for a window listing: integers as integers, others to 6 significant digits, Python-style non-finites. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** `[1, 3, 32, 32]` -> `1x3x32x32`, the syntax `convkit shape --input` takes. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? "scalar" : shape.join("x");
}

/** A JS literal for an option value in a printed call: `2`, `[2, 3]`, `true`, `null`. */
export function formatLiteral(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatLiteral).join(", ")}]`;
  return v === null ? "null" : String(v);
}

/** `maxPool2d(x, 2, { stride: 1, padding: 1 })`: positional args, then the options that were given. */
export function formatCall(fn: string, positional: readonly unknown[], options: Record<string, unknown>): string {
  const opts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${formatLiteral(v)}`);
  const args = ["x", ...positional.map(formatLiteral), ...(opts.length > 0 ? [`{ ${opts.join(", ")} }`] : [])];
  return `${fn}(${args.join(", ")})`;
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, row[i].length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd(),
  );
}
