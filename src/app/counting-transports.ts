import type { KisTransport } from '../adapters/kis/transport.js';
import { classifyKis } from '../adapters/kis/outcome.js';
import { classifyKiwoom } from '../adapters/kiwoom/return-code.js';
import type { HttpTransport } from '../adapters/kiwoom/transport.js';

/** Rate-limit answers seen per broker (Kiwoom 1700 or HTTP 429, KIS EGW00201), for /metrics. */
export interface RateLimitCounts {
  kiwoom: number;
  kis: number;
}

export function countingKiwoomTransport(inner: HttpTransport, counts: RateLimitCounts): HttpTransport {
  return {
    async post(path, headers, body) {
      const res = await inner.post(path, headers, body);
      if (classifyKiwoom(res.status, res.json).kind === 'rate') counts.kiwoom++;
      return res;
    },
    close: () => inner.close(),
  };
}

export function countingKisTransport(inner: KisTransport, counts: RateLimitCounts): KisTransport {
  return {
    async get(path, query, headers) {
      const res = await inner.get(path, query, headers);
      if (classifyKis(res.status, res.json).kind === 'rate') counts.kis++;
      return res;
    },
    post: (path, headers, body) => inner.post(path, headers, body),
    close: () => inner.close(),
  };
}
