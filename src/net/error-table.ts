import {
  AuthError,
  BrokerRejectError,
  TransientError,
  type ErrorCode,
  type KrxError,
  type KrxErrorOptions,
} from '../core/errors.js';

type ErrorClass = new (code: ErrorCode, message: string, options?: KrxErrorOptions) => KrxError;

/** What a broker outcome becomes when the retry loop gives up: the error class and its code. */
export type ErrorSpec = readonly [ErrorClass, ErrorCode];

export const auth = (code: ErrorCode): ErrorSpec => [AuthError, code];
export const transient = (code: ErrorCode): ErrorSpec => [TransientError, code];
export const reject = (code: ErrorCode): ErrorSpec => [BrokerRejectError, code];

/**
 * Builds the error for a final outcome from a broker's table. `waitMs` (the broker's own wait)
 * travels as `details.retryAfterMs`, which the token machine honours.
 */
export function errorFromSpec(
  [ErrorType, code]: ErrorSpec,
  message: string,
  details: Record<string, unknown>,
  waitMs: number | undefined,
): KrxError {
  return new ErrorType(code, message, { details: waitMs === undefined ? details : { ...details, retryAfterMs: waitMs } });
}
