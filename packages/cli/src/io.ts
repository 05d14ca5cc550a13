/** Where a command writes: `out` for results, `err` for the one-line errors. Each call is one or more whole lines. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /**
   * Optional: shows `text` as a transient status line on stderr (a progress bar), replaced by the next
   * status or line. Present only where stderr is a terminal; commands fall back to occasional `err` lines.
   */
  status?(text: string): void;
}
