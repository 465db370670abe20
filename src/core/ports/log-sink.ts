/**
 * The slice of a (pino-compatible) logger that adapters use. Never pass secrets in `fields`.
 */
export interface LogSink {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** A LogSink that drops everything (the default in library code and tests). */
export const silentLog: LogSink = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
