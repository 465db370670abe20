import type { Clock } from '../../core/clock.js';
import { AuthError, BrokerRejectError, DecodeError, TransientError, type ErrorCode } from '../../core/errors.js';
import type { LogSink } from '../../core/ports/log-sink.js';
import { silentLog } from '../../core/ports/log-sink.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import { createRateLimiter, type RateLimiter } from '../../core/rate-limiter.js';
import { createDriftTracker, type DriftTracker } from './drift.js';
import { classifyKiwoom, type KiwoomOutcome } from './return-code.js';
import { createHttpTransport, headerOf, type HttpAnswer, type HttpTransport } from './transport.js';
import type { TrSpec } from './tr-spec.js';

export interface KiwoomRestOptions {
  /** REST origin: https://api.kiwoom.com, https://mockapi.kiwoom.com or the simulator. */
  baseUrl: string;
  tokens: TokenSource;
  clock: Clock;
  /** Shared limiter for this host + app key; default: a new one at `requestsPerSecond`. */
  limiter?: RateLimiter;
  /** Default 5 (Kiwoom's published 조회 limit). */
  requestsPerSecond?: number;
  /** Added to the limiter's 1 s window to absorb latency jitter between send and arrival. Default 50. */
  rateMarginMs?: number;
  /** Default 10 000. */
  requestTimeoutMs?: number;
  /** Continuation pages followed per call (config kiwoom.maxPages). Default 10. */
  maxPages?: number;
  /** Retries after a 1700/429 answer. Default 3. */
  rateLimitRetries?: number;
  /** First wait after a 1700/429 answer, doubled per retry. Default 1000. */
  rateLimitBackoffMs?: number;
  log?: LogSink;
  /** Use this transport instead of a new undici Pool (tests, sharing). */
  transport?: HttpTransport;
}

export type PageStop = 'end' | 'max-pages' | 'repeated-key';

export interface TrResult<Res> {
  readonly data: Res;
  readonly pages: number;
  /** Why paging stopped: 'end' means the broker said there was no more. */
  readonly stop: PageStop;
  /** When the last page arrived (the transport's stamp): the time of this answer. */
  readonly receivedAt: number;
}

export interface KiwoomRest {
  /** Calls a TR, following cont-yn/next-key pages for list TRs (rows concatenated). */
  call<Req, Res>(tr: TrSpec<Req, Res>, body: Req, options?: { maxPages?: number }): Promise<TrResult<Res>>;
  /** Extra (undocumented) fields seen so far, per `apiId.field`. */
  drift(): DriftTracker;
  close(): Promise<void>;
}

interface Page {
  body: Record<string, unknown>;
  receivedAt: number;
  contYn: boolean;
  nextKey: string;
}

/**
 * The Kiwoom REST client: POST JSON with api-id + Bearer token, paging, the client-side rate limit,
 * and every return_code form mapped to one behaviour (protocol.md section 5).
 */
export function createKiwoomRest(options: KiwoomRestOptions): KiwoomRest {
  const { clock, tokens } = options;
  const log = options.log ?? silentLog;
  const transport =
    options.transport ??
    createHttpTransport({ baseUrl: options.baseUrl, clock, timeoutMs: options.requestTimeoutMs ?? 10_000 });
  const limiter =
    options.limiter ??
    createRateLimiter({ clock, ratePerSecond: options.requestsPerSecond ?? 5, marginMs: options.rateMarginMs ?? 50 });
  const maxPagesDefault = options.maxPages ?? 10;
  const rateRetries = options.rateLimitRetries ?? 3;
  const rateBackoffMs = options.rateLimitBackoffMs ?? 1000;
  const drift = createDriftTracker(log);

  async function fetchPage(apiId: string, path: string, body: unknown, cont: string | undefined): Promise<Page> {
    let authRetried = false;
    let rateRetriesUsed = 0;
    for (;;) {
      const token = await tokens.getToken();
      await limiter.acquire();
      const headers: Record<string, string> = {
        'content-type': 'application/json;charset=UTF-8',
        'api-id': apiId,
        authorization: `Bearer ${token}`,
      };
      if (cont !== undefined) {
        headers['cont-yn'] = 'Y';
        headers['next-key'] = cont;
      }
      const res = await transport.post(path, headers, body);
      const outcome = classifyKiwoom(res.status, res.json);
      if (outcome.kind === 'ok') return toPage(apiId, res);
      if (outcome.kind === 'token' && !authRetried) {
        authRetried = true;
        log.info({ apiId, brokerCode: outcome.code }, 'kiwoom token rejected; refreshing once');
        tokens.invalidate(token, 'rejected');
        continue;
      }
      if (outcome.kind === 'rate' && rateRetriesUsed < rateRetries) {
        const waitMs = rateBackoffMs * 2 ** rateRetriesUsed;
        rateRetriesUsed++;
        log.warn({ apiId, brokerCode: outcome.code, waitMs }, 'kiwoom rate limit hit; waiting');
        limiter.pauseUntil(clock.now() + waitMs);
        continue;
      }
      throw errorFor(apiId, outcome, res);
    }
  }

  return {
    async call<Req, Res>(tr: TrSpec<Req, Res>, body: Req, callOptions?: { maxPages?: number }) {
      const maxPages = tr.listKey === undefined ? 1 : (callOptions?.maxPages ?? maxPagesDefault);
      const seen = new Set<string>();
      let merged: Record<string, unknown> | undefined;
      let pages = 0;
      let cont: string | undefined;
      let stop: PageStop = 'end';
      let receivedAt = 0;
      for (;;) {
        const page = await fetchPage(tr.apiId, tr.path, body, cont);
        pages++;
        receivedAt = page.receivedAt;
        drift.check(tr, page.body);
        merged = mergePage(tr, merged, page.body);
        if (!page.contYn || page.nextKey === '' || tr.listKey === undefined) break;
        if (seen.has(page.nextKey)) {
          stop = 'repeated-key';
          log.warn({ apiId: tr.apiId, pages }, 'kiwoom repeated next-key; stopping');
          break;
        }
        if (pages >= maxPages) {
          stop = 'max-pages';
          log.warn({ apiId: tr.apiId, pages }, 'kiwoom page cap reached; stopping');
          break;
        }
        seen.add(page.nextKey);
        cont = page.nextKey;
      }
      return { data: decode(tr, merged), pages, stop, receivedAt };
    },
    drift: () => drift,
    close: () => transport.close(),
  };
}

