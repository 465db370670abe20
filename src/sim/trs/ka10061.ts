import type { SimContext } from '../context.js';
import { DATE, doubledMinus, investorColumns, NOT_FOUND, rng, STK, stockOf, STKINFO, type SimTr, type SimTrAnswer } from './shared.js';

/** ka10061 종목별투자자기관별합계요청: one row of totals; negatives with a doubled minus (KWP ka10061.txt). */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const s = stockOf(ctx, body.stk_cd ?? '');
  if (s === undefined) return NOT_FOUND;
  const r = rng(ctx, 'ka10061', s.code, body.strt_dt ?? '', body.end_dt ?? '', body.amt_qty_tp ?? '', body.trde_tp ?? '', body.unit_tp ?? '');
  const unit = body.unit_tp === '1000' ? 1000 : 1;
  const scale = body.amt_qty_tp === '1' ? (s.prevVolume * s.prevClose) / 1_000_000 / 5 : s.prevVolume / unit / 5;
  return { kind: 'list', key: 'stk_invsr_orgn_tot', rows: [investorColumns(r, scale, body.trde_tp ?? '0', doubledMinus)], paged: false };
}

export const ka10061: SimTr = {
  path: STKINFO,
  fields: { stk_cd: STK, strt_dt: DATE, end_dt: DATE, amt_qty_tp: /^[12]$/, trde_tp: /^[012]$/, unit_tp: /^(1000|1)$/ },
  build,
};
