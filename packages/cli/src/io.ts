/** Where a command writes: `out` for results, `err` for the one-line errors. Each call is one or more whole lines. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}
