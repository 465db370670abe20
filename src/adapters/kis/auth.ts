import { DecodeError } from '../../core/errors.js';
import { parseKstDashed } from '../../core/kst.js';
import type { IssuedToken, TokenIssuer } from '../../core/ports/token-issuer.js';
import { createBrokerCall } from '../../net/broker-call.js';
import { clientNet, type NetClientOptions } from '../../net/client-options.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { kisProtocol } from './errors.js';
import { defaultKisRate, KIS_MIN_ISSUE_INTERVAL_MS } from './limits.js';
import type { KisTransport } from './transport.js';

export { KIS_MIN_ISSUE_INTERVAL_MS } from './limits.js';

export interface KisAuthOptions extends NetClientOptions<KisTransport> {
  appkey: string;
  appsecret: string;
  /** How long to wait after EGW00133 (default KIS_MIN_ISSUE_INTERVAL_MS). */
  throttleWaitMs?: number;
}

/**
 * POST /oauth2/tokenP and /oauth2/revokeP. Expiry comes from `access_token_token_expired`
 * (`YYYY-MM-DD HH:MM:SS`, KST), else from `expires_in` seconds. Token calls draw from the host's
 * limiter but are not retried here: the token machine owns that (and honours retryAfterMs).
 */
export function createKisTokenIssuer(options: KisAuthOptions): TokenIssuer & { close(): Promise<void> } {
  const net = clientNet(options, defaultKisRate(options.baseUrl));
  const call = createBrokerCall(kisProtocol(options.throttleWaitMs ?? KIS_MIN_ISSUE_INTERVAL_MS), net);
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  const post = (endpoint: string, body: Record<string, string>) => call(endpoint, () => net.transport.post(`/oauth2/${endpoint}`, headers, body));

  return {
    async issue(): Promise<IssuedToken> {
      const answer = await post('tokenP', { grant_type: 'client_credentials', appkey: options.appkey, appsecret: options.appsecret });
      const body = jsonObjectOf(answer, 'kis tokenP', { api: 'tokenP' });
      const token = body['access_token'];
      if (typeof token !== 'string' || token === '') {
        throw new DecodeError('E_DECODE_SHAPE', 'tokenP: access_token: missing required field', { details: { path: 'access_token' } });
      }
      const dashed = body['access_token_token_expired'];
      let expiresAt = typeof dashed === 'string' ? parseKstDashed(dashed.trim()) : undefined;
      const expiresIn = Number(body['expires_in']);
      if (expiresAt === undefined && Number.isFinite(expiresIn) && expiresIn > 0) expiresAt = options.clock.now() + expiresIn * 1000;
      if (expiresAt === undefined) {
        throw new DecodeError('E_DECODE_VALUE', 'tokenP: no readable access_token_token_expired or expires_in', {
          details: { path: 'access_token_token_expired' },
        });
      }
      return { token, expiresAt };
    },
    async revoke(token: string): Promise<void> {
      await post('revokeP', { appkey: options.appkey, appsecret: options.appsecret, token });
    },
    close: () => net.transport.close(),
  };
}
