import type { ParseArgsConfig } from 'node:util';

/** What a command may touch: injected so commands run in-process under test and as the real binary. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); commands that run until stopped await it. */
  readonly stopSignal?: AbortSignal;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage text shown by `krx-signals <name> --help`. */
  readonly usage: string;
  readonly options: OptionSpec;
  /** How many positional arguments it takes at most. */
  readonly maxPositionals: number;
  /** Resolves to the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}
