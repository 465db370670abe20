import type { SimContext } from '../context.js';
import { changeRate, floorToTick, signCode, signedInt, signedPrice } from '../format.js';
import { DATE, investorColumns, NOT_FOUND, plainSigned, previousBusinessDays, rng, STK, stockOf, STKINFO, type SimTr, type SimTrAnswer } from './shared.js';

/** Business days of history per answer: the real server pages back for years (KWP ka10059.txt: 1000 rows at the cap). */
export const KA10059_HISTORY_DAYS = 1500;

/** The real ka10059 rate: a ×100 integer without a decimal point (`"+122"` = 1.22 %, KWP ka10059.txt). */
export function hundredthsRate(rate: number): string {
  return signedInt(Math.round(rate * 100));
}

/** ka10059 종목별투자자기관별요청: list `stk_invsr_orgn`, one row per business day, newest first, over many pages. */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const s = stockOf(ctx, body.stk_cd ?? '');
  if (s === undefined) return NOT_FOUND;
  const r = rng(ctx, 'ka10059', s.code, body.dt ?? '', body.amt_qty_tp ?? '', body.trde_tp ?? '', body.unit_tp ?? '');
  const unit = body.unit_tp === '1000' ? 1000 : 1;
  const rows: Record<string, string>[] = [];
  // A random walk backwards: each day's close is the next day's previous close.
  let price = s.price;
  let prev = s.prevClose;
  for (const dt of previousBusinessDays(body.dt ?? '', KA10059_HISTORY_DAYS)) {
    const vol = Math.round(s.prevVolume * r.between(0.5, 1.5));
    const scale = body.amt_qty_tp === '1' ? (vol * price) / 1_000_000 / 10 : vol / unit / 10;
    rows.push({
      dt,
      cur_prc: signedPrice(price, prev),
      pre_sig: signCode(price, prev),
      pred_pre: signedInt(price - prev),
      flu_rt: hundredthsRate(changeRate(price, prev)),
      acc_trde_qty: String(vol),
      acc_trde_prica: String(Math.round((vol * price) / 1_000_000)),
      ...investorColumns(r, scale, body.trde_tp ?? '0', plainSigned),
    });
    price = prev;
    const move = r.next() < 0.08 ? 0 : Math.max(-0.25, Math.min(0.25, r.normal() * 0.02));
    prev = Math.max(100, floorToTick(Math.round(price / (1 + move))));
  }
  return { kind: 'list', key: 'stk_invsr_orgn', rows, paged: true };
}

export const ka10059: SimTr = {
  path: STKINFO,
  fields: { dt: DATE, stk_cd: STK, amt_qty_tp: /^[12]$/, trde_tp: /^[012]$/, unit_tp: /^(1000|1)$/ },
  build,
};
