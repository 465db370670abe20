/**
 * The logging port: the subset of pino that library code uses. Fields first, then a message without a
 * trailing period, like pino: `log.warn({ code, symbol }, 'frame dropped')`. The app passes a pino child.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** What an adapter that only reports problems needs (the store, the recorder): a pino Logger fits. */
export type WarnLog = Pick<Logger, 'warn' | 'error'>;

/** A WarnLog that drops everything. */
export const silentWarnLog: WarnLog = { warn: () => {}, error: () => {} };

/** A Logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
