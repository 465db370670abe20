import { kCode, kDate, kFlag, kPrice, kSigned, kText } from '../codecs.js';

/** One stock as ka10099 lists it and ka10100 returns it. */
export const stockRowFields = {
  code: kCode,
  name: kText,
  listCount: kSigned,
  auditInfo: kText,
  regDay: kDate,
  lastPrice: kPrice,
  state: kText,
  marketCode: kText,
  marketName: kText,
  upName: kText,
  upSizeName: kText,
  /** KOSDAQ only. */
  companyClassName: kText.optional(),
  /** 0 해당없음, 1 ETF투자주의요망, 2 정리매매, 3 단기과열, 4 투자위험, 5 투자경고 */
  orderWarning: kText,
  nxtEnable: kFlag,
  /** Undocumented key of real ka10099 rows, `"A"`/`"Q"` (KWP:종목정보/ka10099.txt @439395b); meaning [U]. */
  kind: kText.optional(),
};
