import type { Clock } from '../../core/clock.js';
import { DecodeError } from '../../core/errors.js';
import { parseKstDashed } from '../../core/kst.js';
import { silentLog, type LogSink } from '../../core/ports/log-sink.js';
import type { IssuedToken, TokenIssuer } from '../../core/ports/token-issuer.js';
import { createRateLimiter, type RateLimiter } from '../../core/rate-limiter.js';
import { brokerCall } from '../../net/broker-call.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { kisError, kisWaitMs } from './errors.js';
import { classifyKis } from './outcome.js';
import { createKisTransport, type KisTransport } from './transport.js';
import { defaultKisRate, KIS_MIN_ISSUE_INTERVAL_MS } from './limits.js';

export { KIS_MIN_ISSUE_INTERVAL_MS } from './limits.js';

export interface KisAuthOptions {
  baseUrl: string;
  appkey: string;
  appsecret: string;
  clock: Clock;
  requestTimeoutMs?: number;
  /** How long to wait after EGW00133 (default KIS_MIN_ISSUE_INTERVAL_MS). */
  throttleWaitMs?: number;
  /** The host + app key limiter, shared with the watchlist client; default: a private one. */
  limiter?: RateLimiter;
  /** Bound on waiting for the limiter. Default 120 000. */
  waitTimeoutMs?: number;
  /** Answers longer than this are refused (E_BODY_TOO_LARGE). */
  maxBodyBytes?: number;
  log?: LogSink;
  transport?: KisTransport;
}

/**
 * POST /oauth2/tokenP and /oauth2/revokeP. Expiry comes from `access_token_token_expired`
 * (`YYYY-MM-DD HH:MM:SS`, KST), else from `expires_in` seconds.
 */
export function createKisTokenIssuer(options: KisAuthOptions): TokenIssuer & { close(): Promise<void> } {
  const { clock } = options;
  const transport =
    options.transport ??
    createKisTransport({
      baseUrl: options.baseUrl,
      clock,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
    });
  const limiter = options.limiter ?? createRateLimiter({ clock, ratePerSecond: defaultKisRate(options.baseUrl) });
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  const throttleWaitMs = options.throttleWaitMs ?? KIS_MIN_ISSUE_INTERVAL_MS;

  // Token calls are not retried here: the token machine owns that policy (and honours retryAfterMs).
  const call = (endpoint: string, body: Record<string, string>) =>
    brokerCall({
      send: () => transport.post(`/oauth2/${endpoint}`, headers, body),
      classify: (answer) => classifyKis(answer.status, answer.json),
      fail: (outcome, answer, context) => kisError({ endpoint }, outcome, answer, context),
      brokerWaitMs: (outcome) => kisWaitMs(outcome, throttleWaitMs),
      clock,
      limiter,
      waitTimeoutMs: options.waitTimeoutMs ?? 120_000,
      log: options.log ?? silentLog,
      context: { broker: 'kis', endpoint },
    });

  return {
    async issue(): Promise<IssuedToken> {
      const answer = await call('tokenP', { grant_type: 'client_credentials', appkey: options.appkey, appsecret: options.appsecret });
      const body = jsonObjectOf(answer, 'kis tokenP', { endpoint: 'tokenP' });
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
      await call('revokeP', { appkey: options.appkey, appsecret: options.appsecret, token });
    },
    close: () => transport.close(),
  };
}
