import type { IncomingMessage } from 'node:http';
import { formatKstCompact } from '../core/kst.js';
import type { SimContext } from './context.js';
import { bump } from './counters.js';
import { header, parseObject, type JsonReply } from './http-util.js';
import { restTokenReject } from './token-reject.js';
import { TR_SPECS, type SimTr } from './trs/index.js';

const OK_MSG = '정상적으로 처리되었습니다';

/** Kiwoom REST paths served by the simulator. */
export const KIWOOM_PATHS = ['/oauth2/token', '/oauth2/revoke', '/api/dostk/stkinfo', '/api/dostk/mrkcond', '/api/dostk/sect'];

export function isKiwoomPath(path: string): boolean {
  return KIWOOM_PATHS.includes(path) || path.startsWith('/api/dostk/');
}

function err(returnCode: number, msg: string, apiId = '', status = 200): JsonReply {
  return { status, body: { return_code: returnCode, return_msg: msg }, headers: trHeaders(apiId, 'N', '') };
}

function trHeaders(apiId: string, contYn: string, nextKey: string): Record<string, string> {
  return { 'api-id': apiId, 'cont-yn': contYn, 'next-key': nextKey };
}

/** Arrival times (sim clock) of the last second's Kiwoom REST requests, per app key (or token). */
const arrivals = new WeakMap<SimContext, Map<string, number[]>>();

