import type { SimContext } from '../context.js';
import { changeRate, signedInt, signedRate } from '../format.js';
import type { SimStock } from '../universe.js';
import { DATE, pick, quote, rng, STEX, STKINFO, venueCode, type SimTr, type SimTrAnswer } from './shared.js';

/** ka10058 투자자별일별매매종목요청: list `invsr_daly_trde_stk`, codes echoed with the venue suffix. */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const market = body.mrkt_tp === '001' ? 'KOSPI' : 'KOSDAQ';
  const r = rng(ctx, 'ka10058', body.strt_dt ?? '', body.end_dt ?? '', body.invsr_tp ?? '', body.mrkt_tp ?? '');
  const stocks = ctx.market.stocksOf(market);
  const picked = new Set<SimStock>();
  while (picked.size < Math.min(60, stocks.length)) {
    const s = stocks[r.int(stocks.length)];
    if (s !== undefined) picked.add(s);
  }
  const rows = [...picked].map((s) => {
    const qty = Math.round(Math.exp(r.normal()) * s.prevVolume * 0.05) + 1;
    const avg = Math.round(s.prevClose * r.between(0.97, 1.03));
    return {
      row: {
        stk_cd: venueCode(s.code, body.stex_tp),
        stk_nm: s.name,
        netslmt_qty: signedInt(qty),
        netslmt_amt: signedInt(Math.round((qty * avg) / 1_000_000)),
        prsm_avg_pric: String(avg),
        ...pick(quote(s), ['cur_prc', 'pre_sig', 'pred_pre']),
        avg_pric_pre: signedInt(s.price - avg),
        pre_rt: signedRate(changeRate(s.price, avg)),
        dt_trde_qty: String(s.prevVolume + s.accVolume),
      },
      key: qty * avg,
    };
  });
  rows.sort((a, b) => b.key - a.key);
  return { kind: 'list', key: 'invsr_daly_trde_stk', rows: rows.map((x) => x.row), paged: true };
}

export const ka10058: SimTr = {
  path: STKINFO,
  fields: {
    strt_dt: DATE,
    end_dt: DATE,
    trde_tp: /^[12]$/,
    mrkt_tp: /^(001|101)$/,
    invsr_tp: /^(8000|9000|1000|3000|3100|5000|4000|2000|6000|7000|7100|9999)$/,
    stex_tp: STEX,
  },
  build,
};