function toPage(apiId: string, res: HttpAnswer): Page {
  if (res.json === null || typeof res.json !== 'object' || Array.isArray(res.json)) {
    throw new DecodeError('E_DECODE_JSON', `${apiId}: response body is not a JSON object`, {
      details: { apiId, status: res.status, sample: res.text.slice(0, 80) },
    });
  }
  return {
    body: res.json as Record<string, unknown>,
    receivedAt: res.receivedAt,
    contYn: (headerOf(res.headers, 'cont-yn') ?? '').trim().toUpperCase() === 'Y',
    nextKey: (headerOf(res.headers, 'next-key') ?? '').trim(),
  };
}

function mergePage<Req, Res>(
  tr: TrSpec<Req, Res>,
  merged: Record<string, unknown> | undefined,
  body: Record<string, unknown>,
): Record<string, unknown> {
  if (merged === undefined || tr.listKey === undefined) return { ...body };
  const prev = merged[tr.listKey];
  const next = body[tr.listKey];
  if (Array.isArray(next)) merged[tr.listKey] = Array.isArray(prev) ? prev.concat(next) : next;
  return merged;
}

function decode<Req, Res>(tr: TrSpec<Req, Res>, body: Record<string, unknown> | undefined): Res {
  const parsed = tr.schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue ? issue.path.map(String).join('.') : '';
  const missing = issue !== undefined && valueAt(body, issue.path) === undefined;
  throw new DecodeError(
    missing ? 'E_DECODE_SHAPE' : 'E_DECODE_VALUE',
    `${tr.apiId}: ${path || '(root)'}: ${missing ? 'missing required field' : (issue?.message ?? 'invalid')}`,
    { details: { apiId: tr.apiId, path, issues: parsed.error.issues.length } },
  );
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = body;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function errorFor(apiId: string, outcome: Exclude<KiwoomOutcome, { kind: 'ok' }>, res: HttpAnswer): Error {
  const json = res.json !== null && typeof res.json === 'object' ? (res.json as Record<string, unknown>) : {};
  const brokerMessage = typeof json['return_msg'] === 'string' ? json['return_msg'] : '';
  const details = { apiId, status: res.status, brokerCode: 'code' in outcome ? outcome.code : undefined, brokerMessage };
  const text = `${apiId}: ${brokerMessage || `HTTP ${res.status}`}`;
  switch (outcome.kind) {
    case 'token':
      return new AuthError(tokenCode(outcome.code), `${text} (after one refresh)`, { details });
    case 'rate':
      return new TransientError('E_RATE_LIMITED', text, { details });
    case 'batch':
      return new BrokerRejectError('E_BATCH_LIMIT', text, { details });
    case 'credentials':
      return new AuthError('E_AUTH_CREDENTIALS', text, { details });
    case 'device':
      return new AuthError('E_AUTH_DEVICE', text, { details });
    case 'mode':
      return new AuthError('E_AUTH_MODE', text, { details });
    case 'server':
      return new TransientError('E_HTTP_STATUS', text, { details });
    case 'reject':
      return new BrokerRejectError('E_BROKER_REJECT', text, { details });
  }
}

function tokenCode(code: number): ErrorCode {
  if (code === 8031) return 'E_AUTH_MODE';
  if (code === 8103) return 'E_AUTH_DEVICE';
  return 'E_AUTH_TOKEN';
}
