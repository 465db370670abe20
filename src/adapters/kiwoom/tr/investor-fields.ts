import { kSigned } from '../codecs.js';

/** Investor-category amounts shared by ka10059, ka10061 and ka10066 (signed; unit undocumented). */
export const investorFields = {
  ind_invsr: kSigned,
  frgnr_invsr: kSigned,
  orgn: kSigned,
  fnnc_invt: kSigned,
  insrnc: kSigned,
  invtrt: kSigned,
  etc_fnnc: kSigned,
  bank: kSigned,
  penfnd_etc: kSigned,
  samo_fund: kSigned,
  natn: kSigned,
  etc_corp: kSigned,
};
