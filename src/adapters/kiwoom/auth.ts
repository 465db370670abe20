import type { Clock } from '../../core/clock.js';
import { AuthError, BrokerRejectError, DecodeError, TransientError } from '../../core/errors.js';
import { parseKstCompact } from '../../core/kst.js';
import type { IssuedToken, TokenIssuer } from '../../core/ports/token-issuer.js';
import type { RateLimiter } from '../../core/rate-limiter.js';
import { classifyKiwoom } from './return-code.js';
import { createHttpTransport, type HttpAnswer, type HttpTransport } from './transport.js';

export interface KiwoomAuthOptions {
  baseUrl: string;
  appkey: string;
  secretkey: string;
  clock: Clock;
  requestTimeoutMs?: number;
  /** The host's limiter, so token calls count against the same budget. */
  limiter?: RateLimiter;
  transport?: HttpTransport;
}

/**
 * au10001 (issue, POST /oauth2/token) and au10002 (revoke, POST /oauth2/revoke). `expires_dt` is KST
 * wall-clock time and is parsed as such whatever the host's zone (protocol.md section 1.2, pitfall 1).
 */
export function createKiwoomTokenIssuer(options: KiwoomAuthOptions): TokenIssuer & { close(): Promise<void> } {
  const transport =
    options.transport ??
    createHttpTransport({ baseUrl: options.baseUrl, clock: options.clock, timeoutMs: options.requestTimeoutMs ?? 10_000 });
  // The official client sends only Content-Type on token calls.
  const headers = { 'content-type': 'application/json;charset=UTF-8' };

  return {
    async issue(): Promise<IssuedToken> {
      await options.limiter?.acquire();
      const res = await transport.post('/oauth2/token', headers, {
        grant_type: 'client_credentials',
        appkey: options.appkey,
        secretkey: options.secretkey,
      });
      assertOk('au10001', res);
      const body = res.json as Record<string, unknown>;
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
      await options.limiter?.acquire();
      const res = await transport.post('/oauth2/revoke', headers, {
        appkey: options.appkey,
        secretkey: options.secretkey,
        token,
      });
      assertOk('au10002', res);
    },
    close: () => transport.close(),
  };
}

function assertOk(apiId: string, res: HttpAnswer): void {
  const outcome = classifyKiwoom(res.status, res.json);
  if (outcome.kind === 'ok') {
    if (res.json === null || typeof res.json !== 'object') {
      throw new DecodeError('E_DECODE_JSON', `${apiId}: response body is not a JSON object`, { details: { apiId, status: res.status } });
    }
    return;
  }
  const json = (res.json ?? {}) as Record<string, unknown>;
  const brokerMessage = typeof json['return_msg'] === 'string' ? json['return_msg'] : '';
  const details = { apiId, status: res.status, brokerCode: 'code' in outcome ? outcome.code : undefined, brokerMessage };
  const text = `${apiId}: ${brokerMessage || `HTTP ${res.status}`}`;
  switch (outcome.kind) {
    case 'credentials':
      throw new AuthError('E_AUTH_CREDENTIALS', text, { details });
    case 'device':
      throw new AuthError('E_AUTH_DEVICE', text, { details });
    case 'mode':
      throw new AuthError('E_AUTH_MODE', text, { details });
    case 'rate':
      throw new TransientError('E_RATE_LIMITED', text, { details: { ...details, retryAfterMs: 1000 } });
    case 'server':
      throw new TransientError('E_HTTP_STATUS', text, { details });
    case 'token':
      // A token error on the token endpoint itself (8005 on revoke): the token is gone either way.
      throw new AuthError('E_AUTH_TOKEN', text, { details });
    case 'batch':
    case 'reject':
      throw new BrokerRejectError('E_BROKER_REJECT', text, { details });
  }
}
