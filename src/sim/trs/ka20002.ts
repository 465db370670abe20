import type { SimContext } from '../context.js';
import { signedPrice, tickDown, tickUp } from '../format.js';
import type { SimStock } from '../universe.js';
import { SECTORS } from './ka10101.js';
import { quote, STEX, venueCode, type SimTr, type SimTrAnswer } from './shared.js';

function sectorMembers(ctx: SimContext, indsCd: string): SimStock[] {
  const kospi = ctx.market.stocksOf('KOSPI');
  const kosdaq = ctx.market.stocksOf('KOSDAQ');
  const byCap = (list: SimStock[]): SimStock[] => [...list].sort((a, b) => b.prevClose * b.listCount - a.prevClose * a.listCount || (a.code < b.code ? -1 : 1));
  switch (indsCd) {
    case '001': return kospi;
    case '002': return kospi.filter((s) => s.sizeClass === '대형주');
    case '003': return kospi.filter((s) => s.sizeClass === '중형주');
    case '004': return kospi.filter((s) => s.sizeClass === '소형주');
    case '101': return kosdaq;
    case '201': return byCap(kospi).slice(0, 200);
    case '701': return byCap(ctx.market.stocks).slice(0, 100);
    default: {
      const all = Object.values(SECTORS).flat().find(([code]) => code === indsCd);
      return all === undefined ? [] : ctx.market.stocks.filter((s) => s.sector === all[1]);
    }
  }
}

/** ka20002 업종별주가요청: list `inds_stkpc`; flat prices unsigned (KWP ka20002.txt). */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const rows = sectorMembers(ctx, body.inds_cd ?? '').map((s) => {
    const pc = s.prevClose;
    const q = quote(s);
    return {
      stk_cd: venueCode(s.code, body.stex_tp),
      stk_nm: s.name,
      cur_prc: q.cur_prc,
      pred_pre_sig: q.pre_sig,
      pred_pre: q.pred_pre,
      flu_rt: q.flu_rt,
      now_trde_qty: String(s.accVolume),
      sel_bid: signedPrice(Math.min(s.upper, tickUp(s.price)), pc),
      buy_bid: signedPrice(Math.max(s.lower, tickDown(s.price)), pc),
      open_pric: signedPrice(s.open, pc),
      high_pric: signedPrice(s.high, pc),
      low_pric: signedPrice(s.low, pc),
    };
  });
  return { kind: 'list', key: 'inds_stkpc', rows, paged: true };
}

export const ka20002: SimTr = { path: '/api/dostk/sect', fields: { mrkt_tp: /^[012]$/, inds_cd: /^\d{3}$/, stex_tp: STEX }, build };
