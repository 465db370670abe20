import type { SimContext } from '../context.js';
import { signedInt } from '../format.js';
import { amountOf, DATE, quote, STEX, STKINFO, venueCode, type SimTr, type SimTrAnswer } from './shared.js';

/** A rate signed even at zero (KWP ka90004.txt `all_trde_rt` `"+0.00"`). */
function alwaysSignedRate(r: number): string {
  const s = Math.abs(r).toFixed(2);
  return r < 0 && s !== '0.00' ? `-${s}` : `+${s}`;
}

/** ka90004 종목별프로그램매매현황요청: totals `tot_1`-`tot_6` (`tot_6` empty, as real) and list `stk_prm_trde_prst`. */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const stocks = ctx.market.stocksOf(body.mrkt_tp === 'P00101' ? 'KOSPI' : 'KOSDAQ');
  let buyQ = 0, buyA = 0, sellQ = 0, sellA = 0;
  const rows = stocks.map((s) => {
    const bq = Math.trunc(s.progBuy / s.price);
    const sq = Math.trunc(s.progSell / s.price);
    buyQ += bq; sellQ += sq; buyA += amountOf(s.progBuy); sellA += amountOf(s.progSell);
    const q = quote(s);
    return {
      stk_cd: venueCode(s.code, body.stex_tp),
      stk_nm: s.name,
      cur_prc: q.cur_prc,
      flu_sig: q.pre_sig,
      pred_pre: q.pred_pre,
      buy_cntr_qty: String(bq),
      buy_cntr_amt: String(amountOf(s.progBuy)),
      sel_cntr_qty: String(sq),
      sel_cntr_amt: String(amountOf(s.progSell)),
      netprps_prica: signedInt(amountOf(s.progBuy - s.progSell)),
      all_trde_rt: alwaysSignedRate(s.accValue === 0 ? 0 : ((s.progBuy + s.progSell) / (2 * s.accValue)) * 100),
    };
  });
  const head = { tot_1: String(buyQ), tot_2: String(buyA), tot_3: String(sellQ), tot_4: String(sellA), tot_5: signedInt(buyA - sellA), tot_6: '' };
  return { kind: 'list', key: 'stk_prm_trde_prst', rows, head, paged: true };
}

export const ka90004: SimTr = { path: STKINFO, fields: { dt: DATE, mrkt_tp: /^(P00101|P10102)$/, stex_tp: STEX }, build };
