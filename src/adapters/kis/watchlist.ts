import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { AuthError, BrokerRejectError, DecodeError, TransientError } from '../../core/errors.js';
import type { WatchlistGroup } from '../../core/market.js';
import type { LogSink } from '../../core/ports/log-sink.js';
import { silentLog } from '../../core/ports/log-sink.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import { createRateLimiter, type RateLimiter } from '../../core/rate-limiter.js';
import { classifyKis, kisMessage, type KisOutcome } from './outcome.js';
import { createKisTransport, type HttpAnswer, type KisTransport } from './transport.js';

export const KIS_PATHS = {
  groupList: '/uapi/domestic-stock/v1/quotations/intstock-grouplist',
  stockList: '/uapi/domestic-stock/v1/quotations/intstock-stocklist-by-group',
} as const;

export const KIS_TR = { groupList: 'HHKCM113004C7', stockList: 'HHKCM113004C6' } as const;

/** KIS REST limits: 20 req/s on the real host, 2 req/s on the mock host (openapivts). */
export function defaultKisRate(baseUrl: string): number {
  return /openapivts/i.test(baseUrl) ? 2 : 20;
}

export interface KisWatchlistOptions {
  baseUrl: string;
  appkey: string;
  appsecret: string;
  /** HTS ID (USER_ID). */
  htsId: string;
  custtype?: 'P' | 'B';
  tokens: TokenSource;
  clock: Clock;
  limiter?: RateLimiter;
  /** Default: defaultKisRate(baseUrl). */
  requestsPerSecond?: number;
  /** Added to the limiter's 1 s window to absorb latency jitter. Default 50. */
  rateMarginMs?: number;
  requestTimeoutMs?: number;
  /** Retries after EGW00201. Default 2. */
  rateLimitRetries?: number;
  /** First wait after EGW00201, doubled per retry. Default 1000 (the official backtester waits 61 s). */
  rateLimitBackoffMs?: number;
  log?: LogSink;
  transport?: KisTransport;
}

const text = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const optText = text.optional();

const groupRow = z.object({
  inter_grp_code: text.refine((s) => s !== '', 'expected a group code'),
  inter_grp_name: text,
  data_rank: optText,
  ask_cnt: optText,
  date: optText,
  trnm_hour: optText,
});
const groupListBody = z.object({ output2: z.array(groupRow).default([]) });

const stockRow = z.object({
  jong_code: text,
  hts_kor_isnm: optText,
  fid_mrkt_cls_code: optText,
  exch_code: optText,
  data_rank: optText,
});
const stockListBody = z.object({
  output1: z.object({ inter_grp_name: optText, data_rank: optText }).optional(),
  output2: z.array(stockRow).default([]),
});

export interface KisGroup {
  readonly code: string;
  readonly name: string;
}

export interface KisStock {
  readonly code: string;
  readonly name: string;
  /** fid_mrkt_cls_code (J = KRX, NX = NXT in the sibling quote API). */
  readonly market: string;
}

/** The followed groups, stamped with when the last answer arrived. */
export interface WatchlistSnapshot {
  readonly groups: WatchlistGroup[];
  readonly receivedAt: number;
}

export interface KisWatchlist {
  /** ① 관심종목 그룹조회. */
  groups(): Promise<KisGroup[]>;
  /** ② 관심종목 그룹별 종목조회. */
  stocks(group: KisGroup): Promise<KisStock[]>;
  /** Every group (or those in `codes`) with its symbols, as core WatchlistGroups. */
  fetchWatchlist(codes?: readonly string[]): Promise<WatchlistSnapshot>;
  close(): Promise<void>;
}