/** Counts the request in its key's sliding second and keeps the peak (counters.kiwoomPeakPerSecond). */
function countArrival(ctx: SimContext, req: IncomingMessage, bodyText: string): void {
  const byKey = arrivals.get(ctx) ?? new Map<string, number[]>();
  arrivals.set(ctx, byKey);
  const auth = header(req, 'authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  const appkey = (bearer !== undefined ? ctx.kiwoomTokens.find(bearer)?.appkey : undefined) ?? (parseObject(bodyText)?.appkey as string | undefined) ?? '?';
  const now = ctx.clock.now();
  const list = (byKey.get(appkey) ?? []).filter((t) => t > now - 1000);
  list.push(now);
  byKey.set(appkey, list);
  const peak = ctx.counters.kiwoomPeakPerSecond;
  peak[appkey] = Math.max(peak[appkey] ?? 0, list.length);
}

/** Routes one Kiwoom REST request (body already read). */
export function handleKiwoom(ctx: SimContext, req: IncomingMessage, path: string, bodyText: string): JsonReply {
  if (req.method !== 'POST') return { status: 405, body: { return_code: 2, return_msg: 'POST만 지원합니다' } };
  countArrival(ctx, req, bodyText);
  if (path === '/oauth2/token') return issueToken(ctx, bodyText);
  if (path === '/oauth2/revoke') return revokeToken(ctx, bodyText);
  return handleTr(ctx, req, path, bodyText);
}

function credentialError(ctx: SimContext, body: Record<string, unknown>): JsonReply | undefined {
  const { appkey, secretkey } = body;
  if (typeof appkey !== 'string' || appkey === '' || typeof secretkey !== 'string' || secretkey === '') {
    return err(3, '입력 값이 없습니다[8020:appkey 또는 secretkey가 입력되지 않았습니다]');
  }
  const pair = ctx.opts.kiwoomCredentials.find((c) => c.appkey === appkey);
  if (pair === undefined || ctx.opts.disabledKiwoomKeys.has(appkey)) return err(3, '인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다.]');
  if (pair.secretkey !== secretkey) return err(3, '인증에 실패했습니다[8002:App Key와 Secret Key 검증에 실패했습니다.]');
  return undefined;
}

/** au10001 */
function issueToken(ctx: SimContext, bodyText: string): JsonReply {
  const body = parseObject(bodyText);
  if (body === undefined) return err(2, '입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다.]');
  if (body.grant_type === undefined || body.grant_type === '') return err(3, '입력 값이 없습니다[8011:grant_type이 입력되지 않았습니다]');
  if (body.grant_type !== 'client_credentials') return err(3, '입력 값 오류입니다[8012:grant_type 값이 올바르지 않습니다]');
  const bad = credentialError(ctx, body);
  if (bad !== undefined) return bad;
  const now = ctx.clock.now();
  const rec = ctx.kiwoomTokens.issue(body.appkey as string, now, ctx.opts.tokenLifetimeMs);
  ctx.counters.tokenIssuances.kiwoom++;
  ctx.log('info', { expiresAt: rec.expiresAt }, 'kiwoom token issued');
  return {
    status: 200,
    body: { expires_dt: formatKstCompact(rec.expiresAt), token_type: 'bearer', token: rec.token, return_code: 0, return_msg: OK_MSG },
  };
}

/** au10002 */
function revokeToken(ctx: SimContext, bodyText: string): JsonReply {
  const body = parseObject(bodyText);
  if (body === undefined) return err(2, '입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다.]');
  const bad = credentialError(ctx, body);
  if (bad !== undefined) return bad;
  const token = typeof body.token === 'string' ? body.token : '';
  const rec = ctx.kiwoomTokens.find(token);
  if (rec === undefined || rec.appkey !== body.appkey || !ctx.kiwoomTokens.revoke(token)) {
    return err(3, '토큰 폐기에 실패했습니다[8016:Token 폐기에 실패했습니다]');
  }
  ctx.counters.tokenRevocations.kiwoom++;
  return { status: 200, body: { return_code: 0, return_msg: OK_MSG } };
}

function handleTr(ctx: SimContext, req: IncomingMessage, path: string, bodyText: string): JsonReply {
  const apiId = header(req, 'api-id');
  if (apiId === undefined || apiId === '') return err(2, 'API ID가 Null입니다[1501:API ID가 Null입니다]');
  bump(ctx.counters.requestsByApiId, apiId);
  const spec: SimTr | undefined = TR_SPECS[apiId];
  if (spec === undefined) return err(2, `API ID가 존재하지 않습니다[1505:API ID가 존재하지 않습니다. API ID=${apiId}]`, apiId);
  if (spec.path !== path) return err(2, `해당 URI에서는 지원하는 API ID가 아닙니다[1504:해당 URI에서는 지원하는 API ID가 아닙니다. API ID=${apiId}]`, apiId);

  const auth = header(req, 'authorization');
  if (auth === undefined || auth === '') return err(2, 'authorization 필드가 필요합니다[1513:authorization 필드가 필요합니다]', apiId);
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (m === null) return err(2, 'authorization 형식 오류입니다[1514:authorization 필드 형식이 올바르지 않습니다]', apiId);
  const now = ctx.clock.now();
  const rec = ctx.kiwoomTokens.find(m[1] ?? '');
  if (!ctx.kiwoomTokens.isValid(rec, now)) {
    ctx.counters.token8005++;
    return restTokenReject(ctx.opts.tokenRejectForm, trHeaders(apiId, 'N', ''));
  }
  if (!ctx.kiwoomRate.tryAcquire(rec.appkey, now)) return rateLimited(ctx, apiId);
  bump(ctx.counters.kiwoomRequestsByAppkey, rec.appkey);

  const body = parseObject(bodyText);
  if (body === undefined) return err(2, '입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다.]', apiId);
  const fields: Record<string, string> = {};
  for (const [name, re] of Object.entries(spec.fields)) {
    const v = body[name];
    if (v === undefined || v === null || v === '') return err(2, `필수 입력 값에 값이 존재하지 않습니다[1511:필수 입력 값에 값이 존재하지 않습니다. 요소명=${name}]`, apiId);
    if (typeof v !== 'string' || !re.test(v)) return err(2, `입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다. 요소명=${name}]`, apiId);
    fields[name] = v;
  }

  const result = spec.build(ctx, fields);
  if (result.kind === 'error') return err(result.returnCode, result.msg, apiId);
  if (result.kind === 'flat') {
    return { status: 200, body: { ...result.body, return_code: 0, return_msg: OK_MSG }, headers: trHeaders(apiId, 'N', '') };
  }
  let offset = 0;
  if (result.paged && header(req, 'cont-yn') === 'Y') {
    const key = header(req, 'next-key') ?? '';
    const parsed = parseNextKey(key, apiId);
    if (parsed === undefined) return err(2, '입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다. 요소명=next-key]', apiId);
    offset = parsed;
  }
  const size = result.paged ? ctx.opts.pageSize : result.rows.length;
  const rows = result.rows.slice(offset, offset + size);
  const more = result.paged && offset + size < result.rows.length;
  return {
    status: 200,
    body: { ...(result.head ?? {}), [result.key]: rows, return_code: 0, return_msg: OK_MSG },
    headers: trHeaders(apiId, more ? 'Y' : 'N', more ? makeNextKey(apiId, offset + size) : ''),
  };
}

/** An opaque-looking continuation key carrying the row offset. */
function makeNextKey(apiId: string, offset: number): string {
  return `${apiId.toUpperCase()}${String(offset).padStart(10, '0')}`;
}

function parseNextKey(key: string, apiId: string): number | undefined {
  const prefix = apiId.toUpperCase();
  if (!key.startsWith(prefix)) return undefined;
  const n = Number(key.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Over the limit: the observed 1700 forms, in turn. */
function rateLimited(ctx: SimContext, apiId: string): JsonReply {
  ctx.counters.rateLimitHits.kiwoom++;
  const forms = ctx.opts.kiwoomRateLimitForms;
  const form = forms[ctx.rateFormTurn % forms.length] ?? 'http429';
  ctx.rateFormTurn++;
  const text = `허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID=${apiId}]`;
  switch (form) {
    case 'http429':
      return err(5, text, apiId, 429);
    case 'rc1700':
      return { status: 200, body: { return_code: '1700', return_msg: `허용된 요청 개수를 초과하였습니다. API ID=${apiId}` }, headers: trHeaders(apiId, 'N', '') };
    default:
      return err(5, text, apiId);
  }
}
