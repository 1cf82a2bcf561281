/** Where the CLI writes; injectable so tests capture output. */
export interface CliIo {
  /** Normal output. */
  out(line: string): void;
  /** Errors and usage. */
  err(line: string): void;
}
