import type { BrokerProtocol } from '../../net/broker-call.js';
import { auth, errorFromSpec, reject, transient, type ErrorSpec } from '../../net/error-table.js';
import { classifyKis, kisMessage, type KisOutcome } from './outcome.js';

/** What each KIS outcome becomes once the retry loop gives up (protocol.md sections 6.2, 6.7). */
export const KIS_ERRORS = {
  token: auth('E_AUTH_TOKEN'),
  throttle: transient('E_TOKEN_THROTTLED'),
  rate: transient('E_RATE_LIMITED'),
  credentials: auth('E_AUTH_CREDENTIALS'),
  mode: auth('E_AUTH_MODE'),
  server: transient('E_HTTP_STATUS'),
  reject: reject('E_BROKER_REJECT'),
} as const satisfies Record<Exclude<KisOutcome['kind'], 'ok'>, ErrorSpec>;

/**
 * KIS for the retry loop: `api` is the tr_id (or tokenP/revokeP). Its own waits: EGW00133 allows
 * one issuance a minute (`throttleWaitMs`), EGW00201 is a per-second limit.
 */
export function kisProtocol(throttleWaitMs: number): BrokerProtocol<KisOutcome> {
  return {
    broker: 'kis',
    classify: (answer) => classifyKis(answer.status, answer.json),
    waitMs: (outcome) => (outcome.kind === 'throttle' ? throttleWaitMs : outcome.kind === 'rate' ? 1000 : undefined),
    fail(api, outcome, answer, context) {
      const { message } = kisMessage(answer.json);
      const details = { api, status: answer.status, brokerCode: outcome.code, brokerMessage: message };
      const afterRefresh = context.refreshed && outcome.kind === 'token' ? ' (after one refresh)' : '';
      return errorFromSpec(KIS_ERRORS[outcome.kind], `kis ${api}: ${outcome.code} ${message}`.trim() + afterRefresh, details, context.waitMs);
    },
  };
}
