import { createRandom, type Random } from '../core/random.js';
import { formatKstDate } from '../core/kst.js';
import { changeRate, signCode, signedInt, signedPrice, signedRate, tickDown, tickUp } from './format.js';
import type { SimContext } from './context.js';
import type { ProgramMarket } from './market.js';
import type { SimStock } from './universe.js';

/** A TR answer: a flat object, or a list (paged by the router) with optional top-level fields. */
export type TrResult =
  | { kind: 'flat'; body: Record<string, string> }
  | { kind: 'list'; key: string; rows: Record<string, string>[]; head?: Record<string, string>; paged: boolean }
  | { kind: 'error'; returnCode: number; msg: string };

export interface TrSpec {
  readonly path: '/api/dostk/stkinfo' | '/api/dostk/mrkcond' | '/api/dostk/sect';
  /** Required body fields and their allowed formats. */
  readonly fields: Readonly<Record<string, RegExp>>;
  build(ctx: SimContext, body: Record<string, string>): TrResult;
}

const STK = /^\d{6}(_NX|_AL)?$/;
const DATE = /^\d{8}$/;
const STEX = /^[123]$/;

const STKINFO = '/api/dostk/stkinfo';

/** Every TR of the seeds, on its real path. */
export const TR_SPECS: Readonly<Record<string, TrSpec>> = {
  ka10001: { path: STKINFO, fields: { stk_cd: /^[0-9A-Z_|]{6,}$/ }, build: ka10001 },
  ka10058: {
    path: STKINFO,
    fields: { strt_dt: DATE, end_dt: DATE, trde_tp: /^[12]$/, mrkt_tp: /^(001|101)$/, invsr_tp: /^(8000|9000|1000|3000|3100|5000|4000|2000|6000|7000|7100|9999)$/, stex_tp: STEX },
    build: ka10058,
  },
  ka10059: { path: STKINFO, fields: { dt: DATE, stk_cd: STK, amt_qty_tp: /^[12]$/, trde_tp: /^[012]$/, unit_tp: /^(1000|1)$/ }, build: ka10059 },
  ka10061: { path: STKINFO, fields: { stk_cd: STK, strt_dt: DATE, end_dt: DATE, amt_qty_tp: /^[12]$/, trde_tp: /^[012]$/, unit_tp: /^(1000|1)$/ }, build: ka10061 },
  ka10099: { path: STKINFO, fields: { mrkt_tp: /^(0|10|30|50|60|70|80|90|2|3|4|5|6|7|8|9)$/ }, build: ka10099 },
  ka10100: { path: STKINFO, fields: { stk_cd: STK }, build: ka10100 },
  ka10101: { path: STKINFO, fields: { mrkt_tp: /^[01247]$/ }, build: ka10101 },
  ka90003: { path: STKINFO, fields: { trde_upper_tp: /^[12]$/, amt_qty_tp: /^[12]$/, mrkt_tp: /^(P00101|P10102)$/, stex_tp: STEX }, build: ka90003 },
  ka90004: { path: STKINFO, fields: { dt: DATE, mrkt_tp: /^(P00101|P10102)$/, stex_tp: STEX }, build: ka90004 },
  ka10066: { path: '/api/dostk/mrkcond', fields: { mrkt_tp: /^(000|001|101)$/, amt_qty_tp: /^[12]$/, trde_tp: /^[012]$/, stex_tp: STEX }, build: ka10066 },
  ka20002: { path: '/api/dostk/sect', fields: { mrkt_tp: /^[012]$/, inds_cd: /^\d{3}$/, stex_tp: STEX }, build: ka20002 },
};

/** ka10001 accepts at most this many `|`-joined codes; more is the 1634 batch-limit error. */
export const BATCH_LIMIT = 100;

const NOT_FOUND: TrResult = { kind: 'error', returnCode: 2, msg: '조회할 자료가 없습니다[1902:종목 정보가 없습니다]' };

function stockOf(ctx: SimContext, stkCd: string): SimStock | undefined {
  return ctx.market.byCode.get(stkCd.slice(0, 6));
}

/** A stable per-request random (same seed + same inputs = same numbers). */
function rng(ctx: SimContext, ...parts: string[]): Random {
  return createRandom(`${String(ctx.opts.seed)}/tr/${parts.join('/')}`);
}

function quote(s: SimStock): { cur_prc: string; pre_sig: string; pred_pre: string; flu_rt: string } {
  return {
    cur_prc: signedPrice(s.price, s.prevClose),
    pre_sig: signCode(s.price, s.prevClose),
    pred_pre: signedInt(s.price - s.prevClose),
    flu_rt: signedRate(changeRate(s.price, s.prevClose)),
  };
}

