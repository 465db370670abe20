import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKstDashed } from '../../../src/core/kst.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIS_HTS_ID } from '../../../src/sim/index.js';
import { get, kisHeaders, kisToken, post, START_MS, startTestSim, type TestSim } from './helpers.js';

const GROUPLIST = '/uapi/domestic-stock/v1/quotations/intstock-grouplist';
const STOCKLIST = '/uapi/domestic-stock/v1/quotations/intstock-stocklist-by-group';

function stockListQuery(group: string): string {
  const q = new URLSearchParams({ TYPE: '1', USER_ID: SIM_KIS_HTS_ID, DATA_RANK: '', INTER_GRP_CODE: group, INTER_GRP_NAME: '', HTS_KOR_ISNM: '', CNTG_CLS_CODE: '', FID_ETC_CLS_CODE: '4' });
  return `${STOCKLIST}?${q.toString()}`;
}
const groupListQuery = `${GROUPLIST}?${new URLSearchParams({ TYPE: '1', FID_ETC_CLS_CODE: '00', USER_ID: SIM_KIS_HTS_ID }).toString()}`;

describe('sim KIS REST', () => {
  let t: TestSim;
  beforeEach(async () => {
    t = await startTestSim();
  });
  afterEach(async () => {
    await t.sim.close();
  });

  it('issues a 24 h Bearer token, returns the same token within 6 h, throttles to one request a minute', async () => {
    const first = await kisToken(t.sim);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json).sort()).toEqual(['access_token', 'access_token_token_expired', 'expires_in', 'token_type']);
    expect(first.json.token_type).toBe('Bearer');
    expect(first.json.expires_in).toBe(86_400);
    expect(parseKstDashed(first.json.access_token_token_expired as string)).toBe(START_MS + 86_400_000);

    const throttled = await kisToken(t.sim);
    expect(throttled.status).toBe(403);
    expect(throttled.json).toEqual({ error_code: 'EGW00133', error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' });

    await t.clock.tickAsync(61_000);
    const again = await kisToken(t.sim);
    expect(again.json.access_token).toBe(first.json.access_token);
    expect(again.json.expires_in).toBe(86_400 - 61);

    await t.clock.tickAsync(6 * 3600_000);
    const fresh = await kisToken(t.sim);
    expect(fresh.json.access_token).not.toBe(first.json.access_token);
    const c = t.sim.faults.counters();
    expect(c.tokenIssuances.kis).toBe(2);
    expect(c.kisTokenReuses).toBe(1);
    expect(c.rateLimitHits.kisToken).toBe(1);
  });

  it('rejects a bad appkey with 403 EGW00103', async () => {
    const r = await post(`${t.sim.url}/oauth2/tokenP`, { grant_type: 'client_credentials', appkey: 'bad', appsecret: SIM_KIS_APPSECRET });
    expect(r.status).toBe(403);
    expect(r.json.error_code).toBe('EGW00103');
  });

  it('lists watchlist groups and their stocks with the documented fields', async () => {
    const token = (await kisToken(t.sim)).json.access_token as string;
    const groups = await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C7'));
    expect(groups.status).toBe(200);
    expect(groups.json).toMatchObject({ rt_cd: '0', msg_cd: 'MCA00000' });
    expect(groups.headers.get('tr_id')).toBe('HHKCM113004C7');
    const out2 = groups.json.output2 as Record<string, string>[];
    expect(out2.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(out2[0] ?? {})).toEqual(['date', 'trnm_hour', 'data_rank', 'inter_grp_code', 'inter_grp_name', 'ask_cnt']);
    const code = out2[0]?.inter_grp_code ?? '';
    const stocks = await get(`${t.sim.url}${stockListQuery(code)}`, kisHeaders(token, 'HHKCM113004C6'));
    expect(stocks.json.rt_cd).toBe('0');
    expect(stocks.json.output1).toMatchObject({ inter_grp_name: out2[0]?.inter_grp_name });
    const rows = stocks.json.output2 as Record<string, string>[];
    expect(rows.length).toBe(Number(out2[0]?.ask_cnt));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeLessThanOrEqual(30);
    expect(Object.keys(rows[0] ?? {})).toEqual(['fid_mrkt_cls_code', 'data_rank', 'exch_code', 'jong_code', 'color_code', 'memo', 'hts_kor_isnm', 'fxdt_ntby_qty', 'cntg_unpr', 'cntg_cls_code']);
    expect(rows.map((r) => r.jong_code)).toContain('005930');
  });

  it('watchlists are editable at run time through the fault API and /_sim/', async () => {
    const token = (await kisToken(t.sim)).json.access_token as string;
    t.sim.faults.setWatchlistGroup('009', ['005930', '000660'], '테스트');
    let rows = (await get(`${t.sim.url}${stockListQuery('009')}`, kisHeaders(token, 'HHKCM113004C6'))).json.output2 as Record<string, string>[];
    expect(rows.map((r) => r.jong_code)).toEqual(['005930', '000660']);
    const put = await fetch(`${t.sim.url}/_sim/watchlists/009`, { method: 'PUT', body: JSON.stringify({ stocks: ['035720'] }) });
    expect(put.status).toBe(200);
    rows = (await get(`${t.sim.url}${stockListQuery('009')}`, kisHeaders(token, 'HHKCM113004C6'))).json.output2 as Record<string, string>[];
    expect(rows.map((r) => r.jong_code)).toEqual(['035720']);
    await fetch(`${t.sim.url}/_sim/watchlists/009`, { method: 'DELETE' });
    const groups = (await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C7'))).json.output2 as Record<string, string>[];
    expect(groups.map((g) => g.inter_grp_code)).not.toContain('009');
  });

  it('checks headers: a wrong tr_id or a missing appsecret is rejected', async () => {
    const token = (await kisToken(t.sim)).json.access_token as string;
    const wrongTr = await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C6'));
    expect(wrongTr.json.rt_cd).toBe('1');
    const h = kisHeaders(token, 'HHKCM113004C7');
    delete h.appsecret;
    const noSecret = await get(`${t.sim.url}${groupListQuery}`, h);
    expect(noSecret.json.rt_cd).toBe('1');
    const badAppkey = await get(`${t.sim.url}${groupListQuery}`, { ...kisHeaders(token, 'HHKCM113004C7'), appkey: SIM_KIS_APPKEY + 'x' });
    expect(badAppkey.json.rt_cd).toBe('1');
  });

  it('answers EGW00123 (HTTP 200) for an expired token', async () => {
    const token = (await kisToken(t.sim)).json.access_token as string;
    t.sim.faults.expireTokens('kis');
    const r = await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C7'));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ rt_cd: '1', msg_cd: 'EGW00123' });
  });

  it('answers EGW00201 as HTTP 500 above the per-second limit', async () => {
    t.sim.faults.setRateLimits({ kisPerSecond: 3 });
    const token = (await kisToken(t.sim)).json.access_token as string;
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C7')));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 500, 500]);
    expect(replies[3]?.json).toMatchObject({ rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' });
    await t.clock.tickAsync(1000);
    expect((await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C7'))).status).toBe(200);
    expect(t.sim.faults.counters().requestsByTrId.HHKCM113004C7).toBe(6);
  });
});

describe('sim KIS revoke', () => {
  it('revokeP invalidates the token (EGW00121 afterwards)', async () => {
    const t = await startTestSim();
    try {
      const token = (await kisToken(t.sim)).json.access_token as string;
      const rev = await post(`${t.sim.url}/oauth2/revokeP`, { appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET, token });
      expect(rev.status).toBe(200);
      expect(rev.json.code).toBe(200);
      const r = await get(`${t.sim.url}${groupListQuery}`, kisHeaders(token, 'HHKCM113004C7'));
      expect(r.json).toMatchObject({ rt_cd: '1', msg_cd: 'EGW00121' });
      expect(t.sim.faults.counters().tokenRevocations.kis).toBe(1);
    } finally {
      await t.sim.close();
    }
  });
});
