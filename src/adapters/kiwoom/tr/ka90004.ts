import { kCode, kPrice, kRate, kSignCode, kSigned, kText } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';

/** ka90004 종목별프로그램매매현황요청 request. */
export interface Ka90004Request {
  dt: string;
  mrkt_tp: 'P00101' | 'P10102';
  stex_tp: '1' | '2' | '3';
}

const row = {
  stk_cd: kCode,
  stk_nm: kText,
  cur_prc: kPrice,
  flu_sig: kSignCode,
  pred_pre: kSigned,
  buy_cntr_qty: kSigned,
  buy_cntr_amt: kSigned,
  sel_cntr_qty: kSigned,
  sel_cntr_amt: kSigned,
  netprps_prica: kSigned,
  all_trde_rt: kRate,
};

/** Totals: 1 매수체결수량, 2 매수체결금액, 3 매도체결수량, 4 매도체결금액, 5 순매수대금, 6 합계6. */
const totals = { tot_1: kSigned, tot_2: kSigned, tot_3: kSigned, tot_4: kSigned, tot_5: kSigned, tot_6: kSigned };

/** ka90004 종목별프로그램매매현황요청: totals plus list `stk_prm_trde_prst` (totals taken from the first page). */
export const ka90004 = defineListTr<Ka90004Request, 'stk_prm_trde_prst', typeof row, typeof totals>(
  'ka90004',
  KIWOOM_PATHS.stkinfo,
  'stk_prm_trde_prst',
  row,
  totals,
);
