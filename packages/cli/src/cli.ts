#!/usr/bin/env node
import { main } from "./main.js";

// `convkit ... | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// A status line (progress bar) is redrawn in place; any other output on stderr clears it first.
let statusShown = false;
const clearStatus = (): void => {
  if (statusShown) process.stderr.write("\r\x1b[K");
  statusShown = false;
};

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => {
    clearStatus();
    process.stdout.write(`${text}\n`);
  },
  err: (text) => {
    clearStatus();
    process.stderr.write(`${text}\n`);
  },
  status: process.stderr.isTTY
    ? (text) => {
        process.stderr.write(`\r${text.slice(0, Math.max(20, (process.stderr.columns ?? 100) - 1))}\x1b[K`);
        statusShown = true;
      }
    : undefined,
});
clearStatus();
