/** Error assertions shared by the tests of core's validation. */
import { ConvkitError } from "@convkit/core";
import { expect } from "vitest";

/** The error `fn` throws; fails the test when `fn` returns. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to throw, but it returned");
}

/** Asserts `fn` throws `cls` (a ConvkitError) whose message contains every one of `parts`, and returns it. */
export function expectError(fn: () => unknown, cls: abstract new (...args: never[]) => ConvkitError, ...parts: string[]): Error {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(cls);
  expect(e).toBeInstanceOf(ConvkitError);
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}
