import { z } from 'zod';
import { parseHhmmss, parsePrice, parseRate, parseSignCode, parseSigned, parseYyyymmdd } from './values.js';

/**
 * zod field codecs for Kiwoom's string values, built on the plain parsers in values.ts.
 * Policy: an empty or blank string means "no value" and decodes to null; anything unreadable is a
 * zod issue (the client turns it into a DecodeError naming the TR and the path). A number where a
 * string was documented is tolerated.
 */
const wire = z.union([z.string(), z.number()]);

function numeric(parse: (s: string) => number, what: string) {
  return wire.transform((v, ctx): number | null => {
    const s = typeof v === 'number' ? String(v) : v;
    if (s.trim() === '') return null;
    const n = parse(s);
    if (Number.isNaN(n)) {
      ctx.issues.push({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(s.slice(0, 24))}`, input: v });
      return z.NEVER;
    }
    return n;
  });
}

/** Price magnitude; the sign (direction vs the previous close) is dropped: `"-66000"` -> 66000. */
export const kPrice = numeric(parsePrice, 'a price');
/** Signed integer (changes, quantities, amounts): `"-50"` -> -50. */
export const kSigned = numeric(parseSigned, 'a signed integer');
/** Signed decimal (rates in percent, ratios, valuations): `"+0.89"` -> 0.89. */
export const kDecimal = numeric(parseRate, 'a decimal number');
/** Rate in percent; alias of kDecimal kept for readability of the schemas. */
export const kRate = kDecimal;
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
/** `Y` -> true, anything else false. */
export const kFlag = wire.transform((v) => String(v).trim().toUpperCase() === 'Y');
