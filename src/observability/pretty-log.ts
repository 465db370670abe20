import { formatKstDashed } from '../core/kst.js';

/** Width of a terminal line; a line per event never wraps. */
export const LOG_COLUMNS = 80;
/** `2026-11-20 09:00:01.234 KST` */
export function kstStamp(ms: number): string {
  return `${formatKstDashed(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')} KST`;
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The human view: `<KST date time> <LEVEL> [component] CODE message` on one line of at most
 * `columns` characters (cut with an ellipsis); the fields after it (the JSON tail) only when verbose.
 */
export function formatPrettyLine(log: Record<string, unknown>, verbose: boolean, columns = LOG_COLUMNS): string {
  const time = typeof log.time === 'number' ? kstStamp(log.time) : '';
  const level = typeof log.level === 'number' ? (LEVELS[log.level] ?? String(log.level)) : String(log.level ?? '').toUpperCase();
  const component = typeof log.component === 'string' ? `[${log.component}] ` : '';
  // The code before the message: a cut line keeps it.
  const code = typeof log.code === 'string' ? `${log.code} ` : '';
  const msg = String(log.msg ?? '').replace(/\s*\n\s*/g, ' ');
  let line = `${time} ${level.padEnd(5)} ${component}${code}${msg}`;
  if (verbose) {
    const { time: _t, level: _l, msg: _m, component: _c, ...rest } = log;
    if (Object.keys(rest).length > 0) line += ` ${JSON.stringify(rest)}`;
    return line;
  }
  return line.length > columns ? `${line.slice(0, columns - 1)}…` : line;
}

/** A pino destination that writes `formatPrettyLine` for each JSON line it is given. */
export function prettyStream(destination: NodeJS.WritableStream, verbose: boolean): { write(chunk: string): boolean } {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          destination.write(`${line}\n`);
          continue;
        }
        destination.write(`${formatPrettyLine(event, verbose)}\n`);
      }
      return true;
    },
  };
}
