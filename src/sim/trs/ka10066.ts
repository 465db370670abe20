import type { SimContext } from '../context.js';
import { investorColumns, plainSigned, quote, rng, STEX, venueCode, type SimTr, type SimTrAnswer } from './shared.js';

/** ka10066 장마감후투자자별매매요청: list `opaf_invsr_trde`; `stk_cd` echoes `_AL` for stex_tp 3 (KWP ka10066.txt). */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const mt = body.mrkt_tp;
  const stocks = mt === '001' ? ctx.market.stocksOf('KOSPI') : mt === '101' ? ctx.market.stocksOf('KOSDAQ') : ctx.market.stocks;
  const r = rng(ctx, 'ka10066', mt ?? '', body.amt_qty_tp ?? '', body.trde_tp ?? '', body.stex_tp ?? '');
  const rows = stocks.map((s) => {
    const scale = body.amt_qty_tp === '1' ? (s.accValue / 1_000_000) * 0.01 : s.accVolume * 0.01;
    const { natfor: _natfor, ...investors } = investorColumns(r, scale, body.trde_tp ?? '0', plainSigned);
    return {
      stk_cd: venueCode(s.code, body.stex_tp),
      stk_nm: s.name,
      ...quote(s),
      trde_qty: String(s.accVolume),
      ...investors,
    };
  });
  return { kind: 'list', key: 'opaf_invsr_trde', rows, paged: true };
}

export const ka10066: SimTr = {
  path: '/api/dostk/mrkcond',
  fields: { mrkt_tp: /^(000|001|101)$/, amt_qty_tp: /^[12]$/, trde_tp: /^[012]$/, stex_tp: STEX },
  build,
};
