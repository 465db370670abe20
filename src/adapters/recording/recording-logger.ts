/** The logging this adapter needs; a pino Logger fits as is. Never log frame data. */
export interface RecordingLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export const silentRecordingLogger: RecordingLogger = { warn: () => {}, error: () => {} };
