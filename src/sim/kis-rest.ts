import type { IncomingMessage } from 'node:http';
import { formatKstDashed, formatKstDate } from '../core/kst.js';
import type { SimContext } from './context.js';
import { bump } from './counters.js';
import { header, parseObject, type JsonReply } from './http-util.js';

const KIS_LIFETIME_MS = 24 * 3600_000;
const GROUPLIST = '/uapi/domestic-stock/v1/quotations/intstock-grouplist';
const STOCKLIST = '/uapi/domestic-stock/v1/quotations/intstock-stocklist-by-group';
const HOLIDAY = '/uapi/domestic-stock/v1/quotations/chk-holiday';
const TR_BY_PATH: Readonly<Record<string, string>> = { [GROUPLIST]: 'HHKCM113004C7', [STOCKLIST]: 'HHKCM113004C6', [HOLIDAY]: 'CTCA0903R' };
/** Rows of one CTCA0903R answer (the real one answers a few weeks from BASS_DT). */
const HOLIDAY_ROWS = 30;

export function isKisPath(path: string): boolean {
  return path === '/oauth2/tokenP' || path === '/oauth2/revokeP' || path.startsWith('/uapi/');
}

const gwError = (status: number, code: string, description: string): JsonReply => ({ status, body: { error_code: code, error_description: description } });
const rtError = (status: number, msgCd: string, msg1: string, trId = ''): JsonReply => ({
  status,
  body: { rt_cd: '1', msg_cd: msgCd, msg1 },
  headers: trId === '' ? {} : { tr_id: trId },
});

/** Routes one KIS REST request (body already read). */
export function handleKis(ctx: SimContext, req: IncomingMessage, path: string, query: URLSearchParams, bodyText: string): JsonReply {
  if (path === '/oauth2/tokenP') return req.method === 'POST' ? issueToken(ctx, bodyText) : gwError(405, 'EGW00002', '허용되지 않는 메서드입니다.');
  if (path === '/oauth2/revokeP') return req.method === 'POST' ? revokeToken(ctx, bodyText) : gwError(405, 'EGW00002', '허용되지 않는 메서드입니다.');
  return handleQuery(ctx, req, path, query);
}

function appsecretMatches(ctx: SimContext, appkey: unknown, appsecret: unknown): 'ok' | 'key' | 'secret' {
  const pair = ctx.opts.kisCredentials.find((c) => c.appkey === appkey);
  if (pair === undefined) return 'key';
  return pair.appsecret === appsecret ? 'ok' : 'secret';
}

/** `/oauth2/tokenP`: 24 h tokens, the same token within 6 h, one request a minute per appkey. */
function issueToken(ctx: SimContext, bodyText: string): JsonReply {
  const body = parseObject(bodyText);
  if (body === undefined || body.grant_type !== 'client_credentials') {
    ctx.counters.kisTokenErrors++;
    return gwError(403, 'EGW00205', 'grant_type이 유효하지 않습니다.');
  }
  const check = appsecretMatches(ctx, body.appkey, body.appsecret);
  if (check === 'key') {
    ctx.counters.kisTokenErrors++;
    return gwError(403, 'EGW00103', '유효하지 않은 AppKey입니다.');
  }
  if (check === 'secret') {
    ctx.counters.kisTokenErrors++;
    return gwError(403, 'EGW00105', '유효하지 않은 AppSecret입니다.');
  }
  const appkey = body.appkey as string;
  const now = ctx.clock.now();
  const last = ctx.kisLastTokenRequest.get(appkey);
  if (last !== undefined && now - last < ctx.opts.kisTokenMinIntervalMs) {
    ctx.counters.rateLimitHits.kisToken++;
    return gwError(403, 'EGW00133', '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)');
  }
  ctx.kisLastTokenRequest.set(appkey, now);
  let rec = ctx.kisTokens.latestFor(appkey);
  if (ctx.kisTokens.isValid(rec, now) && now - rec.issuedAt < ctx.opts.kisTokenReuseMs) {
    ctx.counters.kisTokenReuses++;
  } else {
    rec = ctx.kisTokens.issue(appkey, now, KIS_LIFETIME_MS);
    ctx.counters.tokenIssuances.kis++;
    ctx.log('info', { expiresAt: rec.expiresAt }, 'kis token issued');
  }
  return {
    status: 200,
    body: {
      access_token: rec.token,
      access_token_token_expired: formatKstDashed(rec.expiresAt),
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.floor((rec.expiresAt - now) / 1000)),
    },
  };
}

