import type { SimContext } from '../context.js';
import { changeRate, signedPrice, signedRate, tickDown, tickUp } from '../format.js';
import { NOT_FOUND, quote, rng, STK, stockOf, STKINFO, type SimTr, type SimTrAnswer } from './shared.js';

/** ka10001 accepts at most this many `|`-joined codes; more is the 1634 batch-limit error. */
export const BATCH_LIMIT = 100;

/**
 * ka10001 주식기본정보요청: a flat object. Real forms (KWP ka10001.txt): `mac_wght` `""`,
 * `exp_cntr_pric` `"-0"`, one-decimal `dstr_rt`/`roe`, `mac` in 억원.
 */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const codes = (body.stk_cd ?? '').split('|');
  if (codes.length > BATCH_LIMIT) {
    return { kind: 'error', returnCode: 5, msg: '허용된 요청 개수를 초과하였습니다[1634:허용된 요청 개수를 초과하였습니다.]' };
  }
  const stkCd = codes[0] ?? '';
  if (!STK.test(stkCd)) return { kind: 'error', returnCode: 2, msg: `입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다. 요소명=stk_cd]` };
  const s = stockOf(ctx, stkCd);
  if (s === undefined) return NOT_FOUND;
  const r = rng(ctx, 'ka10001', s.code);
  const pc = s.prevClose;
  const hi250 = tickUp(Math.round(Math.max(s.high, pc) * r.between(1.05, 1.6)));
  const lo250 = tickDown(Math.round(Math.min(s.low, pc) * r.between(0.5, 0.95)));
  const eps = Math.round(pc / r.between(5, 40));
  const bps = Math.round(pc / r.between(0.5, 3));
  const mac = Math.floor((s.price * s.listCount) / 100_000_000);
  return {
    kind: 'flat',
    body: {
      stk_cd: stkCd,
      stk_nm: s.name,
      setl_mm: '12',
      fav: s.code === '005930' ? '100' : '500',
      fav_unit: '원',
      cap: String(Math.round((s.listCount * 500) / 100_000_000)),
      flo_stk: String(Math.round(s.listCount / 1000)),
      dstr_stk: String(Math.round((s.listCount * 0.75) / 1000)),
      dstr_rt: r.between(40, 90).toFixed(1),
      crd_rt: signedRate(r.between(0, 3)),
      for_exh_rt: signedRate(r.between(0, 55)),
      repl_pric: String(Math.floor((pc * 0.7) / 10) * 10),
      mac: String(mac),
      mac_wght: '',
      oyr_hgst: signedPrice(hi250, pc),
      oyr_lwst: signedPrice(lo250, pc),
      per: (pc / eps).toFixed(2),
      eps: String(eps),
      roe: r.between(1, 25).toFixed(1),
      pbr: (pc / bps).toFixed(2),
      ev: r.between(2, 30).toFixed(2),
      bps: String(bps),
      sale_amt: String(Math.round(mac * r.between(0.3, 2))),
      bus_pro: String(Math.round(mac * r.between(0.01, 0.2))),
      cup_nga: String(Math.round(mac * r.between(0.005, 0.15))),
      '250hgst': signedPrice(hi250, pc),
      '250lwst': signedPrice(lo250, pc),
      open_pric: signedPrice(s.open, pc),
      high_pric: signedPrice(s.high, pc),
      low_pric: signedPrice(s.low, pc),
      upl_pric: signedPrice(s.upper, pc),
      lst_pric: signedPrice(s.lower, pc),
      base_pric: String(pc),
      // Outside an auction the real server sends a signed zero.
      exp_cntr_pric: '-0',
      exp_cntr_qty: '0',
      '250hgst_pric_dt': '20250' + String(1 + r.int(9)) + '1' + String(r.int(9)),
      '250hgst_pric_pre_rt': signedRate(changeRate(s.price, hi250)),
      '250lwst_pric_dt': '20241' + String(r.int(3)) + '0' + String(1 + r.int(9)),
      '250lwst_pric_pre_rt': signedRate(changeRate(s.price, lo250)),
      ...quote(s),
      trde_qty: String(s.accVolume),
      trde_pre: signedRate(s.prevVolume === 0 ? 0 : ((s.accVolume - s.prevVolume) / s.prevVolume) * 100),
    },
  };
}

export const ka10001: SimTr = { path: STKINFO, fields: { stk_cd: /^[0-9A-Z_|]{6,}$/ }, build };
