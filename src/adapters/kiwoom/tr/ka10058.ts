import { kCode, kPrice, kRate, kSignCode, kSigned, kText } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';

/** ka10058 투자자별일별매매종목요청 request. */
export interface Ka10058Request {
  strt_dt: string;
  end_dt: string;
  /** 1 순매도, 2 순매수 */
  trde_tp: '1' | '2';
  /** 001 코스피, 101 코스닥 */
  mrkt_tp: '001' | '101';
  /** 8000 개인, 9000 외국인, 1000 금융투자, 3000 투신, 3100 사모펀드, 5000 기타금융, 4000 은행, 2000 보험, 6000 연기금, 7000 국가, 7100 기타법인, 9999 기관계 */
  invsr_tp: string;
  /** 1 KRX, 2 NXT, 3 통합 */
  stex_tp: '1' | '2' | '3';
}

const row = {
  stk_cd: kCode,
  stk_nm: kText,
  netslmt_qty: kSigned,
  netslmt_amt: kSigned,
  prsm_avg_pric: kPrice,
  cur_prc: kPrice,
  pre_sig: kSignCode,
  pred_pre: kSigned,
  avg_pric_pre: kSigned,
  pre_rt: kRate,
  dt_trde_qty: kSigned,
};

/** ka10058 투자자별일별매매종목요청: list `invsr_daly_trde_stk`. */
export const ka10058 = defineListTr<Ka10058Request, 'invsr_daly_trde_stk', typeof row>(
  'ka10058',
  KIWOOM_PATHS.stkinfo,
  'invsr_daly_trde_stk',
  row,
);
