import type { Clock } from '../../core/clock.js';
import { AuthError, BrokerRejectError, DecodeError, TransientError } from '../../core/errors.js';
import { parseKstDashed } from '../../core/kst.js';
import type { IssuedToken, TokenIssuer } from '../../core/ports/token-issuer.js';
import type { RateLimiter } from '../../core/rate-limiter.js';
import { classifyKis, kisMessage } from './outcome.js';
import { createKisTransport, type HttpAnswer, type KisTransport } from './transport.js';

/** KIS allows one issuance a minute; one second more for clock skew. */
export const KIS_MIN_ISSUE_INTERVAL_MS = 61_000;

export interface KisAuthOptions {
  baseUrl: string;
  appkey: string;
  appsecret: string;
  clock: Clock;
  requestTimeoutMs?: number;
  /** How long to wait after EGW00133 (default KIS_MIN_ISSUE_INTERVAL_MS). */
  throttleWaitMs?: number;
  limiter?: RateLimiter;
  transport?: KisTransport;
}

/**
 * POST /oauth2/tokenP and /oauth2/revokeP. Expiry comes from `access_token_token_expired`
 * (`YYYY-MM-DD HH:MM:SS`, KST), else from `expires_in` seconds.
 */
export function createKisTokenIssuer(options: KisAuthOptions): TokenIssuer & { close(): Promise<void> } {
  const { clock } = options;
  const transport =
    options.transport ?? createKisTransport({ baseUrl: options.baseUrl, clock, timeoutMs: options.requestTimeoutMs ?? 10_000 });
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  const throttleWaitMs = options.throttleWaitMs ?? KIS_MIN_ISSUE_INTERVAL_MS;

  return {
    async issue(): Promise<IssuedToken> {
      await options.limiter?.acquire();
      const res = await transport.post('/oauth2/tokenP', headers, {
        grant_type: 'client_credentials',
        appkey: options.appkey,
        appsecret: options.appsecret,
      });
      assertOk('tokenP', res, throttleWaitMs);
      const body = (res.json ?? {}) as Record<string, unknown>;
      const token = body['access_token'];
      if (typeof token !== 'string' || token === '') {
        throw new DecodeError('E_DECODE_SHAPE', 'tokenP: access_token: missing required field', { details: { path: 'access_token' } });
      }
      const dashed = body['access_token_token_expired'];
      let expiresAt = typeof dashed === 'string' ? parseKstDashed(dashed.trim()) : undefined;
      const expiresIn = Number(body['expires_in']);
      if (expiresAt === undefined && Number.isFinite(expiresIn) && expiresIn > 0) expiresAt = clock.now() + expiresIn * 1000;
      if (expiresAt === undefined) {
        throw new DecodeError('E_DECODE_VALUE', 'tokenP: no readable access_token_token_expired or expires_in', {
          details: { path: 'access_token_token_expired' },
        });
      }
      return { token, expiresAt };
    },
    async revoke(token: string): Promise<void> {
      await options.limiter?.acquire();
      const res = await transport.post('/oauth2/revokeP', headers, { appkey: options.appkey, appsecret: options.appsecret, token });
      assertOk('revokeP', res, throttleWaitMs);
    },
    close: () => transport.close(),
  };
}

function assertOk(endpoint: string, res: HttpAnswer, throttleWaitMs: number): void {
  const outcome = classifyKis(res.status, res.json);
  if (outcome.kind === 'ok') return;
  const { message } = kisMessage(res.json);
  const details = { endpoint, status: res.status, brokerCode: outcome.code, brokerMessage: message };
  const text = `kis ${endpoint}: ${outcome.code} ${message}`.trim();
  switch (outcome.kind) {
    case 'throttle':
      throw new TransientError('E_TOKEN_THROTTLED', text, { details: { ...details, retryAfterMs: throttleWaitMs } });
    case 'credentials':
      throw new AuthError('E_AUTH_CREDENTIALS', text, { details });
    case 'mode':
      throw new AuthError('E_AUTH_MODE', text, { details });
    case 'rate':
      throw new TransientError('E_RATE_LIMITED', text, { details: { ...details, retryAfterMs: 1000 } });
    case 'server':
      throw new TransientError('E_HTTP_STATUS', text, { details });
    case 'token':
      throw new AuthError('E_AUTH_TOKEN', text, { details });
    case 'reject':
      throw new BrokerRejectError('E_BROKER_REJECT', text, { details });
  }
}
