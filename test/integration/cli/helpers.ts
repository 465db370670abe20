import type { CliIo } from '../../../src/cli/command.js';
import { main } from '../../../src/cli/main.js';
import { repoRoot } from '../../support/cli.js';

export interface RunningCli {
  /** Resolves with the exit code. */
  readonly done: Promise<number>;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it holds a full line (or rejects if the command ends first). */
  firstLine(): Promise<string>;
  stop(): void;
}

/** Runs the CLI in-process with a stop signal the test controls (the `sim` command runs until stopped). */
export function startCli(argv: string[], env: Record<string, string | undefined> = {}, cwd = repoRoot): RunningCli {
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const controller = new AbortController();
  const io: CliIo = {
    stdout: {
      write: (t: string) => {
        out += t;
        for (const w of waiters.splice(0)) w();
        return true;
      },
    },
    stderr: { write: (t: string) => (err += t) },
    env,
    cwd,
    stopSignal: controller.signal,
  };
  const done = main(argv, io);
  return {
    done,
    stdout: () => out,
    stderr: () => err,
    firstLine: () =>
      new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(out.slice(0, nl));
          else waiters.push(check);
        };
        check();
        void done.then((code) => reject(new Error(`exited ${code} before printing a line; stderr: ${err}`)));
      }),
    stop: () => controller.abort('SIGTERM'),
  };
}
