import { z } from 'zod';
import { DecodeError } from '../../core/errors.js';
import type { WatchlistGroup } from '../../core/market.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import { createBrokerCall, retryPolicy } from '../../net/broker-call.js';
import { clientNet, type RetryingClientOptions } from '../../net/client-options.js';
import { jsonObjectOf } from '../../net/json-object.js';
import { kisProtocol } from './errors.js';
import { defaultKisRate, KIS_MIN_ISSUE_INTERVAL_MS } from './limits.js';
import type { KisOutcome } from './outcome.js';
import type { KisTransport } from './transport.js';

export { defaultKisRate } from './limits.js';

export const KIS_PATHS = {
  groupList: '/uapi/domestic-stock/v1/quotations/intstock-grouplist',
  stockList: '/uapi/domestic-stock/v1/quotations/intstock-stocklist-by-group',
} as const;

export const KIS_TR = { groupList: 'HHKCM113004C7', stockList: 'HHKCM113004C6' } as const;

/**
 * Network options (src/net): requestsPerSecond defaults to defaultKisRate(baseUrl); 2 retries after
 * EGW00201 unless configured (the official backtester waits 61 s).
 */
export interface KisWatchlistOptions extends RetryingClientOptions<KisOutcome, KisTransport> {
  appkey: string;
  appsecret: string;
  /** HTS ID (USER_ID). */
  htsId: string;
  custtype?: 'P' | 'B';
  tokens: TokenSource;
  /** Rows per answer list (groups, or stocks in a group); E_TOO_MANY_ROWS beyond. Default 2 000. */
  maxRows?: number;
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
  const net = clientNet(options, defaultKisRate(options.baseUrl));
  const { transport } = net;
  const call = createBrokerCall(kisProtocol(KIS_MIN_ISSUE_INTERVAL_MS), net, retryPolicy(options.tokens, options, 2));
  const maxRows = options.maxRows ?? 2000;

  let lastReceivedAt = 0;

  async function get(trId: string, path: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const answer = await call(trId, (token) =>
      transport.get(path, query, {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${token}`,
        appkey: options.appkey,
        appsecret: options.appsecret,
        tr_id: trId,
        custtype: options.custtype ?? 'P',
      }),
    );
    lastReceivedAt = answer.receivedAt;
    return jsonObjectOf(answer, `kis ${trId}`, { trId });
  }

  const groups = async (): Promise<KisGroup[]> => {
    const body = await get(KIS_TR.groupList, KIS_PATHS.groupList, { TYPE: '1', FID_ETC_CLS_CODE: '00', USER_ID: options.htsId });
    const rows = decode(KIS_TR.groupList, groupListBody, checkRows(KIS_TR.groupList, body, maxRows)).output2;
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
    const rows = decode(KIS_TR.stockList, stockListBody, checkRows(KIS_TR.stockList, body, maxRows)).output2;
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

/** A list beyond the cap is refused whole (before decoding it), never trimmed into a plausible watchlist. */
function checkRows(trId: string, body: Record<string, unknown>, maxRows: number): Record<string, unknown> {
  const rows = body['output2'];
  if (!Array.isArray(rows) || rows.length <= maxRows) return body;
  throw new DecodeError('E_TOO_MANY_ROWS', `kis ${trId}: ${rows.length} rows, over the cap of ${maxRows}`, {
    details: { trId, rows: rows.length, maxRows },
  });
}