/** `/oauth2/revokeP` ([U] response shape; a third-party client checks `code` 200). */
function revokeToken(ctx: SimContext, bodyText: string): JsonReply {
  const body = parseObject(bodyText) ?? {};
  if (appsecretMatches(ctx, body.appkey, body.appsecret) !== 'ok') return gwError(403, 'EGW00103', '유효하지 않은 AppKey입니다.');
  const token = typeof body.token === 'string' ? body.token : '';
  const rec = ctx.kisTokens.find(token);
  if (rec === undefined || rec.appkey !== body.appkey || !ctx.kisTokens.revoke(token)) {
    return gwError(403, 'EGW00121', '유효하지 않은 token 입니다.');
  }
  ctx.counters.tokenRevocations.kis++;
  return { status: 200, body: { code: 200, message: '접근토큰 폐기에 성공하였습니다' } };
}

const REQUIRED_HEADERS = ['authorization', 'appkey', 'appsecret', 'tr_id', 'custtype'] as const;

function handleQuery(ctx: SimContext, req: IncomingMessage, path: string, query: URLSearchParams): JsonReply {
  const expectedTr = TR_BY_PATH[path];
  if (expectedTr === undefined) return rtError(404, 'EGW00001', '존재하지 않는 API입니다.');
  if (req.method !== 'GET') return rtError(405, 'EGW00002', '허용되지 않는 메서드입니다.');
  const trId = header(req, 'tr_id') ?? '';
  if (trId !== '') bump(ctx.counters.requestsByTrId, trId);
  // Missing-header and wrong-tr_id codes are [U]; the sim answers them in the rt_cd/msg_cd shape.
  for (const h of REQUIRED_HEADERS) {
    const v = header(req, h);
    if (v === undefined || v === '') return rtError(500, 'EGW00002', `필수 헤더 누락: ${h}`, trId);
  }
  if (trId !== expectedTr) return rtError(500, 'EGW00004', `유효하지 않은 tr_id 입니다: ${trId}`, trId);
  const custtype = header(req, 'custtype');
  if (custtype !== 'P' && custtype !== 'B') return rtError(500, 'EGW00003', 'custtype이 유효하지 않습니다.', trId);

  const m = /^Bearer\s+(\S+)$/.exec(header(req, 'authorization') ?? '');
  const now = ctx.clock.now();
  const rec = ctx.kisTokens.find(m?.[1] ?? '');
  if (rec === undefined || rec.revoked) return rtError(200, 'EGW00121', '유효하지 않은 token 입니다.', trId);
  if (!ctx.kisTokens.isValid(rec, now)) return rtError(200, 'EGW00123', '기간이 만료된 token 입니다.', trId);
  if (rec.appkey !== header(req, 'appkey') || appsecretMatches(ctx, header(req, 'appkey'), header(req, 'appsecret')) !== 'ok') {
    return rtError(500, 'EGW00103', '유효하지 않은 AppKey입니다.', trId);
  }
  if (!ctx.kisRate.tryAcquire(rec.appkey, now)) {
    ctx.counters.rateLimitHits.kis++;
    return rtError(500, 'EGW00201', '초당 거래건수를 초과하였습니다.', trId);
  }
  if (path === HOLIDAY) return holidays(ctx, query, trId);
  return path === GROUPLIST ? groupList(ctx, query, trId, now) : stockList(ctx, query, trId);
}

