import { formatKstDate } from '../../core/kst.js';
import { createRandom, type Random } from '../../core/random.js';
import type { SimContext } from '../context.js';
import { changeRate, signCode, signedInt, signedPrice, signedRate } from '../format.js';
import type { SimStock } from '../universe.js';

/** A TR answer: a flat object, or a list (paged by the router) with optional top-level fields. */
export type SimTrAnswer =
  | { kind: 'flat'; body: Record<string, string> }
  | { kind: 'list'; key: string; rows: Record<string, string>[]; head?: Record<string, string>; paged: boolean }
  | { kind: 'error'; returnCode: number; msg: string };

export interface SimTr {
  readonly path: '/api/dostk/stkinfo' | '/api/dostk/mrkcond' | '/api/dostk/sect';
  /** Required body fields and their allowed formats. */
  readonly fields: Readonly<Record<string, RegExp>>;
  build(ctx: SimContext, body: Record<string, string>): SimTrAnswer;
}

export const STK = /^\d{6}(_NX|_AL)?$/;
export const DATE = /^\d{8}$/;
export const STEX = /^[123]$/;
export const STKINFO = '/api/dostk/stkinfo';

export const NOT_FOUND: SimTrAnswer = { kind: 'error', returnCode: 2, msg: '조회할 자료가 없습니다[1902:종목 정보가 없습니다]' };

export function stockOf(ctx: SimContext, stkCd: string): SimStock | undefined {
  return ctx.market.byCode.get(stkCd.slice(0, 6));
}

/** A stable per-request random (same seed + same inputs = same numbers). */
export function rng(ctx: SimContext, ...parts: string[]): Random {
  return createRandom(`${String(ctx.opts.seed)}/tr/${parts.join('/')}`);
}

/** The code as the real server echoes it in a list answer: `_NX` for stex_tp 2, `_AL` for 3 (KWP ka10066.txt). */
export function venueCode(code: string, stexTp: string | undefined): string {
  if (stexTp === '2') return `${code}_NX`;
  if (stexTp === '3') return `${code}_AL`;
  return code;
}

export function quote(s: SimStock): { cur_prc: string; pre_sig: string; pred_pre: string; flu_rt: string } {
  return {
    cur_prc: signedPrice(s.price, s.prevClose),
    pre_sig: signCode(s.price, s.prevClose),
    pred_pre: signedInt(s.price - s.prevClose),
    flu_rt: signedRate(changeRate(s.price, s.prevClose)),
  };
}

/** How a TR writes an investor amount. */
export type InvestorForm = (n: number) => string;
/** ka10059/ka10066: positives unsigned, negatives one `-` (KWP ka10059.txt `"1589"`, `"-61780"`). */
export const plainSigned: InvestorForm = (n) => String(n);
/** ka10061: negatives with a doubled minus, positives with `+` (KWP ka10061.txt `"--23533"`, `"+59590"`). */
export const doubledMinus: InvestorForm = (n) => (n < 0 ? `--${-n}` : signedInt(n));

const INVESTORS = ['ind_invsr', 'frgnr_invsr', 'orgn', 'fnnc_invt', 'insrnc', 'invtrt', 'etc_fnnc', 'bank', 'penfnd_etc', 'samo_fund', 'natn', 'etc_corp', 'natfor'] as const;

/** Investor columns: individual and foreign sides roughly offset each other; orgn sums its parts. */
export function investorColumns(r: Random, scale: number, trdeTp: string, form: InvestorForm): Record<string, string> {
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
  // 내외국인 is small but not zero on the real server (KWP ka10059.txt natfor "1"); outside the zero sum.
  const natfor = Math.round(r.normal() * scale * 0.01);
  const values: Record<string, number> = { ind_invsr: ind, frgnr_invsr: frgn, orgn, ...parts, etc_corp: etcCorp, natfor };
  const out: Record<string, string> = {};
  for (const k of INVESTORS) {
    const v = values[k] ?? 0;
    // 매수/매도 views show gross magnitudes; 순매수 keeps the sign.
    out[k] = trdeTp === '0' ? form(v) : String(Math.abs(v));
  }
  return out;
}

/** Program amounts in 백만원 ([I] from the magnitudes in KWP ka90003.txt). */
export function amountOf(won: number): number {
  return Math.trunc(won / 1_000_000);
}

export function pick<T extends Record<string, string>, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}

/** `count` weekdays ending at `dt` (YYYYMMDD), newest first. */
export function previousBusinessDays(dt: string, count: number): string[] {
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
