import { kDate, kPrice, kRateImplied, kSignCode, kSigned } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';
import { investorFields } from './investor-fields.js';

/** ka10059 종목별투자자기관별요청 request. */
export interface Ka10059Request {
  dt: string;
  stk_cd: string;
  /** 1 금액, 2 수량 */
  amt_qty_tp: '1' | '2';
  /** 0 순매수, 1 매수, 2 매도 */
  trde_tp: '0' | '1' | '2';
  /** 1000 천주, 1 단주 */
  unit_tp: '1000' | '1';
}

const row = {
  dt: kDate,
  cur_prc: kPrice,
  pre_sig: kSignCode,
  pred_pre: kSigned,
  /** Two implied decimals on the real server: "+122" = 1.22 % (KWP:종목정보/ka10059.txt @372a17f). */
  flu_rt: kRateImplied,
  acc_trde_qty: kSigned,
  acc_trde_prica: kSigned,
  ...investorFields,
  natfor: kSigned,
};

/** ka10059 종목별투자자기관별요청: list `stk_invsr_orgn`, one row per day. */
export const ka10059 = defineListTr<Ka10059Request, 'stk_invsr_orgn', typeof row>(
  'ka10059',
  KIWOOM_PATHS.stkinfo,
  'stk_invsr_orgn',
  row,
);
