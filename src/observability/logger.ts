import { pino, type DestinationStream, type Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { REDACTED, scrubSecrets } from '../config/redact.js';
import { prettyStream } from './pretty-log.js';
import { knownSecrets } from './secrets.js';

export type { Logger } from 'pino';

/** Field names that hold secrets wherever they appear in a log object. */
const SECRET_FIELDS = ['appkey', 'secretkey', 'appsecret', 'token', 'access_token', 'authorization', 'approval_key', 'credentials'];

/** pino redact paths: the secret fields at the top level and up to three levels down. */
export const REDACT_PATHS: string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export interface LoggerOptions {
  level: string;
  clock: Clock;
  /** Human-readable output instead of JSON lines: one line per event (pretty-log.ts). */
  pretty?: boolean;
  /** With pretty: the event's fields after the message too (the JSON tail). */
  verbose?: boolean;
  /** Where lines go (default stdout). */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** Secret values to scrub from every line, whatever field or message they hide in (with secrets.ts's). */
  secrets?: readonly string[];
}

/**
 * The root logger: JSON lines (or pretty) with timestamps from the Clock port, secret fields redacted
 * by path and secret values scrubbed from the text as a second line of defence.
 * Components take a child: `logger.child({ component: 'connection' })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const destination = options.destination ?? process.stdout;
  const stream = options.pretty ? prettyStream(destination as NodeJS.WritableStream, options.verbose === true) : destination;
  return pino(
    {
      level: options.level,
      base: null,
      timestamp: () => `,"time":${options.clock.now()}`,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
      // The configured secrets, plus those learned at run time (issued tokens: secrets.ts).
      hooks: { streamWrite: (line: string) => uniqueKeys(scrubSecrets(scrubSecrets(line, secrets), knownSecrets())) },
    },
    stream as DestinationStream,
  );
}

/**
 * pino writes a child's bindings and the call's fields side by side, so `component` (or any key)
 * could appear twice in one line: JSON that jq and strict parsers reject. Re-serialised, the last
 * value wins (as JSON.parse reads it) and each key appears once.
 */
function uniqueKeys(line: string): string {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  try {
    return `${JSON.stringify(JSON.parse(text))}\n`;
  } catch {
    return line;
  }
}
