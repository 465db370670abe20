import { kCode, kPrice, kRate, kSignCode, kSigned, kText } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';

/** ka20002 업종별주가요청 request. */
export interface Ka20002Request {
  /** 0 코스피, 1 코스닥, 2 코스피200 */
  mrkt_tp: '0' | '1' | '2';
  /** 001 종합(KOSPI), 002 대형주, 003 중형주, 004 소형주, 101 종합(KOSDAQ), 201 KOSPI200, 302 KOSTAR, 701 KRX100; others from ka10101 */
  inds_cd: string;
  stex_tp: '1' | '2' | '3';
}

const row = {
  stk_cd: kCode,
  stk_nm: kText,
  cur_prc: kPrice,
  pred_pre_sig: kSignCode,
  pred_pre: kSigned,
  flu_rt: kRate,
  now_trde_qty: kSigned,
  sel_bid: kPrice,
  buy_bid: kPrice,
  open_pric: kPrice,
  high_pric: kPrice,
  low_pric: kPrice,
};

/** ka20002 업종별주가요청 (POST /api/dostk/sect): list `inds_stkpc`. */
export const ka20002 = defineListTr<Ka20002Request, 'inds_stkpc', typeof row>('ka20002', KIWOOM_PATHS.sect, 'inds_stkpc', row);
