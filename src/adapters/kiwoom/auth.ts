import { DecodeError } from '../../core/errors.js';
import { parseKstCompact } from '../../core/kst.js';
import type { IssuedToken, TokenIssuer } from '../../core/ports/token-issuer.js';
import { createBrokerCall } from '../../net/broker-call.js';
import { clientNet, type NetClientOptions } from '../../net/client-options.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { KIWOOM_PROTOCOL } from './errors.js';
import type { HttpTransport } from './transport.js';

export interface KiwoomAuthOptions extends NetClientOptions<HttpTransport> {
  appkey: string;
  secretkey: string;
}

/**
 * au10001 (issue, POST /oauth2/token) and au10002 (revoke, POST /oauth2/revoke). `expires_dt` is KST
 * wall-clock time and is parsed as such whatever the host's zone (protocol.md section 1.2, pitfall 1).
 * Token calls draw from the host's limiter but are not retried here: the token machine owns that.
 */
export function createKiwoomTokenIssuer(options: KiwoomAuthOptions): TokenIssuer & { close(): Promise<void> } {
  const net = clientNet(options, 5);
  const call = createBrokerCall(KIWOOM_PROTOCOL, net);
  // The official client sends only Content-Type on token calls.
  const headers = { 'content-type': 'application/json;charset=UTF-8' };
  const post = async (apiId: string, path: string, body: Record<string, string>) =>
    jsonObjectOf(await call(apiId, () => net.transport.post(path, headers, body)), apiId, { apiId });

  return {
    async issue(): Promise<IssuedToken> {
      const body = await post('au10001', '/oauth2/token', {
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
      await post('au10002', '/oauth2/revoke', { appkey: options.appkey, secretkey: options.secretkey, token });
    },
    close: () => net.transport.close(),
  };
}
