import { DecodeError } from '../../core/errors.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import { createBrokerCall, retryPolicy } from '../../net/broker-call.js';
import { clientNet, type RetryingClientOptions } from '../../net/client-options.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { createDriftTracker, type DriftTracker } from './drift.js';
import { KIWOOM_PROTOCOL } from './errors.js';
import type { KiwoomOutcome } from './return-code.js';
import { headerOf, type HttpAnswer, type HttpTransport } from './transport.js';
import type { TrSpec } from './tr-spec.js';

/** Row caps for TRs whose answer is a short list by definition ("top 50"), 10x over. */
export const DEFAULT_MAX_ROWS_BY_TR: Readonly<Record<string, number>> = { ka90003: 500 };

/** Network options (src/net): requestsPerSecond defaults to 5, Kiwoom's published 조회 limit. */
export interface KiwoomRestOptions extends RetryingClientOptions<KiwoomOutcome, HttpTransport> {
  tokens: TokenSource;
  /** Continuation pages followed per call (config kiwoom.maxPages). Default 10. */
  maxPages?: number;
  /** Rows per call, all pages together (E_TOO_MANY_ROWS beyond). Default 20 000. */
  maxRows?: number;
  /** Per-TR row caps, over DEFAULT_MAX_ROWS_BY_TR. */
  maxRowsByTr?: Readonly<Record<string, number>>;
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
  const net = clientNet(options, 5);
  const { transport, log } = net;
  // Retries after a 1700/429 answer: 3 unless configured.
  const call = createBrokerCall(KIWOOM_PROTOCOL, net, retryPolicy(options.tokens, options, 3));
  const maxPagesDefault = options.maxPages ?? 10;
  const rowCaps = { ...DEFAULT_MAX_ROWS_BY_TR, ...options.maxRowsByTr };
  const maxRowsDefault = options.maxRows ?? 20_000;
  const drift = createDriftTracker(log);

  async function fetchPage(apiId: string, path: string, body: unknown, cont: string | undefined): Promise<Page> {
    const answer = await call(apiId, (token) => {
      const headers: Record<string, string> = {
        'content-type': 'application/json;charset=UTF-8',
        'api-id': apiId,
        authorization: `Bearer ${token}`,
      };
      if (cont !== undefined) {
        headers['cont-yn'] = 'Y';
        headers['next-key'] = cont;
      }
      return transport.post(path, headers, body);
    });
    return toPage(apiId, answer);
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
        merged = mergePage(tr, merged, page.body);
        checkRows(tr, merged, rowCaps[tr.apiId] ?? maxRowsDefault);
        drift.check(tr, page.body);
        if (!page.contYn || page.nextKey === '' || tr.listKey === undefined) break;
        if (seen.has(page.nextKey)) {
          stop = 'repeated-key';
          log.warn({ apiId: tr.apiId, pages }, 'kiwoom repeated next-key; stopping');
          break;
        }
        if (pages >= maxPages) {
          stop = 'max-pages';
          // A cap the caller chose (today's row of a history TR) is no news; the config's cap is.
          if (callOptions?.maxPages === undefined) log.warn({ apiId: tr.apiId, pages }, 'kiwoom page cap reached; stopping');
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
  return {
    body: jsonObjectOf(res, apiId, { apiId }),
    receivedAt: res.receivedAt,
    contYn: (headerOf(res.headers, 'cont-yn') ?? '').trim().toUpperCase() === 'Y',
    nextKey: (headerOf(res.headers, 'next-key') ?? '').trim(),
  };
}

/** A list beyond its TR's cap is refused whole: a "top 50" of 10,000 rows is not data to act on. */
function checkRows<Req, Res>(tr: TrSpec<Req, Res>, merged: Record<string, unknown>, maxRows: number): void {
  const rows = tr.listKey === undefined ? undefined : merged[tr.listKey];
  if (!Array.isArray(rows) || rows.length <= maxRows) return;
  throw new DecodeError('E_TOO_MANY_ROWS', `${tr.apiId}: ${rows.length} rows, over the cap of ${maxRows}`, {
    details: { apiId: tr.apiId, rows: rows.length, maxRows },
  });
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
