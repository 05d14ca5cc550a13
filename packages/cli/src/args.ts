/**
 * Argument parsing shared by every command: node:util parseArgs with boolean flags that also take
 * `=true` / `=false` / `--no-…`, integer tuples written "2,3", and JSON tensor input. Every problem
 * with the command line is a UsageError, which main() prints as one line and exits 2.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { NestedArray } from "@convkit/core";

/** A mistake in the command line or its input (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A file the command line named could not be read or written: `<command>: cannot read <what>: no such
 * file` (a missing directory when writing), or the system's error code.
 */
export function fileError(command: string, verb: "read" | "write", what: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const missing = verb === "read" ? ": no such file" : ": no such directory";
  return new UsageError(`${command}: cannot ${verb} ${what}${code === "ENOENT" ? missing : code ? ` (${code})` : ""}`);
}

export type OptionSpec = { type: "string"; short?: string } | { type: "boolean"; short?: string };

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` strictly against `options` (plus --help/-h). `--flag=false` and `--flag=true` are
 * accepted for boolean options, as is `--no-flag`.
 */
export function parseCommand(command: string, argv: readonly string[], options: Record<string, OptionSpec>): ParsedCommand {
  const rewritten: string[] = [];
  let afterDashes = false;
  for (const arg of argv) {
    const m = afterDashes ? null : /^--([^=]+)=(.*)$/.exec(arg);
    if (arg === "--") afterDashes = true;
    if (m && options[m[1]]?.type === "boolean") {
      const v = m[2].toLowerCase();
      if (v !== "true" && v !== "false") throw new UsageError(`${command}: --${m[1]} takes true or false, got ${JSON.stringify(m[2])}`);
      rewritten.push(v === "true" ? `--${m[1]}` : `--no-${m[1]}`);
    } else rewritten.push(arg);
  }
  try {
    const { values, positionals } = parseArgs({
      args: rewritten,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
    return { values: values as ParsedCommand["values"], positionals };
  } catch (e) {
    throw new UsageError(`${command}: ${describeParseError(e)} (see convkit ${command} --help)`);
  }
}

/**
 * parseArgs' messages, shortened to their first sentence. A negative number after an option
 * (`--norm-type -1`) reads to parseArgs as another option; its remedy is in a later sentence, so it is kept.
 */
function describeParseError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split(/\.\s/)[0].replace(/\.$/, "");
  const option = /^Option '(--[^']+)' argument is ambiguous/.exec(message)?.[1];
  const hint = option ? `; write ${option}=-1 for a value that starts with a dash` : "";
  return first.charAt(0).toLowerCase() + first.slice(1) + hint;
}

/** An integer or comma-separated integer tuple: "2" -> 2, "2,3" -> [2, 3]. Range checks are core's. */
export function parseIntTuple(command: string, name: string, text: string): number | number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[+-]?\d+$/.test(p))) {
    throw new UsageError(`${command}: --${name} must be an integer or comma-separated integers like 2,3, got ${JSON.stringify(text)}`);
  }
  const nums = parts.map(Number);
  return nums.length === 1 ? nums[0] : nums;
}

/** Like parseIntTuple, but entries may be "none" (PyTorch's None: keep that input size). */
export function parseSizeTuple(command: string, name: string, text: string): number | (number | null)[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[+-]?\d+$/.test(p) && p.toLowerCase() !== "none")) {
    throw new UsageError(`${command}: --${name} must be an integer or comma-separated integers or "none", like 2,none, got ${JSON.stringify(text)}`);
  }
  const sizes = parts.map((p) => (p.toLowerCase() === "none" ? null : Number(p)));
  return sizes.length === 1 && sizes[0] !== null ? sizes[0] : sizes;
}

export function parseInteger(command: string, name: string, text: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`${command}: --${name} must be an integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseNumber(command: string, name: string, text: string): number {
  const v = Number(text);
  if (text.trim() === "" || Number.isNaN(v)) throw new UsageError(`${command}: --${name} must be a number, got ${JSON.stringify(text)}`);
  return v;
}

/** Input tensor as nested arrays or `{ "shape": [...], "data": [...] }`; "NaN", "Infinity", "-Infinity" allowed as strings. */
export interface JsonInput {
  values: NestedArray;
  shape?: number[];
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };

/** Reads a tensor option (`--input` unless `option` names another, e.g. "weight"): inline JSON, or `@path` for a JSON file. */
export function readJsonInput(command: string, spec: string, option = "input"): JsonInput {
  let text = spec;
  let where = `--${option}`;
  if (spec.startsWith("@")) {
    const path = spec.slice(1);
    where = `${option} file ${path}`;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw fileError(command, "read", where, e);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${command}: ${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    const o = parsed as { shape?: unknown; data?: unknown };
    if (!Array.isArray(o.shape) || !Array.isArray(o.data)) {
      throw new UsageError(`${command}: ${where} must be a nested array of numbers or an object {"shape": [...], "data": [...]}`);
    }
    return { values: decode(command, where, o.data) as NestedArray, shape: o.shape as number[] };
  }
  if (!Array.isArray(parsed)) throw new UsageError(`${command}: ${where} must be a nested array of numbers or an object {"shape": [...], "data": [...]}, got ${JSON.stringify(parsed)}`);
  return { values: decode(command, where, parsed) as NestedArray };
}

function decode(command: string, where: string, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => decode(command, where, x));
  if (typeof v === "number") return v;
  if (typeof v === "string" && v in NON_FINITE) return NON_FINITE[v];
  throw new UsageError(`${command}: ${where} may only hold numbers (or "NaN", "Infinity", "-Infinity"), got ${JSON.stringify(v)}`);
}