const INVESTORS = ['ind_invsr', 'frgnr_invsr', 'orgn', 'fnnc_invt', 'insrnc', 'invtrt', 'etc_fnnc', 'bank', 'penfnd_etc', 'samo_fund', 'natn', 'etc_corp'] as const;

/** Investor columns: individual and foreign sides roughly offset each other; orgn sums its parts. */
function investorColumns(r: Random, scale: number, trdeTp: string): Record<string, string> {
  const parts = { fnnc_invt: 0, insrnc: 0, invtrt: 0, etc_fnnc: 0, bank: 0, penfnd_etc: 0, samo_fund: 0, natn: 0 };
  let orgn = 0;
  for (const k of Object.keys(parts) as (keyof typeof parts)[]) {
    const v = Math.round(r.normal() * scale * 0.2);
    parts[k] = v;
    orgn += v;
  }
  const frgn = Math.round(r.normal() * scale);
  const etcCorp = Math.round(r.normal() * scale * 0.1);
  const ind = -(orgn + frgn + etcCorp);
  const out: Record<string, string> = {};
  const values: Record<string, number> = { ind_invsr: ind, frgnr_invsr: frgn, orgn, ...parts, etc_corp: etcCorp };
  for (const k of INVESTORS) {
    const v = values[k] ?? 0;
    // 매수/매도 views show gross magnitudes; 순매수 keeps the sign.
    out[k] = trdeTp === '0' ? signedInt(v) : String(Math.abs(v));
  }
  return out;
}

function ka10001(ctx: SimContext, body: Record<string, string>): TrResult {
  const codes = (body.stk_cd ?? '').split('|');
  if (codes.length > BATCH_LIMIT) {
    return { kind: 'error', returnCode: 5, msg: '허용된 요청 개수를 초과하였습니다[1634:허용된 요청 개수를 초과하였습니다.]' };
  }
  const stkCd = codes[0] ?? '';
  if (!STK.test(stkCd)) return { kind: 'error', returnCode: 2, msg: `입력 값 형식 오류입니다[1517:입력 값 형식 오류입니다. 요소명=stk_cd]` };
  const s = stockOf(ctx, stkCd);
  if (s === undefined) return NOT_FOUND;
  const r = rng(ctx, 'ka10001', s.code);
  const pc = s.prevClose;
  const hi250 = tickUp(Math.round(Math.max(s.high, pc) * r.between(1.05, 1.6)));
  const lo250 = tickDown(Math.round(Math.min(s.low, pc) * r.between(0.5, 0.95)));
  const eps = Math.round(pc / r.between(5, 40));
  const bps = Math.round(pc / r.between(0.5, 3));
  const mac = Math.floor((s.price * s.listCount) / 100_000_000);
  return {
    kind: 'flat',
    body: {
      stk_cd: stkCd,
      stk_nm: s.name,
      setl_mm: '12',
      fav: s.code === '005930' ? '100' : '500',
      fav_unit: '원',
      cap: String(Math.round((s.listCount * 500) / 100_000_000)),
      flo_stk: String(Math.round(s.listCount / 1000)),
      dstr_stk: String(Math.round((s.listCount * 0.75) / 1000)),
      dstr_rt: '75.00',
      crd_rt: signedRate(r.between(0, 3)),
      for_exh_rt: signedRate(r.between(0, 55)),
      repl_pric: String(Math.floor((pc * 0.7) / 10) * 10),
      mac: String(mac),
      mac_wght: '',
      oyr_hgst: signedPrice(hi250, pc),
      oyr_lwst: signedPrice(lo250, pc),
      per: (pc / eps).toFixed(2),
      eps: String(eps),
      roe: (r.between(1, 25)).toFixed(1),
      pbr: (pc / bps).toFixed(2),
      ev: (r.between(2, 30)).toFixed(2),
      bps: String(bps),
      sale_amt: String(Math.round(mac * r.between(0.3, 2))),
      bus_pro: String(Math.round(mac * r.between(0.01, 0.2))),
      cup_nga: String(Math.round(mac * r.between(0.005, 0.15))),
      '250hgst': signedPrice(hi250, pc),
      '250lwst': signedPrice(lo250, pc),
      open_pric: signedPrice(s.open, pc),
      high_pric: signedPrice(s.high, pc),
      low_pric: signedPrice(s.low, pc),
      upl_pric: signedPrice(s.upper, pc),
      lst_pric: signedPrice(s.lower, pc),
      base_pric: String(pc),
      exp_cntr_pric: '0',
      exp_cntr_qty: '0',
      '250hgst_pric_dt': '20250' + String(1 + r.int(9)) + '1' + String(r.int(9)),
      '250hgst_pric_pre_rt': signedRate(changeRate(s.price, hi250)),
      '250lwst_pric_dt': '20241' + String(r.int(3)) + '0' + String(1 + r.int(9)),
      '250lwst_pric_pre_rt': signedRate(changeRate(s.price, lo250)),
      ...quote(s),
      trde_qty: String(s.accVolume),
      trde_pre: signedRate(s.prevVolume === 0 ? 0 : ((s.accVolume - s.prevVolume) / s.prevVolume) * 100),
    },
  };
}

