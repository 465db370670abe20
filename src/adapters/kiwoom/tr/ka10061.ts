import { kSigned } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';
import { investorFields } from './investor-fields.js';

/** ka10061 종목별투자자기관별합계요청 request. */
export interface Ka10061Request {
  stk_cd: string;
  strt_dt: string;
  end_dt: string;
  amt_qty_tp: '1' | '2';
  /** Sources disagree: the official example lists only 0 순매수; seed 003 also 1 매수, 2 매도. */
  trde_tp: '0' | '1' | '2';
  unit_tp: '1000' | '1';
}

const row = { ...investorFields, natfor: kSigned };

/** ka10061 종목별투자자기관별합계요청: list `stk_invsr_orgn_tot`. */
export const ka10061 = defineListTr<Ka10061Request, 'stk_invsr_orgn_tot', typeof row>(
  'ka10061',
  KIWOOM_PATHS.stkinfo,
  'stk_invsr_orgn_tot',
  row,
);