/** The KIS watchlist client (real host only: the mock host does not offer these endpoints). */
export function createKisWatchlist(options: KisWatchlistOptions): KisWatchlist {
  const { clock, tokens } = options;
  const log = options.log ?? silentLog;
  const transport =
    options.transport ??
    createKisTransport({ baseUrl: options.baseUrl, clock, timeoutMs: options.requestTimeoutMs ?? 10_000 });
  const limiter =
    options.limiter ??
    createRateLimiter({
      clock,
      ratePerSecond: options.requestsPerSecond ?? defaultKisRate(options.baseUrl),
      marginMs: options.rateMarginMs ?? 50,
    });
  const rateRetries = options.rateLimitRetries ?? 2;
  const rateBackoffMs = options.rateLimitBackoffMs ?? 1000;

  let lastReceivedAt = 0;

  async function get(trId: string, path: string, query: Record<string, string>): Promise<unknown> {
    let authRetried = false;
    let rateUsed = 0;
    for (;;) {
      const token = await tokens.getToken();
      await limiter.acquire();
      const res = await transport.get(path, query, {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${token}`,
        appkey: options.appkey,
        appsecret: options.appsecret,
        tr_id: trId,
        custtype: options.custtype ?? 'P',
      });
      const outcome = classifyKis(res.status, res.json);
      lastReceivedAt = res.receivedAt;
      if (outcome.kind === 'ok') {
        if (res.json === null || typeof res.json !== 'object') {
          throw new DecodeError('E_DECODE_JSON', `kis ${trId}: response body is not a JSON object`, { details: { trId } });
        }
        return res.json;
      }
      if (outcome.kind === 'token' && !authRetried) {
        authRetried = true;
        log.info({ trId, brokerCode: outcome.code }, 'kis token rejected; refreshing once');
        tokens.invalidate(token, 'rejected');
        continue;
      }
      if (outcome.kind === 'rate' && rateUsed < rateRetries) {
        const waitMs = rateBackoffMs * 2 ** rateUsed;
        rateUsed++;
        log.warn({ trId, brokerCode: outcome.code, waitMs }, 'kis rate limit hit; waiting');
        limiter.pauseUntil(clock.now() + waitMs);
        continue;
      }
      throw errorFor(trId, outcome, res);
    }
  }

  const groups = async (): Promise<KisGroup[]> => {
    const body = await get(KIS_TR.groupList, KIS_PATHS.groupList, { TYPE: '1', FID_ETC_CLS_CODE: '00', USER_ID: options.htsId });
    const rows = decode(KIS_TR.groupList, groupListBody, body).output2;
    return rows.map((r) => ({ code: r.inter_grp_code, name: r.inter_grp_name }));
  };

  const stocks = async (group: KisGroup): Promise<KisStock[]> => {
    const body = await get(KIS_TR.stockList, KIS_PATHS.stockList, {
      TYPE: '1',
      USER_ID: options.htsId,
      DATA_RANK: '',
      INTER_GRP_CODE: group.code,
      INTER_GRP_NAME: '',
      HTS_KOR_ISNM: '',
      CNTG_CLS_CODE: '',
      FID_ETC_CLS_CODE: '4',
    });
    const rows = decode(KIS_TR.stockList, stockListBody, body).output2;
    return rows
      .filter((r) => r.jong_code !== '')
      .map((r) => ({ code: r.jong_code, name: r.hts_kor_isnm ?? '', market: r.fid_mrkt_cls_code ?? '' }));
  };

  return {
    groups,
    stocks,
    async fetchWatchlist(codes) {
      const wanted = codes && codes.length > 0 ? new Set(codes) : undefined;
      const out: WatchlistGroup[] = [];
      for (const g of await groups()) {
        if (wanted && !wanted.has(g.code)) continue;
        const symbols = [...new Set((await stocks(g)).map((s) => s.code))];
        out.push({ code: g.code, name: g.name, symbols });
      }
      return { groups: out, receivedAt: lastReceivedAt };
    },
    close: () => transport.close(),
  };
}

function decode<S extends z.ZodType>(trId: string, schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue ? issue.path.map(String).join('.') : '';
  throw new DecodeError('E_DECODE_SHAPE', `kis ${trId}: ${path || '(root)'}: ${issue?.message ?? 'invalid'}`, {
    details: { trId, path },
  });
}

function errorFor(trId: string, outcome: Exclude<KisOutcome, { kind: 'ok' }>, res: HttpAnswer): Error {
  const { message } = kisMessage(res.json);
  const details = { trId, status: res.status, brokerCode: outcome.code, brokerMessage: message };
  const msg = `kis ${trId}: ${outcome.code} ${message}`.trim();
  switch (outcome.kind) {
    case 'token':
      return new AuthError('E_AUTH_TOKEN', `${msg} (after one refresh)`, { details });
    case 'rate':
      return new TransientError('E_RATE_LIMITED', msg, { details });
    case 'throttle':
      return new TransientError('E_TOKEN_THROTTLED', msg, { details });
    case 'credentials':
      return new AuthError('E_AUTH_CREDENTIALS', msg, { details });
    case 'mode':
      return new AuthError('E_AUTH_MODE', msg, { details });
    case 'server':
      return new TransientError('E_HTTP_STATUS', msg, { details });
    case 'reject':
      return new BrokerRejectError('E_BROKER_REJECT', msg, { details });
  }
}
