import { expect } from "vitest";
import { main } from "../src/main.js";

/** Runs the CLI in-process and collects what it printed. */
export async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Asserts the CLI refused bad input: exit code 2, nothing on stdout, one `convkit: ` line on stderr matching `message`. */
export function expectRefused(r: { code: number; out: string; err: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err.split("\n")).toHaveLength(1);
  expect(r.err).toMatch(/^convkit: /);
  expect(r.err).toMatch(message);
}
