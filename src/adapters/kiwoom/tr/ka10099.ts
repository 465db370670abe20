import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';
import { stockRowFields } from './stock-row.js';

/** ka10099 종목정보 리스트 request. */
export interface Ka10099Request {
  /** 0 코스피, 10 코스닥, 30 K-OTC, 50 코넥스, 60 ETN, 70 손실제한ETN, 80 금현물, 90 변동성ETN, 2 인프라투융자, 3 ELW, 4 뮤추얼펀드, 5 신주인수권, 6 리츠, 7 신주인수권증서, 8 ETF, 9 하이일드 */
  mrkt_tp: string;
}

/** ka10099 종목정보 리스트: list `list`, paged with cont-yn/next-key. */
export const ka10099 = defineListTr<Ka10099Request, 'list', typeof stockRowFields>(
  'ka10099',
  KIWOOM_PATHS.stkinfo,
  'list',
  stockRowFields,
);
