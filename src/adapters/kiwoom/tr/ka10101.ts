import { kCode, kText } from '../codecs.js';
import { defineListTr, KIWOOM_PATHS } from '../tr-spec.js';

/** ka10101 업종코드 리스트 request. */
export interface Ka10101Request {
  /** 0 코스피, 1 코스닥, 2 KOSPI200, 4 KOSPI100, 7 KRX100 */
  mrkt_tp: '0' | '1' | '2' | '4' | '7';
}

/**
 * `group` is "13" for code 013 (KWP:종목정보/ka10101.txt @439395b). Real rows also lead with an
 * undocumented `marketCode`: tolerated and counted as schema drift (drift.ts), not read.
 */
const row = { code: kCode, name: kText, group: kText };

/** ka10101 업종코드 리스트: list `list`. */
export const ka10101 = defineListTr<Ka10101Request, 'list', typeof row>('ka10101', KIWOOM_PATHS.stkinfo, 'list', row);
