import { parseArgs } from 'node:util';
import { SECRET_ENV_VARS } from '../config/load.js';
import { scrubSecrets } from '../config/redact.js';
import { ConfigError, UsageError, errorMessage, isKrxError } from '../core/errors.js';
import type { CliIo, Command } from './command.js';
import { calendarCommand } from './commands/calendar.js';
import { configCommand } from './commands/config.js';
import { queryCommand } from './commands/query.js';
import { reloadCommand } from './commands/reload.js';
import { replayCommand } from './commands/replay.js';
import { reportCommand } from './commands/report.js';
import { sessionsCommand } from './commands/sessions.js';
import { notifyCommand } from './commands/notify.js';
import { signalsCommand } from './commands/signals.js';
import { simCommand } from './commands/sim.js';
import { startCommand } from './commands/start.js';
import { strategiesCommand } from './commands/strategies.js';
import { escapeControlLines } from './escape.js';
import { sweepCommand } from './commands/sweep.js';
import { uiCommand } from './commands/ui.js';
import { EXIT } from './exit-codes.js';

export const COMMANDS: readonly Command[] = [startCommand, simCommand, replayCommand, signalsCommand, sessionsCommand, calendarCommand, configCommand, strategiesCommand, reloadCommand, queryCommand, notifyCommand, reportCommand, uiCommand, sweepCommand];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `krx-signals: trading signals from the Korean stock market's live feed (Kiwoom + KIS)

Usage: krx-signals <command> [options]

Commands:
${lines.join('\n')}

Options:
  -h, --help     show help (also: krx-signals <command> --help)
  -v, --version  print the version

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration, 73 data directory held by
another daemon, 130 forced stop.
`;
}

/** Parses argv (without node and script) and runs one command; resolves to the exit code. Never exits. */
export async function main(argv: readonly string[], io: CliIo, version = '0.0.0'): Promise<number> {
  const secrets = SECRET_ENV_VARS.map((k) => io.env[k]).filter((v): v is string => !!v);
  const fail = (text: string): void => {
    io.stderr.write(`${escapeControlLines(scrubSecrets(text, secrets))}\n`);
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(helpText());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (see krx-signals --help)`);
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help === true) {
      io.stdout.write(`${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals, io });
  } catch (err) {
    // A taken port is the machine's state, not bad configuration: exit 1 (start and sim agree).
    if (isKrxError(err) && (err.code === 'E_LISTEN' || err.code === 'E_SIM_LISTEN')) {
      fail(`krx-signals ${name}: ${err instanceof ConfigError ? (err.problems[0] ?? err.message) : err.message} [${err.code}]`);
      return EXIT.failure;
    }
    if (err instanceof ConfigError) {
      for (const problem of err.problems) fail(`krx-signals: config: ${problem}`);
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      fail(`krx-signals: ${err.message}`);
      return EXIT.usage;
    }
    const code = isKrxError(err) ? ` [${err.code}]` : '';
    fail(`krx-signals ${name}: ${errorMessage(err)}${code}`);
    return EXIT.failure;
  }
}

function parseCommandArgs(command: Command, args: readonly string[]): ReturnType<typeof parseArgs> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: booleanValues(command, args),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${command.name}: ${describeParseError(err)} (see krx-signals ${command.name} --help)`);
  }
  if (parsed.positionals.length > command.maxPositionals) {
    throw new UsageError(`${command.name}: unexpected argument '${parsed.positionals[command.maxPositionals]}' (see krx-signals ${command.name} --help)`);
  }
  return parsed;
}

/** `--pretty=false` / `--pretty=true` for a boolean option, as `--no-pretty` / `--pretty` (both accepted). */
function booleanValues(command: Command, args: readonly string[]): string[] {
  return args.map((arg) => {
    const m = /^--([a-z][a-z0-9-]*)=(true|false)$/.exec(arg);
    if (!m || command.options[m[1] as string]?.type !== 'boolean') return arg;
    return m[2] === 'true' ? `--${m[1]}` : `--no-${m[1]}`;
  });
}

function describeParseError(err: unknown): string {
  const message = errorMessage(err);
  const option = /'(-[^']*)'/.exec(message)?.[1];
  switch ((err as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option ? `option ${option} needs a value` : 'an option is missing its value';
    default:
      return message.split('\n')[0] ?? message;
  }
}
