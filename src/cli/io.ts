/** What a command may touch: its streams and working directory. Tests pass their own. */
export interface CliIo {
  readonly cwd: string;
  out(line: string): void;
  err(line: string): void;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** A command-line mistake: printed with the command's usage, exit 2. */
export class UsageError extends Error {}
