import { kCode, kDate, kDecimal, kPrice, kRate, kSignCode, kSigned, kText } from '../codecs.js';
import { defineObjectTr, KIWOOM_PATHS } from '../tr-spec.js';

/** ka10001 주식기본정보요청 request. */
export interface Ka10001Request {
  /** KRX `039490`, NXT `039490_NX`, SOR `039490_AL`. */
  stk_cd: string;
}

/** ka10001 주식기본정보요청: one flat object. Units of cap/flo_stk are undocumented; `mac` looks like 억원. */
const shape = {
  stk_cd: kCode,
  stk_nm: kText,
  setl_mm: kText,
  fav: kDecimal,
  fav_unit: kText,
  cap: kDecimal,
  flo_stk: kDecimal,
  dstr_stk: kDecimal,
  dstr_rt: kRate,
  crd_rt: kRate,
  for_exh_rt: kRate,
  repl_pric: kPrice,
  mac: kDecimal,
  mac_wght: kRate,
  oyr_hgst: kPrice,
  oyr_lwst: kPrice,
  per: kDecimal,
  eps: kDecimal,
  roe: kDecimal,
  pbr: kDecimal,
  ev: kDecimal,
  bps: kDecimal,
  sale_amt: kDecimal,
  bus_pro: kDecimal,
  cup_nga: kDecimal,
  '250hgst': kPrice,
  '250lwst': kPrice,
  '250hgst_pric_dt': kDate,
  '250hgst_pric_pre_rt': kRate,
  '250lwst_pric_dt': kDate,
  '250lwst_pric_pre_rt': kRate,
  open_pric: kPrice,
  high_pric: kPrice,
  low_pric: kPrice,
  upl_pric: kPrice,
  lst_pric: kPrice,
  base_pric: kPrice,
  exp_cntr_pric: kPrice,
  exp_cntr_qty: kSigned,
  cur_prc: kPrice,
  pre_sig: kSignCode,
  pred_pre: kSigned,
  flu_rt: kRate,
  trde_qty: kSigned,
  trde_pre: kRate,
};

export const ka10001 = defineObjectTr<Ka10001Request, typeof shape>('ka10001', KIWOOM_PATHS.stkinfo, shape);
