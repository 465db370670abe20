import { kText } from '../codecs.js';
import { defineObjectTr, KIWOOM_PATHS } from '../tr-spec.js';
import { stockRowFields } from './stock-row.js';

/** ka10100 종목정보 조회 request. */
export interface Ka10100Request {
  stk_cd: string;
}

const shape = {
  ...stockRowFields,
  /** 경쟁매매 거래량 제한 여부: absent (or null) on the real server (KWP:종목정보/ka10100.txt @439395b). */
  nxtv: kText.nullish(),
};

/** ka10100 종목정보 조회: one ka10099 row as a flat object, plus `nxtv`. */
export const ka10100 = defineObjectTr<Ka10100Request, typeof shape>('ka10100', KIWOOM_PATHS.stkinfo, shape);
