// Kiwoom's per-stock TRs as domain events: the adapter functions of the `stock-master`, `info`,
// `investor-flow` and `investor-totals` sources (src/app/market-sources.ts).
import { formatKstDate } from '../../core/kst.js';
import type { BasicInfoEvent, InvestorFigures, InvestorFlowEvent, InvestorTotalsEvent, StockMasterEvent } from '../../core/market.js';
import type { StockMasterEntry } from '../../core/stock-master.js';
import type { KiwoomApi } from './api.js';

/** ka10099 `mrkt_tp` codes the daemon loads by default: 0 코스피, 10 코스닥. */
export const MASTER_MARKETS = ['0', '10'] as const;

/**
 * ka10099 for each market, one after the other (each one answer on the real server: 2,437 KOSPI rows
 * within the page cap), as one StockMasterEvent stamped with the last answer's arrival.
 */
export async function stockMaster(api: Pick<KiwoomApi, 'ka10099'>, markets: readonly string[]): Promise<StockMasterEvent> {
  const entries: StockMasterEntry[] = [];
  let receivedAt = 0;
  for (const mrkt_tp of markets) {
    const answer = await api.ka10099({ mrkt_tp });
    receivedAt = answer.receivedAt;
    for (const r of answer.data.list) {
      entries.push(Object.freeze({ symbol: r.code, name: r.name, market: r.marketName !== '' ? r.marketName : r.marketCode, nxtEnable: r.nxtEnable, orderWarning: r.orderWarning === '' ? '0' : r.orderWarning }));
    }
  }
  return { kind: 'stock-master', entries, tsEvent: receivedAt, tsRecv: receivedAt };
}

/** ka10001 주식기본정보 of one KRX symbol. */
export async function basicInfo(api: Pick<KiwoomApi, 'ka10001'>, symbol: string): Promise<BasicInfoEvent> {
  const { data: d, receivedAt } = await api.ka10001({ stk_cd: symbol });
  return {
    kind: 'info',
    symbol,
    name: d.stk_nm,
    previousClose: d.base_pric,
    referencePrice: d.base_pric,
    upperLimit: d.upl_pric,
    lowerLimit: d.lst_pric,
    high250: d['250hgst'],
    low250: d['250lwst'],
    marketCap: d.mac,
    listedShares: d.flo_stk,
    floatShares: d.dstr_stk,
    tsEvent: receivedAt,
    tsRecv: receivedAt,
  };
}

interface InvestorRow {
  readonly ind_invsr: number | null;
  readonly frgnr_invsr: number | null;
  readonly orgn: number | null;
  readonly fnnc_invt: number | null;
  readonly insrnc: number | null;
  readonly invtrt: number | null;
  readonly etc_fnnc: number | null;
  readonly bank: number | null;
  readonly penfnd_etc: number | null;
  readonly samo_fund: number | null;
  readonly natn: number | null;
  readonly etc_corp: number | null;
}

const NO_FIGURES: InvestorRow = { ind_invsr: null, frgnr_invsr: null, orgn: null, fnnc_invt: null, insrnc: null, invtrt: null, etc_fnnc: null, bank: null, penfnd_etc: null, samo_fund: null, natn: null, etc_corp: null };

function figures(r: InvestorRow): InvestorFigures {
  return {
    individual: r.ind_invsr,
    foreign: r.frgnr_invsr,
    institution: r.orgn,
    financialInvestment: r.fnnc_invt,
    insurance: r.insrnc,
    investmentTrust: r.invtrt,
    otherFinance: r.etc_fnnc,
    bank: r.bank,
    pensionFund: r.penfnd_etc,
    privateFund: r.samo_fund,
    government: r.natn,
    otherCorporation: r.etc_corp,
  };
}

/**
 * ka10059 for one symbol on the KST day of `nowMs`: net buying by amount, the first page only (the
 * answer pages back through years of history; today's row comes first).
 */
export async function investorFlow(api: Pick<KiwoomApi, 'ka10059'>, symbol: string, nowMs: number): Promise<InvestorFlowEvent> {
  const dt = formatKstDate(nowMs);
  const { data, receivedAt } = await api.ka10059({ dt, stk_cd: symbol, amt_qty_tp: '1', trde_tp: '0', unit_tp: '1000' }, { maxPages: 1 });
  const today = data.stk_invsr_orgn[0];
  return { kind: 'investor-flow', symbol, date: dt, ...figures(today ?? NO_FIGURES), tsEvent: receivedAt, tsRecv: receivedAt };
}

/** ka10061 for one symbol: net buying by amount summed over the `days` calendar days up to the KST day of `nowMs`. */
export async function investorTotals(api: Pick<KiwoomApi, 'ka10061'>, symbol: string, nowMs: number, days: number): Promise<InvestorTotalsEvent> {
  const to = formatKstDate(nowMs);
  const from = formatKstDate(nowMs - Math.max(0, days - 1) * 86_400_000);
  const { data, receivedAt } = await api.ka10061({ stk_cd: symbol, strt_dt: from, end_dt: to, amt_qty_tp: '1', trde_tp: '0', unit_tp: '1000' }, { maxPages: 1 });
  const row = data.stk_invsr_orgn_tot[0];
  return { kind: 'investor-totals', symbol, from, to, ...figures(row ?? NO_FIGURES), tsEvent: receivedAt, tsRecv: receivedAt };
}
