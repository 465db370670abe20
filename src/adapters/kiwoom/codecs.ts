import { z } from 'zod';
import type { Exchange } from '../../core/market.js';
import { LIMITS } from './realtime-fids.js';
import { parseHhmmss, parseImpliedRate, parsePrice, parseRate, parseSignCode, parseSigned, parseYyyymmdd } from './values.js';

/**
 * zod field codecs for Kiwoom's string values, built on the plain parsers in values.ts.
 * Policy: an empty or blank string means "no value" and decodes to null; anything unreadable is a
 * zod issue (the client turns it into a DecodeError naming the TR and the path). A number where a
 * string was documented is tolerated.
 */
const wire = z.union([z.string(), z.number()]);

/**
 * Range checks at the edge (issue 20 item 8): a value beyond `max` in magnitude is absurd input, a
 * DecodeError like garbage. Generous on purpose: ka10001 really sends `250lwst_pric_pre_rt` "+16784.73"
 * (KWP:종목정보/ka10001.txt @439395b), so REST rates are bounded far above any daily move.
 */
const MAX_REST_RATE = 1e6;

function numeric(parse: (s: string) => number, what: string, max: number = Number.MAX_SAFE_INTEGER) {
  return wire.transform((v, ctx): number | null => {
    const s = typeof v === 'number' ? String(v) : v;
    if (s.trim() === '') return null;
    const n = parse(s);
    if (Number.isNaN(n)) {
      ctx.issues.push({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(s.slice(0, 24))}`, input: v });
      return z.NEVER;
    }
    if (n > max || n < -max) {
      ctx.issues.push({ code: 'custom', message: `${what} out of range (max ${max}), got ${JSON.stringify(s.slice(0, 24))}`, input: v });
      return z.NEVER;
    }
    return n;
  });
}

/** Price magnitude; the sign (direction vs the previous close) is dropped: `"-66000"` -> 66000. */
export const kPrice = numeric(parsePrice, 'a price', LIMITS.price);
/**
 * Signed integer (changes, quantities, amounts): `"-50"` -> -50; unsigned positives (`"1589"`), zero
 * padding (`"0000000027931470"`), `"-0"` (= 0) and the doubled minus `"--23533"` (= -23533, ka10061) read
 * as the real server means them (protocol.md 10.2).
 */
export const kSigned = numeric(parseSigned, 'a signed integer');
/** Signed decimal (ratios, valuations): `"+0.89"` -> 0.89. */
export const kDecimal = numeric(parseRate, 'a decimal number');
/** Rate in percent with its decimal point on the wire: `"+0.89"`, `"76.1"`. */
export const kRate = numeric(parseRate, 'a rate', MAX_REST_RATE);
/** Rate in percent with two implied decimals (ka10059 `flu_rt` `"+122"` = 1.22 %); a written point is honoured. */
export const kRateImplied = numeric(parseImpliedRate, 'a rate', MAX_REST_RATE);
/** Sign code 1-5 (1 상한, 2 상승, 3 보합, 4 하한, 5 하락). */
export const kSignCode = numeric(parseSignCode, 'a sign code 1-5');
/** `YYYYMMDD` -> epoch ms of KST midnight. */
export const kDate = numeric(parseYyyymmdd, 'a date YYYYMMDD');
/** `HHMMSS` -> seconds since KST midnight (`"000000"` -> 0). */
export const kTime = numeric(parseHhmmss, 'a time HHMMSS');
/** Free text, trimmed. */
export const kText = wire.transform((v) => String(v).trim());
/** A stock/sector code, trimmed, required non-empty. */
export const kCode = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => s.length > 0, 'expected a code');
/**
 * The venue a REST `stk_cd` names by its suffix (protocol.md 11.3): `_NX` NXT, `_AL` SOR/통합, none KRX.
 * The real server echoes the suffix in list answers (`"000010_AL"` in ka10066 with stex_tp 3,
 * KWP:시세/ka10066.txt @372a17f); tr-spec.ts strips it from `stk_cd` into a `venue` field.
 */
export function splitVenue(code: string): { code: string; venue: Exchange } {
  if (code.endsWith('_NX')) return { code: code.slice(0, -3), venue: 'NXT' };
  if (code.endsWith('_AL')) return { code: code.slice(0, -3), venue: 'SOR' };
  return { code, venue: 'KRX' };
}

/** `Y` -> true, anything else false. */
export const kFlag = wire.transform((v) => String(v).trim().toUpperCase() === 'Y');
