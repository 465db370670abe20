import type { SimContext } from '../context.js';
import type { SimStock } from '../universe.js';
import { STKINFO, type SimTr, type SimTrAnswer } from './shared.js';

/**
 * One ka10099/ka10100 row as the real server writes it (KWP ka10099.txt, ka10100.txt): `listCount`
 * zero-padded to 16 digits, `lastPrice` to 8, and an undocumented `kind` key.
 */
export function listRow(s: SimStock): Record<string, string> {
  return {
    code: s.code,
    name: s.name,
    listCount: String(s.listCount).padStart(16, '0'),
    auditInfo: '정상',
    regDay: s.regDay,
    lastPrice: String(s.prevClose).padStart(8, '0'),
    state: '증거금40%|담보대출|신용가능',
    marketCode: s.market === 'KOSPI' ? '0' : '10',
    marketName: s.market === 'KOSPI' ? '거래소' : '코스닥',
    upName: s.sector,
    upSizeName: s.sizeClass,
    companyClassName: s.market === 'KOSDAQ' ? '중견기업부' : '',
    orderWarning: orderWarningOf(s),
    nxtEnable: s.nxtEnable ? 'Y' : 'N',
    kind: 'A',
  };
}

/**
 * A few stocks carry a warning, as on a real day (a handful of 정리매매/투자위험/경고 among ~4,000):
 * picked by listing index (no random draw, so the rest of the market is unchanged); the well-known
 * names at the head of the listing never.
 */
export function orderWarningOf(s: SimStock): string {
  if (s.index < 20) return '0';
  if (s.index % 47 === 5) return '2'; // 정리매매
  if (s.index % 53 === 7) return '4'; // 투자위험
  if (s.index % 59 === 11) return '5'; // 투자경고
  if (s.index % 61 === 13) return '3'; // 단기과열
  return '0';
}

/** ka10099 종목정보 리스트: a whole market in one answer (KWP ka10099.txt: 2437 rows within the page cap). */
function build(ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const mt = body.mrkt_tp;
  const stocks = mt === '0' ? ctx.market.stocksOf('KOSPI') : mt === '10' ? ctx.market.stocksOf('KOSDAQ') : [];
  return { kind: 'list', key: 'list', rows: stocks.map(listRow), paged: false };
}

export const ka10099: SimTr = { path: STKINFO, fields: { mrkt_tp: /^(0|10|30|50|60|70|80|90|2|3|4|5|6|7|8|9)$/ }, build };
