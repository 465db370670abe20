import type { BrokerProtocol } from '../../net/broker-call.js';
import { auth, errorFromSpec, reject, transient, type ErrorSpec } from '../../net/error-table.js';
import { classifyKiwoom, type KiwoomOutcome } from './return-code.js';

/** What each Kiwoom outcome becomes once the retry loop gives up (protocol.md section 5). */
export const KIWOOM_ERRORS = {
  token: auth('E_AUTH_TOKEN'),
  rate: transient('E_RATE_LIMITED'),
  batch: reject('E_BATCH_LIMIT'),
  credentials: auth('E_AUTH_CREDENTIALS'),
  device: auth('E_AUTH_DEVICE'),
  mode: auth('E_AUTH_MODE'),
  server: transient('E_HTTP_STATUS'),
  reject: reject('E_BROKER_REJECT'),
} as const satisfies Record<Exclude<KiwoomOutcome['kind'], 'ok'>, ErrorSpec>;

/** Token codes that name a more precise cause than "token" (8031 mock token, 8103 device). */
const TOKEN_CODE_ERRORS: Readonly<Record<number, ErrorSpec>> = { 8031: auth('E_AUTH_MODE'), 8103: auth('E_AUTH_DEVICE') };

/** Kiwoom names no wait after 1700; its window is one second. */
export const KIWOOM_RATE_WAIT_MS = 1000;

/** Kiwoom for the retry loop: `api` is the api-id (au10001 for the token call). */
export const KIWOOM_PROTOCOL: BrokerProtocol<KiwoomOutcome> = {
  broker: 'kiwoom',
  classify: (answer) => classifyKiwoom(answer.status, answer.json),
  waitMs: (outcome) => (outcome.kind === 'rate' ? KIWOOM_RATE_WAIT_MS : undefined),
  fail(apiId, outcome, answer, context) {
    const json = answer.json !== null && typeof answer.json === 'object' ? (answer.json as Record<string, unknown>) : {};
    const brokerMessage = typeof json['return_msg'] === 'string' ? json['return_msg'] : '';
    const brokerCode = 'code' in outcome ? outcome.code : undefined;
    const details = { apiId, status: answer.status, brokerCode, brokerMessage };
    const afterRefresh = context.refreshed && outcome.kind === 'token' ? ' (after one refresh)' : '';
    const spec = (outcome.kind === 'token' ? TOKEN_CODE_ERRORS[outcome.code] : undefined) ?? KIWOOM_ERRORS[outcome.kind];
    return errorFromSpec(spec, `${apiId}: ${brokerMessage || `HTTP ${answer.status}`}${afterRefresh}`, details, context.waitMs);
  },
};