/** 국내휴장일조회: one row per date from BASS_DT; `opnd_yn` N on weekends and `closedDays`, `tr_day_yn` Y on Saturdays. */
function holidays(ctx: SimContext, query: URLSearchParams, trId: string): JsonReply {
  const missing = missingParam(query, ['BASS_DT', 'CTX_AREA_NK', 'CTX_AREA_FK']);
  if (missing !== undefined) return badParam(trId, missing);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(query.get('BASS_DT') ?? '');
  const first = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(first) || new Date(first).getUTCDate() !== Number(m[3])) return badParam(trId, 'BASS_DT');
  const output = Array.from({ length: HOLIDAY_ROWS }, (_, i) => {
    const day = new Date(first + i * 86_400_000);
    const iso = day.toISOString().slice(0, 10);
    const weekday = day.getUTCDay();
    const open = weekday !== 0 && weekday !== 6 && !ctx.opts.closedDays.has(iso);
    const yn = (b: boolean): string => (b ? 'Y' : 'N');
    return { bass_dt: iso.replaceAll('-', ''), wday_dvsn_cd: String(weekday + 1).padStart(2, '0'), bzdy_yn: yn(open), tr_day_yn: yn(weekday !== 0), opnd_yn: yn(open), sttl_day_yn: yn(open) };
  });
  return { status: 200, body: { output, rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.' }, headers: { tr_id: trId, tr_cont: '' } };
}

function missingParam(query: URLSearchParams, names: readonly string[]): string | undefined {
  return names.find((n) => !query.has(n));
}

const ok = (trId: string, body: Record<string, unknown>): JsonReply => ({
  status: 200,
  body: { ...body, rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.' },
  headers: { tr_id: trId, tr_cont: '' },
});

function badParam(trId: string, name: string): JsonReply {
  return rtError(200, 'OPSQ2001', `ERROR INPUT FIELD NOT FOUND [${name}]`, trId);
}

function groupList(ctx: SimContext, query: URLSearchParams, trId: string, now: number): JsonReply {
  const missing = missingParam(query, ['TYPE', 'FID_ETC_CLS_CODE', 'USER_ID']);
  if (missing !== undefined) return badParam(trId, missing);
  if (query.get('TYPE') !== '1') return badParam(trId, 'TYPE');
  if (query.get('USER_ID') === '') return badParam(trId, 'USER_ID');
  const date = formatKstDate(now);
  const hhmmss = formatKstDashed(now).slice(11).replaceAll(':', '');
  const output2 = ctx.watchlists.list().map((g, i) => ({
    date,
    trnm_hour: hhmmss,
    data_rank: String(i + 1).padStart(10, '0'),
    inter_grp_code: g.code,
    inter_grp_name: g.name,
    ask_cnt: String(g.stocks.length),
  }));
  return ok(trId, { output2 });
}

function stockList(ctx: SimContext, query: URLSearchParams, trId: string): JsonReply {
  const missing = missingParam(query, ['TYPE', 'USER_ID', 'DATA_RANK', 'INTER_GRP_CODE', 'INTER_GRP_NAME', 'HTS_KOR_ISNM', 'CNTG_CLS_CODE', 'FID_ETC_CLS_CODE']);
  if (missing !== undefined) return badParam(trId, missing);
  if (query.get('TYPE') !== '1') return badParam(trId, 'TYPE');
  const group = ctx.watchlists.get(query.get('INTER_GRP_CODE') ?? '');
  const stocks = group?.stocks ?? [];
  const output2 = stocks.map((code, i) => {
    const s = ctx.market.byCode.get(code);
    return {
      fid_mrkt_cls_code: 'J',
      data_rank: String(i + 1).padStart(10, '0'),
      exch_code: 'KRX',
      jong_code: code,
      color_code: '000000000',
      memo: '',
      hts_kor_isnm: s?.name ?? '',
      fxdt_ntby_qty: '0',
      cntg_unpr: String(s?.price ?? 0),
      cntg_cls_code: '',
    };
  });
  return ok(trId, { output1: { data_rank: String(stocks.length).padStart(10, '0'), inter_grp_name: group?.name ?? '' }, output2 });
}
