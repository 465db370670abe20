import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKstCompact } from '../../../src/core/kst.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, tickSize } from '../../../src/sim/index.js';
import { kiwoomToken, post, START_MS, startTestSim, tr, type TestSim } from './helpers.js';

const STKINFO = '/api/dostk/stkinfo';
const ALL_STRINGS = (o: Record<string, unknown>): boolean => Object.values(o).every((v) => typeof v === 'string');
const PRICE = /^[+-]?\d+$/;
const RATE = /^[+-]?\d+\.\d{2}$/;
const SIGN = /^[1-5]$/;

describe('sim Kiwoom REST', () => {
  let t: TestSim;
  let token: string;
  beforeEach(async () => {
    t = await startTestSim({ kiwoomRatePerSecond: 1000 });
    token = await kiwoomToken(t.sim);
  });
  afterEach(async () => {
    await t.sim.close();
  });

  it('au10001 issues a bearer token with a KST expires_dt', async () => {
    const r = await post(`${t.sim.url}/oauth2/token`, { grant_type: 'client_credentials', appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: 'bearer', return_code: 0 });
    expect(Object.keys(r.json)).toEqual(['expires_dt', 'token_type', 'token', 'return_code', 'return_msg']);
    expect(parseKstCompact(r.json.expires_dt as string)).toBe(START_MS + 24 * 3600_000);
  });

  it('au10001 rejects bad credentials with the code in brackets', async () => {
    const badKey = await post(`${t.sim.url}/oauth2/token`, { grant_type: 'client_credentials', appkey: 'nope', secretkey: SIM_KIWOOM_SECRETKEY });
    expect(badKey.status).toBe(200);
    expect(badKey.json.return_code).not.toBe(0);
    expect(badKey.json.return_msg).toMatch(/\[8001:/);
    const badSecret = await post(`${t.sim.url}/oauth2/token`, { grant_type: 'client_credentials', appkey: SIM_KIWOOM_APPKEY, secretkey: 'x' });
    expect(badSecret.json.return_msg).toMatch(/\[8002:/);
    expect(badSecret.json).not.toHaveProperty('token');
  });

  it('au10002 revokes: the token then gets the 8005 form', async () => {
    const rev = await post(`${t.sim.url}/oauth2/revoke`, { appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY, token });
    expect(rev.json).toMatchObject({ return_code: 0 });
    const r = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
    expect(r.status).toBe(200);
    expect(r.json.return_code).toBe(3);
    expect(r.json.return_msg).toContain('[8005:Token이 유효하지 않습니다]');
  });

  it('unknown and expired tokens get HTTP 200, return_code 3 and [8005:...]', async () => {
    const unknown = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, 'not-a-token');
    expect(unknown.status).toBe(200);
    expect(unknown.json).toMatchObject({ return_code: 3 });
    expect(unknown.json.return_msg).toContain('[8005:Token이 유효하지 않습니다]');
    expect(t.sim.faults.counters().token8005).toBe(1);
    const short = await startTestSim({ tokenLifetimeMs: 120_000 });
    try {
      const tok = await kiwoomToken(short.sim);
      const ok = await tr(short.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, tok);
      expect(ok.json.return_code).toBe(0);
      await short.clock.tickAsync(119_000);
      expect((await tr(short.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, tok)).json.return_code).toBe(0);
      await short.clock.tickAsync(1_000);
      const expired = await tr(short.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, tok);
      expect(expired.status).toBe(200);
      expect(expired.json.return_code).toBe(3);
      expect(expired.json.return_msg).toContain('[8005:');
    } finally {
      await short.sim.close();
    }
  });

  it('the expire-tokens fault invalidates every token now', async () => {
    expect(t.sim.faults.expireTokens()).toBeGreaterThan(0);
    const r = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
    expect(r.json.return_msg).toContain('[8005:');
  });

  it('missing api-id -> 1501, api-id on the wrong path -> 1504', async () => {
    const missing = await post(`${t.sim.url}${STKINFO}`, { stk_cd: '005930' }, { authorization: `Bearer ${token}` });
    expect(missing.json.return_code).not.toBe(0);
    expect(missing.json.return_msg).toMatch(/\[1501:/);
    const wrong = await tr(t.sim, '/api/dostk/mrkcond', 'ka10001', { stk_cd: '005930' }, token);
    expect(wrong.json.return_msg).toMatch(/\[1504:/);
    const wrong2 = await tr(t.sim, STKINFO, 'ka20002', { mrkt_tp: '0', inds_cd: '001', stex_tp: '1' }, token);
    expect(wrong2.json.return_msg).toMatch(/\[1504:/);
  });

  it('validates request bodies: missing -> 1511, invalid -> 1517', async () => {
    const missing = await tr(t.sim, STKINFO, 'ka90003', { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101' }, token);
    expect(missing.json.return_msg).toMatch(/\[1511:.*stex_tp/);
    const invalid = await tr(t.sim, STKINFO, 'ka90003', { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: '001', stex_tp: '1' }, token);
    expect(invalid.json.return_msg).toMatch(/\[1517:.*mrkt_tp/);
    const notString = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: 5930 }, token);
    expect(notString.json.return_msg).toMatch(/\[1517:/);
  });

  it('ka10001 answers the flat documented shape with Kiwoom formatting', async () => {
    const r = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
    expect(r.status).toBe(200);
    expect(r.headers.get('api-id')).toBe('ka10001');
    expect(r.headers.get('cont-yn')).toBe('N');
    const { return_code, return_msg, ...fields } = r.json;
    expect(return_code).toBe(0);
    expect(return_msg).toBe('정상적으로 처리되었습니다');
    expect(ALL_STRINGS(fields)).toBe(true);
    for (const k of ['stk_cd', 'stk_nm', 'setl_mm', 'fav', 'cap', 'flo_stk', 'mac', 'per', 'eps', 'roe', 'pbr', 'bps', '250hgst', '250lwst', 'open_pric', 'high_pric', 'low_pric', 'upl_pric', 'lst_pric', 'base_pric', 'cur_prc', 'pre_sig', 'pred_pre', 'flu_rt', 'trde_qty']) {
      expect(fields).toHaveProperty(k);
    }
    expect(fields.stk_nm).toBe('삼성전자');
    expect(fields.cur_prc).toMatch(PRICE);
    expect(fields.flu_rt).toMatch(RATE);
    expect(fields.pre_sig).toMatch(SIGN);
    const base = Number(fields.base_pric);
    const cur = Math.abs(Number(fields.cur_prc));
    expect(cur - base).toBe(Number(fields.pred_pre));
    expect(cur % tickSize(cur)).toBe(0);
    expect(Math.abs(Number(fields.upl_pric))).toBeLessThanOrEqual(base * 1.3);
    // Direction prefix follows the previous close.
    const sign = (fields.cur_prc as string)[0];
    if (cur > base) expect(sign).toBe('+');
    if (cur < base) expect(sign).toBe('-');
    // Real forms (KWP ka10001.txt): an empty string for an absent value, a signed zero, one-decimal rates.
    expect(fields.mac_wght).toBe('');
    expect(fields.exp_cntr_pric).toBe('-0');
    expect(fields.dstr_rt).toMatch(/^\d+\.\d$/);
    expect(fields.roe).toMatch(/^\d+\.\d$/);
  });

  it('ka10001 echoes exchange suffixes, reports unknown codes and the 1634 batch limit', async () => {
    const nx = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930_NX' }, token);
    expect(nx.json.stk_cd).toBe('005930_NX');
    const unknown = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '999999' }, token);
    expect(unknown.json.return_code).not.toBe(0);
    expect(unknown.json.return_msg).toMatch(/\[1902:/);
    const many = Array.from({ length: 110 }, (_, i) => String(i * 10).padStart(6, '0')).join('|');
    const batch = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: many }, token);
    expect(batch.json.return_code).toBe(5);
    expect(batch.json.return_msg).toMatch(/\[1634:/);
  });

  it('ka20002 answers the seed 001 request in the documented shape', async () => {
    const r = await tr(t.sim, '/api/dostk/sect', 'ka20002', { mrkt_tp: '0', inds_cd: '001', stex_tp: '1' }, token);
    expect(r.json.return_code).toBe(0);
    const rows = r.json.inds_stkpc as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['stk_cd', 'stk_nm', 'cur_prc', 'pred_pre_sig', 'pred_pre', 'flu_rt', 'now_trde_qty', 'sel_bid', 'buy_bid', 'open_pric', 'high_pric', 'low_pric']);
      expect(ALL_STRINGS(row)).toBe(true);
      expect(row.cur_prc).toMatch(PRICE);
      expect(row.pred_pre_sig).toMatch(SIGN);
      expect(row.flu_rt).toMatch(RATE);
      expect(row.pred_pre).toMatch(/^([+-]\d+|0)$/);
    }
  });

  it('ka10066 answers the seed 004 request in the documented shape', async () => {
    const r = await tr(t.sim, '/api/dostk/mrkcond', 'ka10066', { mrkt_tp: '000', amt_qty_tp: '1', trde_tp: '0', stex_tp: '3' }, token);
    expect(r.json.return_code).toBe(0);
    const rows = r.json.opaf_invsr_trde as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0] ?? {})).toEqual(['stk_cd', 'stk_nm', 'cur_prc', 'pre_sig', 'pred_pre', 'flu_rt', 'trde_qty', 'ind_invsr', 'frgnr_invsr', 'orgn', 'fnnc_invt', 'insrnc', 'invtrt', 'etc_fnnc', 'bank', 'penfnd_etc', 'samo_fund', 'natn', 'etc_corp']);
    expect(rows.every(ALL_STRINGS)).toBe(true);
    // stex_tp 3 echoes the _AL suffix in stk_cd (KWP ka10066.txt "000010_AL").
    expect(rows.every((row) => /^\d{6}_AL$/.test(row.stk_cd ?? ''))).toBe(true);
    // Investor amounts: positives unsigned, negatives one minus.
    expect(rows.every((row) => /^-?\d+$/.test(row.ind_invsr ?? ''))).toBe(true);
  });

  it('ka10099 answers a whole market in one response, in the real forms (KWP ka10099.txt)', async () => {
    const big = await startTestSim({ stocks: 2500 });
    try {
      const tok = await kiwoomToken(big.sim);
      const r = await tr(big.sim, STKINFO, 'ka10099', { mrkt_tp: '10' }, tok);
      expect(r.json.return_code).toBe(0);
      expect(r.headers.get('cont-yn')).toBe('N');
      const list = r.json.list as Record<string, string>[];
      expect(list.length).toBeGreaterThan(1000);
      expect(new Set(list.map((row) => row.code)).size).toBe(list.length);
      for (const row of list) {
        expect(row.marketCode).toBe('10');
        // listCount zero-padded to 16 digits, lastPrice to 8, and the undocumented `kind` key.
        expect(row.listCount).toMatch(/^\d{16}$/);
        expect(row.lastPrice).toMatch(/^\d{8}$/);
        expect(row.kind).toBe('A');
      }
      const kospi = (await tr(big.sim, STKINFO, 'ka10099', { mrkt_tp: '0' }, tok)).json.list as Record<string, string>[];
      const samsung = kospi.find((row) => row.code === '005930');
      expect(Object.keys(samsung ?? {})).toEqual(['code', 'name', 'listCount', 'auditInfo', 'regDay', 'lastPrice', 'state', 'marketCode', 'marketName', 'upName', 'upSizeName', 'companyClassName', 'orderWarning', 'nxtEnable', 'kind']);
      expect(samsung?.listCount?.startsWith('0')).toBe(true);
    } finally {
      await big.sim.close();
    }
  });

  it('ka10059 answers years of history over pages, flu_rt as a x100 integer (KWP ka10059.txt)', async () => {
    const body = { dt: '20241107', stk_cd: '005930', amt_qty_tp: '1', trde_tp: '0', unit_tp: '1000' };
    const rows: Record<string, string>[] = [];
    let headers: Record<string, string> = {};
    let pages = 0;
    for (;;) {
      const r = await tr(t.sim, STKINFO, 'ka10059', body, token, headers);
      expect(r.json.return_code).toBe(0);
      pages++;
      rows.push(...(r.json.stk_invsr_orgn as Record<string, string>[]));
      if (r.headers.get('cont-yn') !== 'Y') break;
      headers = { 'cont-yn': 'Y', 'next-key': r.headers.get('next-key') ?? '' };
    }
    expect(pages).toBeGreaterThan(10);
    expect(rows[0]).toMatchObject({ dt: '20241107' });
    expect((rows.at(-1)?.dt ?? '').localeCompare('20200820')).toBeLessThan(0);
    expect(new Set(rows.map((r) => r.dt)).size).toBe(rows.length);
    for (const row of rows) {
      // "+122" = 1.22 %: no decimal point; "0" on a flat day.
      expect(row.flu_rt).toMatch(/^([+-][1-9]\d*|0)$/);
      const pct = Number(row.flu_rt) / 100;
      const price = Number((row.cur_prc ?? '').replace(/^[+-]/, ''));
      const prev = price - Number(row.pred_pre);
      expect(Math.abs(pct - ((price - prev) / prev) * 100)).toBeLessThan(0.006);
      // Investor amounts: positives unsigned, negatives one minus.
      for (const k of ['ind_invsr', 'frgnr_invsr', 'orgn', 'natfor']) expect(row[k]).toMatch(/^-?\d+$/);
    }
    expect(rows.some((r) => r.natfor !== '0')).toBe(true);
    // Consecutive days chain: one day's previous close is the next older day's close.
    const [d0, d1] = rows;
    const close = (r: Record<string, string> | undefined): number => Number((r?.cur_prc ?? '').replace(/^[+-]/, ''));
    expect(close(d0) - Number(d0?.pred_pre)).toBe(close(d1));
  });

  it('ka10100, ka10101, ka10058, ka10059, ka10061, ka90004 answer their documented keys', async () => {
    const d = await tr(t.sim, STKINFO, 'ka10100', { stk_cd: '005930' }, token);
    expect(d.json).toMatchObject({ code: '005930', name: '삼성전자', return_code: 0 });
    expect(d.json).not.toHaveProperty('nxtv');
    expect(d.json.listCount).toMatch(/^\d{16}$/);
    const sec = await tr(t.sim, STKINFO, 'ka10101', { mrkt_tp: '0' }, token);
    const sectors = sec.json.list as Record<string, string>[];
    expect(sectors[0]).toMatchObject({ code: '001' });
    expect(Object.keys(sectors[0] ?? {})[0]).toBe('marketCode');
    expect(sectors.find((x) => x.code === '013')?.group).toBe('13');
    expect(sectors.find((x) => x.code === '603')).toMatchObject({ marketCode: '6', group: '3' });
    const inv = await tr(t.sim, STKINFO, 'ka10058', { strt_dt: '20241106', end_dt: '20241107', trde_tp: '2', mrkt_tp: '101', invsr_tp: '8000', stex_tp: '3' }, token);
    expect(Object.keys((inv.json.invsr_daly_trde_stk as object[])[0] ?? {})).toEqual(['stk_cd', 'stk_nm', 'netslmt_qty', 'netslmt_amt', 'prsm_avg_pric', 'cur_prc', 'pre_sig', 'pred_pre', 'avg_pric_pre', 'pre_rt', 'dt_trde_qty']);
    const org = await tr(t.sim, STKINFO, 'ka10059', { dt: '20241107', stk_cd: '005930', amt_qty_tp: '1', trde_tp: '0', unit_tp: '1000' }, token);
    const orgRows = org.json.stk_invsr_orgn as Record<string, string>[];
    expect(orgRows[0]).toMatchObject({ dt: '20241107' });
    expect(orgRows[0]).toHaveProperty('natfor');
    const tot = await tr(t.sim, STKINFO, 'ka10061', { stk_cd: '005930', strt_dt: '20241007', end_dt: '20241107', amt_qty_tp: '1', trde_tp: '0', unit_tp: '1000' }, token);
    const totRow = (tot.json.stk_invsr_orgn_tot as Record<string, string>[])[0] ?? {};
    expect(Object.keys(totRow)).toEqual(['ind_invsr', 'frgnr_invsr', 'orgn', 'fnnc_invt', 'insrnc', 'invtrt', 'etc_fnnc', 'bank', 'penfnd_etc', 'samo_fund', 'natn', 'etc_corp', 'natfor']);
    // KWP ka10061.txt: negatives with a doubled minus, positives with a plus.
    for (const v of Object.values(totRow)) expect(v).toMatch(/^(--\d+|\+\d+|0)$/);
    expect(Object.values(totRow).some((v) => v.startsWith('--'))).toBe(true);
    expect(inv.json.invsr_daly_trde_stk as Record<string, string>[]).toSatisfy((rs: Record<string, string>[]) => rs.every((x) => /^\d{6}_AL$/.test(x.stk_cd ?? '')));
    const prog = await tr(t.sim, STKINFO, 'ka90004', { dt: '20241125', mrkt_tp: 'P00101', stex_tp: '1' }, token);
    expect(prog.json).toHaveProperty('tot_1');
    expect(prog.json.tot_6).toBe('');
    for (const row of prog.json.stk_prm_trde_prst as Record<string, string>[]) expect(row.all_trde_rt).toMatch(/^[+-]\d+\.\d{2}$/);
    expect(Object.keys((prog.json.stk_prm_trde_prst as object[])[0] ?? {})).toEqual(['stk_cd', 'stk_nm', 'cur_prc', 'flu_sig', 'pred_pre', 'buy_cntr_qty', 'buy_cntr_amt', 'sel_cntr_qty', 'sel_cntr_amt', 'netprps_prica', 'all_trde_rt']);
  });

  it('ka90003 answers 150 rows for a "top 50" TR (KWP ka90003.txt), matching the market ranking; membership changes over minutes', async () => {
    const body = { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' };
    const r1 = await tr(t.sim, STKINFO, 'ka90003', body, token);
    const rows1 = r1.json.prm_netprps_upper_50 as Record<string, string>[];
    expect(rows1).toHaveLength(150);
    expect(r1.headers.get('cont-yn')).toBe('N');
    expect(Object.keys(rows1[0] ?? {})).toEqual(['rank', 'stk_cd', 'stk_nm', 'cur_prc', 'flu_sig', 'pred_pre', 'flu_rt', 'acc_trde_qty', 'prm_sell_amt', 'prm_buy_amt', 'prm_netprps_amt']);
    expect(rows1.map((r) => r.stk_cd)).toEqual(t.sim.faults.programRanking('P00101', 150).map((r) => r.code));
    expect(rows1.map((r) => r.rank)).toEqual(Array.from({ length: 150 }, (_, i) => String(i + 1)));
    const integrated = (await tr(t.sim, STKINFO, 'ka90003', { ...body, stex_tp: '3' }, token)).json.prm_netprps_upper_50 as Record<string, string>[];
    expect(integrated.map((r) => r.stk_cd)).toEqual(rows1.map((r) => `${r.stk_cd}_AL`));
    await t.clock.tickAsync(5 * 60_000);
    const rows2 = (await tr(t.sim, STKINFO, 'ka90003', body, token)).json.prm_netprps_upper_50 as Record<string, string>[];
    const before = new Set(rows1.map((r) => r.stk_cd));
    const changed = rows2.filter((r) => !before.has(r.stk_cd)).length;
    expect(changed).toBeGreaterThan(0);
    const nets = rows2.map((r) => Number(r.prm_netprps_amt));
    expect([...nets].sort((a, b) => b - a)).toEqual(nets);
  });
});

describe('sim Kiwoom REST rate limit', () => {
  it('answers over-limit requests with the 1700 forms in turn (HTTP 429, then 200 + return_code 5)', async () => {
    const t = await startTestSim({ kiwoomRatePerSecond: 5 });
    try {
      const token = await kiwoomToken(t.sim);
      const replies = [];
      for (let i = 0; i < 8; i++) replies.push(await tr(t.sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token));
      expect(replies.slice(0, 5).every((r) => r.status === 200 && r.json.return_code === 0)).toBe(true);
      const [a, b, c] = replies.slice(5);
      expect(a?.status).toBe(429);
      expect(a?.json.return_msg).toMatch(/\[1700:/);
      expect(b?.status).toBe(200);
      expect(b?.json.return_code).toBe(5);
      expect(b?.json.return_msg).toMatch(/허용된 요청 개수를 초과하였습니다\[1700:/);
      expect(c?.status).toBe(429);
      expect(t.sim.faults.counters().rateLimitHits.kiwoom).toBe(3);
      await t.clock.tickAsync(1000);
      expect((await tr(t.sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token)).json.return_code).toBe(0);
      t.sim.faults.setRateLimits({ kiwoomPerSecond: 1 });
      expect((await tr(t.sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token)).json.return_code).not.toBe(0);
    } finally {
      await t.sim.close();
    }
  });
});

describe('sim Kiwoom REST rate-limit forms option', () => {
  it('can include the return_code "1700" string form in the rotation', async () => {
    const t = await startTestSim({ kiwoomRatePerSecond: 1, kiwoomRateLimitForms: ['rc1700', 'rc5'] });
    try {
      const token = await kiwoomToken(t.sim);
      await tr(t.sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token);
      const a = await tr(t.sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token);
      const b = await tr(t.sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token);
      expect(a.status).toBe(200);
      expect(a.json.return_code).toBe('1700');
      expect(b.json.return_code).toBe(5);
    } finally {
      await t.sim.close();
    }
  });
});