function ka10058(ctx: SimContext, body: Record<string, string>): TrResult {
  const market = body.mrkt_tp === '001' ? 'KOSPI' : 'KOSDAQ';
  const r = rng(ctx, 'ka10058', body.strt_dt ?? '', body.end_dt ?? '', body.invsr_tp ?? '', body.mrkt_tp ?? '');
  const stocks = ctx.market.stocksOf(market);
  const picked = new Set<SimStock>();
  while (picked.size < Math.min(60, stocks.length)) {
    const s = stocks[r.int(stocks.length)];
    if (s !== undefined) picked.add(s);
  }
  const rows = [...picked].map((s) => {
    const qty = Math.round(Math.exp(r.normal()) * s.prevVolume * 0.05) + 1;
    const avg = Math.round(s.prevClose * r.between(0.97, 1.03));
    return {
      row: {
        stk_cd: s.code,
        stk_nm: s.name,
        netslmt_qty: signedInt(qty),
        netslmt_amt: signedInt(Math.round((qty * avg) / 1_000_000)),
        prsm_avg_pric: String(avg),
        ...pick(quote(s), ['cur_prc', 'pre_sig', 'pred_pre']),
        avg_pric_pre: signedInt(s.price - avg),
        pre_rt: signedRate(changeRate(s.price, avg)),
        dt_trde_qty: String(s.prevVolume + s.accVolume),
      },
      key: qty * avg,
    };
  });
  rows.sort((a, b) => b.key - a.key);
  return { kind: 'list', key: 'invsr_daly_trde_stk', rows: rows.map((x) => x.row), paged: true };
}

function ka10059(ctx: SimContext, body: Record<string, string>): TrResult {
  const s = stockOf(ctx, body.stk_cd ?? '');
  if (s === undefined) return NOT_FOUND;
  const r = rng(ctx, 'ka10059', s.code, body.dt ?? '', body.amt_qty_tp ?? '', body.trde_tp ?? '', body.unit_tp ?? '');
  const rows: Record<string, string>[] = [];
  const dates = previousBusinessDays(body.dt ?? '', 20);
  const unit = body.unit_tp === '1000' ? 1000 : 1;
  dates.forEach((dt, i) => {
    const price = i === 0 ? s.price : Math.max(1, Math.round(s.prevClose * (1 + r.normal() * 0.02 * Math.sqrt(i))));
    const prev = i === 0 ? s.prevClose : Math.max(1, Math.round(price * (1 + r.normal() * 0.015)));
    const vol = Math.round(s.prevVolume * r.between(0.5, 1.5));
    const scale = body.amt_qty_tp === '1' ? (vol * price) / 1_000_000 / 10 : vol / unit / 10;
    rows.push({
      dt,
      cur_prc: signedPrice(price, prev),
      pre_sig: signCode(price, prev),
      pred_pre: signedInt(price - prev),
      flu_rt: signedRate(changeRate(price, prev)),
      acc_trde_qty: String(vol),
      acc_trde_prica: String(Math.round((vol * price) / 1_000_000)),
      ...investorColumns(r, scale, body.trde_tp ?? '0'),
      natfor: '0',
    });
  });
  return { kind: 'list', key: 'stk_invsr_orgn', rows, paged: true };
}

function ka10061(ctx: SimContext, body: Record<string, string>): TrResult {
  const s = stockOf(ctx, body.stk_cd ?? '');
  if (s === undefined) return NOT_FOUND;
  const r = rng(ctx, 'ka10061', s.code, body.strt_dt ?? '', body.end_dt ?? '', body.amt_qty_tp ?? '', body.trde_tp ?? '', body.unit_tp ?? '');
  const unit = body.unit_tp === '1000' ? 1000 : 1;
  const scale = body.amt_qty_tp === '1' ? (s.prevVolume * s.prevClose) / 1_000_000 / 5 : s.prevVolume / unit / 5;
  return { kind: 'list', key: 'stk_invsr_orgn_tot', rows: [{ ...investorColumns(r, scale, body.trde_tp ?? '0'), natfor: '0' }], paged: false };
}

