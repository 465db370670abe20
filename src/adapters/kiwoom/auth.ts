import type { Clock } from '../../core/clock.js';
import { DecodeError } from '../../core/errors.js';
import { parseKstCompact } from '../../core/kst.js';
import { silentLog, type LogSink } from '../../core/ports/log-sink.js';
import type { IssuedToken, TokenIssuer } from '../../core/ports/token-issuer.js';
import { createRateLimiter, type RateLimiter } from '../../core/rate-limiter.js';
import { brokerCall } from '../../net/broker-call.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { kiwoomError, kiwoomWaitMs } from './errors.js';
import { classifyKiwoom } from './return-code.js';
import { createHttpTransport, type HttpTransport } from './transport.js';

export interface KiwoomAuthOptions {
  baseUrl: string;
  appkey: string;
  secretkey: string;
  clock: Clock;
  requestTimeoutMs?: number;
  /** The host + app key limiter, shared with the REST client; default: a private one at 5/s. */
  limiter?: RateLimiter;
  /** Bound on waiting for the limiter. Default 120 000. */
  waitTimeoutMs?: number;
  /** Answers longer than this are refused (E_BODY_TOO_LARGE). */
  maxBodyBytes?: number;
  log?: LogSink;
  transport?: HttpTransport;
}

/**
 * au10001 (issue, POST /oauth2/token) and au10002 (revoke, POST /oauth2/revoke). `expires_dt` is KST
 * wall-clock time and is parsed as such whatever the host's zone (protocol.md section 1.2, pitfall 1).
 */
export function createKiwoomTokenIssuer(options: KiwoomAuthOptions): TokenIssuer & { close(): Promise<void> } {
  const { clock } = options;
  const transport =
    options.transport ??
    createHttpTransport({
      baseUrl: options.baseUrl,
      clock,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
    });
  const limiter = options.limiter ?? createRateLimiter({ clock, ratePerSecond: 5 });
  // The official client sends only Content-Type on token calls.
  const headers = { 'content-type': 'application/json;charset=UTF-8' };

  // Token calls are not retried here: the token machine owns that policy (and honours retryAfterMs).
  const call = (apiId: string, path: string, body: Record<string, string>) =>
    brokerCall({
      send: () => transport.post(path, headers, body),
      classify: (answer) => classifyKiwoom(answer.status, answer.json),
      fail: (outcome, answer, context) => kiwoomError(apiId, outcome, answer, context),
      brokerWaitMs: kiwoomWaitMs,
      clock,
      limiter,
      waitTimeoutMs: options.waitTimeoutMs ?? 120_000,
      log: options.log ?? silentLog,
      context: { broker: 'kiwoom', apiId },
    }).then((answer) => jsonObjectOf(answer, apiId, { apiId }));

  return {
    async issue(): Promise<IssuedToken> {
      const body = await call('au10001', '/oauth2/token', {
        grant_type: 'client_credentials',
        appkey: options.appkey,
        secretkey: options.secretkey,
      });
      const token = body['token'];
      const expiresDt = body['expires_dt'];
      if (typeof token !== 'string' || token === '') {
        throw new DecodeError('E_DECODE_SHAPE', 'au10001: token: missing required field', { details: { apiId: 'au10001', path: 'token' } });
      }
      const expiresAt = typeof expiresDt === 'string' ? parseKstCompact(expiresDt.trim()) : undefined;
      if (expiresAt === undefined) {
        throw new DecodeError('E_DECODE_VALUE', `au10001: expires_dt: expected YYYYMMDDHHMMSS, got ${JSON.stringify(expiresDt)}`, {
          details: { apiId: 'au10001', path: 'expires_dt' },
        });
      }
      return { token, expiresAt };
    },
    async revoke(token: string): Promise<void> {
      await call('au10002', '/oauth2/revoke', { appkey: options.appkey, secretkey: options.secretkey, token });
    },
    close: () => transport.close(),
  };
}
