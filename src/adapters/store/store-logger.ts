/** The logging this adapter needs; a pino Logger fits as is. Never log signal details or secrets. */
export interface StoreLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export const silentLogger: StoreLogger = { warn: () => {}, error: () => {} };