function listRow(s: SimStock): Record<string, string> {
  return {
    code: s.code,
    name: s.name,
    listCount: String(s.listCount),
    auditInfo: '정상',
    regDay: s.regDay,
    lastPrice: String(s.prevClose),
    state: '증거금40%|담보대출|신용가능',
    marketCode: s.market === 'KOSPI' ? '0' : '10',
    marketName: s.market === 'KOSPI' ? '거래소' : '코스닥',
    upName: s.sector,
    upSizeName: s.sizeClass,
    companyClassName: s.market === 'KOSDAQ' ? '중견기업부' : '',
    orderWarning: '0',
    nxtEnable: s.nxtEnable ? 'Y' : 'N',
  };
}

function ka10099(ctx: SimContext, body: Record<string, string>): TrResult {
  const mt = body.mrkt_tp;
  const stocks = mt === '0' ? ctx.market.stocksOf('KOSPI') : mt === '10' ? ctx.market.stocksOf('KOSDAQ') : [];
  return { kind: 'list', key: 'list', rows: stocks.map(listRow), paged: true };
}

function ka10100(ctx: SimContext, body: Record<string, string>): TrResult {
  const s = stockOf(ctx, body.stk_cd ?? '');
  if (s === undefined) return NOT_FOUND;
  return { kind: 'flat', body: { ...listRow(s), nxtv: 'N' } };
}

const SECTORS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  '0': [['001', '종합(KOSPI)'], ['002', '대형주'], ['003', '중형주'], ['004', '소형주'], ['005', '음식료품'], ['008', '화학'], ['009', '의약품'], ['013', '전기전자'], ['015', '운수장비'], ['018', '건설업'], ['021', '금융업']],
  '1': [['101', '종합(KOSDAQ)'], ['102', '대형주'], ['103', '중형주'], ['104', '소형주'], ['151', '제약'], ['154', '반도체'], ['155', 'IT부품']],
  '2': [['201', 'KOSPI200']],
  '4': [['401', 'KOSPI100']],
  '7': [['701', 'KRX100']],
};

function ka10101(_ctx: SimContext, body: Record<string, string>): TrResult {
  const list = SECTORS[body.mrkt_tp ?? ''] ?? [];
  return { kind: 'list', key: 'list', rows: list.map(([code, name]) => ({ marketCode: body.mrkt_tp ?? '', code, name, group: code.slice(2) })), paged: true };
}

function amountOf(won: number): number {
  // Program amounts in 백만원 ([U] unit).
  return Math.trunc(won / 1_000_000);
}

function ka90003(ctx: SimContext, body: Record<string, string>): TrResult {
  const market = body.mrkt_tp as ProgramMarket;
  const direction = body.trde_upper_tp === '1' ? 'sell' : 'buy';
  const byQty = body.amt_qty_tp === '2';
  const rows = ctx.market.programRanking(market, 50, direction).map((row) => {
    const s = ctx.market.byCode.get(row.code);
    const q = s === undefined ? undefined : quote(s);
    const conv = (won: number): number => (byQty ? Math.trunc(won / Math.max(1, row.price)) : amountOf(won));
    return {
      rank: String(row.rank),
      stk_cd: row.code,
      stk_nm: row.name,
      cur_prc: q?.cur_prc ?? String(row.price),
      flu_sig: q?.pre_sig ?? '3',
      pred_pre: q?.pred_pre ?? '0',
      flu_rt: q?.flu_rt ?? '0.00',
      acc_trde_qty: String(s?.accVolume ?? 0),
      prm_sell_amt: String(conv(row.sellAmount)),
      prm_buy_amt: String(conv(row.buyAmount)),
      prm_netprps_amt: signedInt(conv(row.netAmount)),
    };
  });
  return { kind: 'list', key: 'prm_netprps_upper_50', rows, paged: false };
}

