import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { createHttpPoster } from './http-post.js';
import type { NotifyItem, SinkClient } from './types.js';
import { withBaseUrl } from './with-base-url.js';

export interface WebhookSinkOptions {
  readonly name: string;
  readonly url: string;
  readonly baseUrl?: string | undefined;
  /** Signs each body: `X-Krx-Signature: sha256=<hex HMAC-SHA256(key, raw body)>`. */
  readonly hmacKey: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Most items per request. */
  readonly batchMax: number;
}

export const SIGNATURE_HEADER = 'x-krx-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * A generic JSON webhook for users' own services. The body is
 * `{ "type": "krx-signals.notification", "version": 1, "sentAt": <epoch ms>, "items": [...] }`, each
 * item `{ kind, id, replay, signal | alert | digest }`; the receiver dedupes by item `id`. Headers:
 * `X-Krx-Signature: sha256=<hex>` over the exact body bytes, `Idempotency-Key` (a hash of the ids).
 */
export function createWebhookSink(o: WebhookSinkOptions): SinkClient {
  const poster = createHttpPoster({ url: withBaseUrl(o.url, o.baseUrl), clock: o.clock, timeoutMs: o.timeoutMs, secrets: [o.hmacKey] });
  return {
    name: o.name,
    type: 'webhook',
    compose: (items, _ctx, sentAt) => {
      const chosen = items.slice(0, o.batchMax);
      const body = JSON.stringify({ type: 'krx-signals.notification', version: 1, sentAt, items: chosen.map(itemJson) });
      return {
        count: chosen.length,
        body,
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signBody(o.hmacKey, body),
          [IDEMPOTENCY_HEADER]: createHash('sha256').update(chosen.map((i) => i.id).join('\n')).digest('hex').slice(0, 32),
        },
      };
    },
    send: (m) => poster.post(m.body, m.headers),
    close: () => poster.close(),
  };
}

/** `sha256=` + hex HMAC-SHA256 of the body bytes: what a receiver recomputes and compares in constant time. */
export function signBody(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

function itemJson(item: NotifyItem): Record<string, unknown> {
  const { kind, id, replay } = item;
  if (item.kind === 'signal') return { kind, id, replay, signal: item.signal };
  if (item.kind === 'alert') return { kind, id, replay, alert: item.alert };
  return { kind, id, replay, digest: item.digest };
}
