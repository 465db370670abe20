import { kCode, kPrice, kRate, kSignCode, kSigned, kText } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';
import { investorFields } from './investor-fields.js';

/** ka10066 장마감후투자자별매매요청 request. */
export interface Ka10066Request {
  /** 000 전체, 001 코스피, 101 코스닥 */
  mrkt_tp: '000' | '001' | '101';
  amt_qty_tp: '1' | '2';
  trde_tp: '0' | '1' | '2';
  stex_tp: '1' | '2' | '3';
}

const row = {
  stk_cd: kCode,
  stk_nm: kText,
  cur_prc: kPrice,
  pre_sig: kSignCode,
  pred_pre: kSigned,
  flu_rt: kRate,
  trde_qty: kSigned,
  ...investorFields,
};

/** ka10066 장마감후투자자별매매요청 (POST /api/dostk/mrkcond): list `opaf_invsr_trde`. */
export const ka10066 = defineListTr<Ka10066Request, 'opaf_invsr_trde', typeof row>(
  'ka10066',
  KIWOOM_PATHS.mrkcond,
  'opaf_invsr_trde',
  row,
);