function ka90004(ctx: SimContext, body: Record<string, string>): TrResult {
  const stocks = ctx.market.stocksOf(body.mrkt_tp === 'P00101' ? 'KOSPI' : 'KOSDAQ');
  let buyQ = 0, buyA = 0, sellQ = 0, sellA = 0;
  const rows = stocks.map((s) => {
    const bq = Math.trunc(s.progBuy / s.price);
    const sq = Math.trunc(s.progSell / s.price);
    buyQ += bq; sellQ += sq; buyA += amountOf(s.progBuy); sellA += amountOf(s.progSell);
    const q = quote(s);
    return {
      stk_cd: s.code,
      stk_nm: s.name,
      cur_prc: q.cur_prc,
      flu_sig: q.pre_sig,
      pred_pre: q.pred_pre,
      buy_cntr_qty: String(bq),
      buy_cntr_amt: String(amountOf(s.progBuy)),
      sel_cntr_qty: String(sq),
      sel_cntr_amt: String(amountOf(s.progSell)),
      netprps_prica: signedInt(amountOf(s.progBuy - s.progSell)),
      all_trde_rt: signedRate(s.accValue === 0 ? 0 : ((s.progBuy + s.progSell) / (2 * s.accValue)) * 100),
    };
  });
  const head = { tot_1: String(buyQ), tot_2: String(buyA), tot_3: String(sellQ), tot_4: String(sellA), tot_5: signedInt(buyA - sellA), tot_6: '0' };
  return { kind: 'list', key: 'stk_prm_trde_prst', rows, head, paged: true };
}

function ka10066(ctx: SimContext, body: Record<string, string>): TrResult {
  const mt = body.mrkt_tp;
  const stocks = mt === '001' ? ctx.market.stocksOf('KOSPI') : mt === '101' ? ctx.market.stocksOf('KOSDAQ') : ctx.market.stocks;
  const r = rng(ctx, 'ka10066', mt ?? '', body.amt_qty_tp ?? '', body.trde_tp ?? '', body.stex_tp ?? '');
  const rows = stocks.map((s) => {
    const scale = body.amt_qty_tp === '1' ? (s.accValue / 1_000_000) * 0.01 : s.accVolume * 0.01;
    return {
      stk_cd: s.code,
      stk_nm: s.name,
      ...quote(s),
      trde_qty: String(Math.round(s.accVolume * 0.02)),
      ...investorColumns(r, scale, body.trde_tp ?? '0'),
    };
  });
  return { kind: 'list', key: 'opaf_invsr_trde', rows, paged: true };
}

function sectorMembers(ctx: SimContext, indsCd: string): SimStock[] {
  const kospi = ctx.market.stocksOf('KOSPI');
  const kosdaq = ctx.market.stocksOf('KOSDAQ');
  const byCap = (list: SimStock[]): SimStock[] => [...list].sort((a, b) => b.prevClose * b.listCount - a.prevClose * a.listCount || (a.code < b.code ? -1 : 1));
  switch (indsCd) {
    case '001': return kospi;
    case '002': return kospi.filter((s) => s.sizeClass === '대형주');
    case '003': return kospi.filter((s) => s.sizeClass === '중형주');
    case '004': return kospi.filter((s) => s.sizeClass === '소형주');
    case '101': return kosdaq;
    case '201': return byCap(kospi).slice(0, 200);
    case '701': return byCap(ctx.market.stocks).slice(0, 100);
    default: {
      const all = Object.values(SECTORS).flat().find(([code]) => code === indsCd);
      return all === undefined ? [] : ctx.market.stocks.filter((s) => s.sector === all[1]);
    }
  }
}

function ka20002(ctx: SimContext, body: Record<string, string>): TrResult {
  const rows = sectorMembers(ctx, body.inds_cd ?? '').map((s) => {
    const pc = s.prevClose;
    const q = quote(s);
    return {
      stk_cd: s.code,
      stk_nm: s.name,
      cur_prc: q.cur_prc,
      pred_pre_sig: q.pre_sig,
      pred_pre: q.pred_pre,
      flu_rt: q.flu_rt,
      now_trde_qty: String(s.accVolume),
      sel_bid: signedPrice(Math.min(s.upper, tickUp(s.price)), pc),
      buy_bid: signedPrice(Math.max(s.lower, tickDown(s.price)), pc),
      open_pric: signedPrice(s.open, pc),
      high_pric: signedPrice(s.high, pc),
      low_pric: signedPrice(s.low, pc),
    };
  });
  return { kind: 'list', key: 'inds_stkpc', rows, paged: true };
}

function pick<T extends Record<string, string>, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}

/** `count` weekdays ending at `dt` (YYYYMMDD), newest first. */
function previousBusinessDays(dt: string, count: number): string[] {
  const y = Number(dt.slice(0, 4)), m = Number(dt.slice(4, 6)), d = Number(dt.slice(6, 8));
  let ms = Date.UTC(y, m - 1, d); // clock-ok: calendar arithmetic on a given date, not the current time
  if (!Number.isFinite(ms)) return [];
  const out: string[] = [];
  while (out.length < count) {
    const wd = new Date(ms).getUTCDay(); // clock-ok: weekday of a given date, not the current time
    if (wd !== 0 && wd !== 6) out.push(formatKstDate(ms - 9 * 3600_000));
    ms -= 86_400_000;
  }
  return out;
}
