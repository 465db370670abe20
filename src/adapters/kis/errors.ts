import type { KrxError } from '../../core/errors.js';
import type { HttpAnswer } from '../../net/http-transport.js';
import { auth, errorFromSpec, reject, transient, type ErrorSpec } from '../../net/error-table.js';
import { kisMessage, type KisOutcome } from './outcome.js';

type Failure = Exclude<KisOutcome, { kind: 'ok' }>;

/** What each KIS outcome becomes once the retry loop gives up (protocol.md sections 6.2, 6.7). */
export const KIS_ERRORS = {
  token: auth('E_AUTH_TOKEN'),
  rate: transient('E_RATE_LIMITED'),
  throttle: transient('E_TOKEN_THROTTLED'),
  credentials: auth('E_AUTH_CREDENTIALS'),
  mode: auth('E_AUTH_MODE'),
  server: transient('E_HTTP_STATUS'),
  reject: reject('E_BROKER_REJECT'),
} as const satisfies Record<Failure['kind'], ErrorSpec>;

/** The broker's own waits: EGW00133 is one issuance a minute (`throttleWaitMs`); EGW00201 a per-second limit. */
export function kisWaitMs(outcome: KisOutcome, throttleWaitMs: number): number | undefined {
  if (outcome.kind === 'throttle') return throttleWaitMs;
  if (outcome.kind === 'rate') return 1000;
  return undefined;
}

/** `call` names the request in the message and details: { trId } or { endpoint }. */
export function kisError(
  call: { trId: string } | { endpoint: string },
  outcome: Failure,
  answer: HttpAnswer,
  context: { refreshed: boolean; waitMs: number | undefined },
): KrxError {
  const { message } = kisMessage(answer.json);
  const name = 'trId' in call ? call.trId : call.endpoint;
  const details = { ...call, status: answer.status, brokerCode: outcome.code, brokerMessage: message };
  const text = `kis ${name}: ${outcome.code} ${message}`.trim() + (context.refreshed && outcome.kind === 'token' ? ' (after one refresh)' : '');
  return errorFromSpec(KIS_ERRORS[outcome.kind], text, details, context.waitMs);
}
