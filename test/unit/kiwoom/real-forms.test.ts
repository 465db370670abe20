import { describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import { decodeTradeFlow } from '../../../src/adapters/kiwoom/realtime-trade-flow.js';
import { ka10001 } from '../../../src/adapters/kiwoom/tr/ka10001.js';
import { ka10059 } from '../../../src/adapters/kiwoom/tr/ka10059.js';
import { ka10061 } from '../../../src/adapters/kiwoom/tr/ka10061.js';
import { ka10066 } from '../../../src/adapters/kiwoom/tr/ka10066.js';
import { ka10099 } from '../../../src/adapters/kiwoom/tr/ka10099.js';
import { ka10100 } from '../../../src/adapters/kiwoom/tr/ka10100.js';
import { ka10101 } from '../../../src/adapters/kiwoom/tr/ka10101.js';
import { ka20002 } from '../../../src/adapters/kiwoom/tr/ka20002.js';
import { ka90003 } from '../../../src/adapters/kiwoom/tr/ka90003.js';
import { ka90004 } from '../../../src/adapters/kiwoom/tr/ka90004.js';
import { parseImpliedRate, parsePrice, parseSigned } from '../../../src/adapters/kiwoom/values.js';
import { real0B, seed0A } from '../../support/real-frames.js';

/**
 * Every real form of protocol.md 10.2 / 10.3 (the broker's proof runs against the real servers), each
 * with the real string, through the codec that reads it in the daemon (issue 13 item 1).
 */

const investors = (v: string): Record<string, string> =>
  Object.fromEntries(['ind_invsr', 'frgnr_invsr', 'orgn', 'fnnc_invt', 'insrnc', 'invtrt', 'etc_fnnc', 'bank', 'penfnd_etc', 'samo_fund', 'natn', 'etc_corp'].map((k) => [k, v]));

describe('REST real forms (protocol.md 10.2)', () => {
  it('ka10059 flu_rt has two implied decimals: "+122" = 1.22 %, "+2986" = 29.86 %, "-415" = -4.15 %, "0" flat', () => {
    const row = (flu_rt: string) => ({ dt: '20250519', cur_prc: '+56700', pre_sig: '2', pred_pre: '+700', flu_rt, acc_trde_qty: '1', acc_trde_prica: '1', ...investors('1589'), natfor: '1' });
    const out = ka10059.schema.parse({ stk_invsr_orgn: [row('+122'), row('+2986'), row('-415'), row('0'), row('+1.22')] });
    expect(out.stk_invsr_orgn.map((r) => r.flu_rt)).toEqual([1.22, 29.86, -4.15, 0, 1.22]);
    expect(parseImpliedRate('+122')).toBe(1.22);
  });

  it('ka10059 investor values: unsigned positives "1589", one-minus negatives "-61780", natfor "1"', () => {
    const out = ka10059.schema.parse({ stk_invsr_orgn: [{ dt: '20250519', cur_prc: '56700', pre_sig: '3', pred_pre: '0', flu_rt: '0', acc_trde_qty: '0', acc_trde_prica: '0', ...investors('1589'), frgnr_invsr: '-61780', natfor: '1' }] });
    expect(out.stk_invsr_orgn[0]).toMatchObject({ ind_invsr: 1589, frgnr_invsr: -61780, natfor: 1 });
  });

  it('ka10061 doubled minus "--23533" = -23533, "--40145" = -40145, "+59590", "0"', () => {
    const out = ka10061.schema.parse({ stk_invsr_orgn_tot: [{ ...investors('0'), ind_invsr: '--23533', frgnr_invsr: '--40145', orgn: '+59590', natfor: '0' }] });
    expect(out.stk_invsr_orgn_tot[0]).toMatchObject({ ind_invsr: -23533, frgnr_invsr: -40145, orgn: 59590, natfor: 0 });
    expect(parseSigned('--23533')).toBe(-23533);
    expect(parseSigned('---1')).toBeNaN();
  });

  it('ka10066 stk_cd "000010_AL" (stex_tp 3): suffix stripped into venue SOR; untraded stock all "0", flu_rt "0.00"', () => {
    const row = (stk_cd: string) => ({ stk_cd, stk_nm: 'x', cur_prc: '0', pre_sig: '3', pred_pre: '0', flu_rt: '0.00', trde_qty: '162926', ...investors('0') });
    const out = ka10066.schema.parse({ opaf_invsr_trde: [row('000010_AL'), row('005930_NX'), row('005930')] });
    expect(out.opaf_invsr_trde.map((r) => [r.stk_cd, r.venue])).toEqual([['000010', 'SOR'], ['005930', 'NXT'], ['005930', 'KRX']]);
    expect(out.opaf_invsr_trde[0]).toMatchObject({ cur_prc: 0, flu_rt: 0, trde_qty: 162926, pre_sig: 3 });
  });

  it('ka10001: blank mac_wght = null, exp_cntr_pric "-0" = 0, one-decimal rates, mac in 억원, 250lwst beside "+16784.73"', () => {
    // The fields the example does not print are blank (read as null).
    const blank = Object.fromEntries([...ka10001.topKeys].map((k) => [k, '']));
    const body: Record<string, string> = { ...blank, stk_cd: '005930', stk_nm: '삼성전자', mac_wght: '', exp_cntr_pric: '-0', dstr_rt: '76.1', roe: '4.1', mac: '15843415', '250lwst': '-1605', '250lwst_pric_pre_rt': '+16784.73' };
    const out = ka10001.schema.parse(body) as Record<string, unknown>;
    expect(out).toMatchObject({ stk_cd: '005930', venue: 'KRX', mac_wght: null, exp_cntr_pric: 0, dstr_rt: 76.1, roe: 4.1, mac: 15843415, '250lwst': 1605, '250lwst_pric_pre_rt': 16784.73 });
    expect(Object.is(out.exp_cntr_pric, -0)).toBe(false);
  });

  it('ka10099: 16-digit listCount, zero-padded lastPrice, extra key kind, ETN marketCode "60" with empty upName', () => {
    const row = { code: '580011', name: 'ETN', listCount: '0000000027931470', auditInfo: '정상', regDay: '20200101', lastPrice: '00005990', state: '증거금100%', marketCode: '60', marketName: 'ETN', upName: '', upSizeName: '', orderWarning: '0', nxtEnable: 'N', kind: 'Q' };
    const out = ka10099.schema.parse({ list: [row] });
    expect(out.list[0]).toMatchObject({ listCount: 27931470, lastPrice: 5990, kind: 'Q', marketCode: '60', upName: '', nxtEnable: false });
  });

  it('ka10100: no nxtv (absent or null), state with pipes, upName with a slash', () => {
    const base = { code: '005930', name: '삼성전자', listCount: '0000005919637922', auditInfo: '정상', regDay: '19750611', lastPrice: '00056700', state: '증거금20%|담보대출|신용가능', marketCode: '0', marketName: '거래소', upName: '전기/전자', upSizeName: '대형주', orderWarning: '0', nxtEnable: 'Y' };
    expect(ka10100.schema.parse(base)).toMatchObject({ listCount: 5919637922, state: '증거금20%|담보대출|신용가능', upName: '전기/전자' });
    expect((ka10100.schema.parse({ ...base, nxtv: null }) as { nxtv?: unknown }).nxtv).toBeNull();
  });

  it('ka10101: an undocumented marketCode first (tolerated), group "13" for 013 and "3" for 603', () => {
    const out = ka10101.schema.parse({ list: [{ marketCode: '0', code: '013', name: '전기전자', group: '13' }, { marketCode: '6', code: '603', name: 'IT 서비스', group: '3' }] });
    expect(out.list).toEqual([{ code: '013', name: '전기전자', group: '13' }, { code: '603', name: 'IT 서비스', group: '3' }]);
  });

  it('ka20002: flat price unsigned "6040", untraded all "0"', () => {
    const row = { stk_cd: '100910', stk_nm: 'ETF', cur_prc: '6040', pred_pre_sig: '3', pred_pre: '0', flu_rt: '0.00', now_trde_qty: '162940', sel_bid: '0', buy_bid: '0', open_pric: '6040', high_pric: '0', low_pric: '0' };
    expect(ka20002.schema.parse({ inds_stkpc: [row] }).inds_stkpc[0]).toMatchObject({ stk_cd: '100910', venue: 'KRX', cur_prc: 6040, open_pric: 6040, high_pric: 0, now_trde_qty: 162940 });
  });

  it('ka90003: 7-digit negative "-1737000", flat "525000" with flu_sig "3", prm_netprps_amt "-685813"', () => {
    const row = { rank: '1', stk_cd: '000660_AL', stk_nm: 'SK하이닉스', cur_prc: '525000', flu_sig: '3', pred_pre: '0', flu_rt: '0.00', acc_trde_qty: '1', prm_sell_amt: '1737000', prm_buy_amt: '1051187', prm_netprps_amt: '-685813' };
    const out = ka90003.schema.parse({ prm_netprps_upper_50: [row, { ...row, pred_pre: '-1737000' }] });
    expect(out.prm_netprps_upper_50[0]).toMatchObject({ stk_cd: '000660', venue: 'SOR', cur_prc: 525000, flu_sig: 3, prm_netprps_amt: -685813 });
    expect(out.prm_netprps_upper_50[1]!.pred_pre).toBe(-1737000);
  });

  it('ka90004: tot_6 "" = null, all_trde_rt "+0.00" and "+42.86" (signed at zero)', () => {
    const row = { stk_cd: '005930', stk_nm: 'x', cur_prc: '56700', flu_sig: '2', pred_pre: '+700', buy_cntr_qty: '1', buy_cntr_amt: '1', sel_cntr_qty: '1', sel_cntr_amt: '1', netprps_prica: '0', all_trde_rt: '+0.00' };
    const out = ka90004.schema.parse({ tot_1: '1', tot_2: '2', tot_3: '3', tot_4: '4', tot_5: '5', tot_6: '', stk_prm_trde_prst: [row, { ...row, all_trde_rt: '+42.86' }] });
    expect(out.tot_6).toBeNull();
    expect(out.stk_prm_trde_prst.map((r) => r.all_trde_rt)).toEqual([0, 42.86]);
  });

  it('absurd REST values are decode errors (issue 20 item 8): a 301-digit price, a rate beyond 1e6 %', () => {
    const row = { rank: '1', stk_cd: '005930', stk_nm: 'x', cur_prc: '9'.repeat(301), flu_sig: '2', pred_pre: '0', flu_rt: '0', acc_trde_qty: '1', prm_sell_amt: '1', prm_buy_amt: '1', prm_netprps_amt: '0' };
    expect(ka90003.schema.safeParse({ prm_netprps_upper_50: [row] }).success).toBe(false);
    expect(ka90003.schema.safeParse({ prm_netprps_upper_50: [{ ...row, cur_prc: '100000001' }] }).success).toBe(false);
    expect(ka90003.schema.safeParse({ prm_netprps_upper_50: [{ ...row, cur_prc: '+100000000', flu_rt: '+1000001' }] }).success).toBe(false);
    expect(ka90003.schema.safeParse({ prm_netprps_upper_50: [{ ...row, cur_prc: '+100000000' }] }).success).toBe(true);
  });
});

describe('real-time real forms (protocol.md 10.3)', () => {
  const T = Date.UTC(2026, 4, 20, 1, 13, 28); // 10:13:28 KST, the dump's time
  const decode = (e: unknown) => decodeEntry(e, T, kstDayStart(T));

  it('0B: signed prices are magnitudes ("-303750"), FID 15 "+3" is a buy of 3, 9081 "KRX" text tolerated', () => {
    const e = decode(real0B());
    expect(isDecodeFailure(e)).toBe(false);
    expect(e).toMatchObject({ kind: 'trade', price: 303750, open: 305000, high: 305500, low: 302500, ask: 304000, bid: 303750, volume: 3, side: 'buy', cumValue: 2352536 });
  });

  it('0B FID 15 "-9" is a sell of 9, " 3" (a leading space) a trade of unknown side', () => {
    expect(decode(real0B({ '15': '-9' }))).toMatchObject({ volume: 9, side: 'sell' });
    expect(decode(real0B({ '15': ' 3' }))).toMatchObject({ volume: 3, side: 'unknown' });
  });

  it('0B trade flow: 1313 "+911" is 911,000 won (천원), 1314 "+3" per trade, 1315 " 0" / 1316 "+3", 9081 "KRX"', () => {
    expect(decodeTradeFlow(real0B().values)).toEqual({ tradeValueWon: 911_000, netBuyQty: 3, sellQty: 0, buyQty: 3, venueText: 'KRX' });
    expect(decodeTradeFlow(real0B({ '1313': '+303', '1315': '-2', '1316': ' 0', '1314': '-2' }).values)).toEqual({ tradeValueWon: 303_000, netBuyQty: -2, sellQty: 2, buyQty: 0, venueText: 'KRX' });
    expect(decodeTradeFlow({ '1313': '', '9081': ' ' })).toEqual({ tradeValueWon: null, netBuyQty: null, sellQty: null, buyQty: null, venueText: null });
  });

  it('0A: a leading space instead of a sign (" 67300") reads as the price', () => {
    expect(decode(seed0A())).toMatchObject({ kind: 'indicative', price: 86800, low: 67300 });
    expect(parsePrice(' 67300')).toBe(67300);
  });

  it('0B: empty strings for absent optional values read as 0 / null, zero-padded and "-0" values as numbers', () => {
    expect(decode(real0B({ '16': '', '228': '', '14': '0002352536', '11': '-0' }))).toMatchObject({ open: 0, strength: null, cumValue: 2352536, change: 0 });
  });

  it('0B with an _AL / _NX item: the symbol without suffix, the venue from it', () => {
    expect(decode(real0B({}, '066310_AL'))).toMatchObject({ symbol: '066310', venue: 'SOR' });
    expect(decode(real0B({}, '066310_NX'))).toMatchObject({ symbol: '066310', venue: 'NXT' });
  });

  it('0B FID 9081: "KRX" / "NXT" text is the printing venue (an _AL item streams both); other forms are null', () => {
    expect(decode(real0B({}, '066310_AL'))).toMatchObject({ venue: 'SOR', tradeVenue: 'KRX' });
    expect(decode(real0B({ '9081': 'NXT' }, '066310_AL'))).toMatchObject({ venue: 'SOR', tradeVenue: 'NXT' });
    expect(decode(real0B({ '9081': ' NXT ' }))).toMatchObject({ tradeVenue: 'NXT' });
    for (const other of ['통합', '1', 'krx', '', 'KRXX']) expect(decode(real0B({ '9081': other }))).toMatchObject({ tradeVenue: null });
    const absent = real0B();
    delete absent.values['9081'];
    expect(decode(absent)).toMatchObject({ tradeVenue: null });
  });

  it('0B FID 290 장구분 kept raw: "2" (continuous), other short codes as sent, long or non-ASCII ones dropped', () => {
    expect(decode(real0B())).toMatchObject({ sessionCode: '2' });
    expect(decode(real0B({ '290': ' 1 ' }))).toMatchObject({ sessionCode: '1' });
    expect(decode(real0B({ '290': '12345678' }))).toMatchObject({ sessionCode: '12345678' });
    for (const dropped of ['123456789', '가', 'a b', '']) expect(decode(real0B({ '290': dropped }))).toMatchObject({ sessionCode: '' });
  });
});
