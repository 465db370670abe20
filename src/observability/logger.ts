import { pino, type DestinationStream, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import type { Clock } from '../core/clock.js';
import { REDACTED, scrubSecrets } from '../config/redact.js';
import { knownSecrets } from './secrets.js';

export type { Logger } from 'pino';

/** Field names that hold secrets wherever they appear in a log object. */
const SECRET_FIELDS = ['appkey', 'secretkey', 'appsecret', 'token', 'access_token', 'authorization', 'approval_key', 'credentials'];

/** pino redact paths: the secret fields at the top level and up to three levels down. */
export const REDACT_PATHS: string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export interface LoggerOptions {
  level: string;
  clock: Clock;
  /** Human-readable output instead of JSON lines. */
  pretty?: boolean;
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
  const stream = options.pretty
    ? PinoPretty({ destination: destination as NodeJS.WritableStream, colorize: isTty(destination), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,event,component', singleLine: true, sync: true })
    : destination;
  return pino(
    {
      level: options.level,
      base: null,
      timestamp: () => `,"time":${options.clock.now()}`,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
      // The configured secrets, plus those learned at run time (issued tokens: secrets.ts).
      hooks: { streamWrite: (line: string) => scrubSecrets(scrubSecrets(line, secrets), knownSecrets()) },
    },
    stream as DestinationStream,
  );
}

function isTty(stream: unknown): boolean {
  return typeof stream === 'object' && stream !== null && (stream as { isTTY?: boolean }).isTTY === true;
}
