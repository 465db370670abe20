import type { SimContext } from '../context.js';
import { listRow } from './ka10099.js';
import { NOT_FOUND, STK, stockOf, STKINFO, type SimTr, type SimTrAnswer } from './shared.js';

/** ka10100 종목정보 조회: one ka10099 row, flat; the real server sends no `nxtv` (KWP ka10100.txt). */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const s = stockOf(ctx, body.stk_cd ?? '');
  if (s === undefined) return NOT_FOUND;
  return { kind: 'flat', body: listRow(s) };
}

export const ka10100: SimTr = { path: STKINFO, fields: { stk_cd: STK }, build };
