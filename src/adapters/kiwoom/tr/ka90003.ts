import { kCode, kPrice, kRate, kSignCode, kSigned, kText } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';

/** ka90003 프로그램순매수상위50요청 request. */
export interface Ka90003Request {
  /** 1 순매도상위, 2 순매수상위 */
  trde_upper_tp: '1' | '2';
  amt_qty_tp: '1' | '2';
  /** P00101 코스피, P10102 코스닥 */
  mrkt_tp: 'P00101' | 'P10102';
  stex_tp: '1' | '2' | '3';
}

const row = {
  rank: kSigned,
  stk_cd: kCode,
  stk_nm: kText,
  cur_prc: kPrice,
  flu_sig: kSignCode,
  pred_pre: kSigned,
  flu_rt: kRate,
  acc_trde_qty: kSigned,
  prm_sell_amt: kSigned,
  prm_buy_amt: kSigned,
  prm_netprps_amt: kSigned,
};

/** ka90003 프로그램순매수상위50요청: list `prm_netprps_upper_50`. */
export const ka90003 = defineListTr<Ka90003Request, 'prm_netprps_upper_50', typeof row>(
  'ka90003',
  KIWOOM_PATHS.stkinfo,
  'prm_netprps_upper_50',
  row,
);
