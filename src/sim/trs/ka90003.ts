import type { SimContext } from '../context.js';
import { signedInt } from '../format.js';
import type { ProgramMarket } from '../market.js';
import { amountOf, quote, STEX, STKINFO, venueCode, type SimTr, type SimTrAnswer } from './shared.js';

/** Rows of a "top 50" answer on the real server (KWP ka90003.txt: ranks 1-150). */
export const KA90003_ROWS = 150;

/** ka90003 프로그램순매수상위50요청: list `prm_netprps_upper_50`, 150 rows in one answer. */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const market = body.mrkt_tp as ProgramMarket;
  const direction = body.trde_upper_tp === '1' ? 'sell' : 'buy';
  const byQty = body.amt_qty_tp === '2';
  const rows = ctx.market.programRanking(market, KA90003_ROWS, direction).map((row) => {
    const s = ctx.market.byCode.get(row.code);
    const q = s === undefined ? undefined : quote(s);
    const conv = (won: number): number => (byQty ? Math.trunc(won / Math.max(1, row.price)) : amountOf(won));
    return {
      rank: String(row.rank),
      stk_cd: venueCode(row.code, body.stex_tp),
      stk_nm: row.name,
      cur_prc: q?.cur_prc ?? String(row.price),
      flu_sig: q?.pre_sig ?? '3',
      pred_pre: q?.pred_pre ?? '0',
      flu_rt: q?.flu_rt ?? '0.00',
      acc_trde_qty: String(s?.accVolume ?? 0),
      prm_sell_amt: String(conv(row.sellAmount)),
      prm_buy_amt: String(conv(row.buyAmount)),
      prm_netprps_amt: signedInt(conv(row.netAmount)),
    };
  });
  return { kind: 'list', key: 'prm_netprps_upper_50', rows, paged: false };
}

export const ka90003: SimTr = {
  path: STKINFO,
  fields: { trde_upper_tp: /^[12]$/, amt_qty_tp: /^[12]$/, mrkt_tp: /^(P00101|P10102)$/, stex_tp: STEX },
  build,
};
