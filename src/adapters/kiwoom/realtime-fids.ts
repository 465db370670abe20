/**
 * One table per decoded real-time type: which FIDs we read, how each is parsed, whether it is required,
 * and the range a sane value lies in. Both decoders are driven by these tables: the reference
 * (JSON.parse, realtime-decoder.ts) and the byte decoder (realtime-fast.ts). A type without a table is
 * passed through raw by the reference and never taken by the byte decoder.
 */

/** How a FID's string is read (values.ts for strings, realtime-fast.ts for bytes: same rules). */
export type FidParse = 'price' | 'signed' | 'rate' | 'sign' | 'time';

export interface FidRule {
  readonly fid: string;
  readonly parse: FidParse;
  /** A required FID missing or unreadable fails the entry; an optional one reads as 0 (228: null). */
  readonly required: boolean;
  /** Sane magnitude: a value beyond it is an absurd input, counted as a decode error (issue 20 item 8). */
  readonly max: number;
  /** Index in SLOT_FIDS: where the byte decoder files this FID's position. */
  readonly slot: number;
}

/**
 * Ranges at the edge. Generous: far beyond anything KRX lists, far below what breaks arithmetic.
 * Highest KRX stock prices are a few million won; daily change rates are capped at 30 % (300 % on a
 * listing day); the largest share counts are a few billion.
 */
export const LIMITS = {
  /** Won per share. */
  price: 100_000_000,
  /** Percent (FID 12). */
  rate: 1_000,
  /** Shares, per trade or cumulated. */
  quantity: 1e12,
  /** FID 14 누적거래대금 (백만원). */
  amount: 1e12,
  /** FID 228 체결강도 (percent of buy over sell volume). */
  strength: 1e6,
} as const;

/** Every FID some table reads, in slot order (the byte decoder files positions by slot). */
export const SLOT_FIDS = ['10', '11', '12', '13', '15', '20', '14', '16', '17', '18', '25', '27', '28', '228'] as const;

function rule(fid: (typeof SLOT_FIDS)[number], parse: FidParse, required: boolean, max: number): FidRule {
  return { fid, parse, required, max, slot: SLOT_FIDS.indexOf(fid) };
}

/** 0B 주식체결 (protocol.md 3.7, 10.3). Rule order = the order the decoders read and report. */
export const TRADE_RULES: readonly FidRule[] = [
  rule('10', 'price', true, LIMITS.price),
  rule('11', 'signed', true, LIMITS.price),
  rule('12', 'rate', true, LIMITS.rate),
  rule('13', 'signed', true, LIMITS.quantity),
  // Signed on the real feed ("+3": + buyer-initiated), KWP:실시간시세/0B.txt @372a17f.
  rule('15', 'signed', true, LIMITS.quantity),
  rule('20', 'time', true, 86_399),
  rule('14', 'signed', false, LIMITS.amount),
  rule('16', 'price', false, LIMITS.price),
  rule('17', 'price', false, LIMITS.price),
  rule('18', 'price', false, LIMITS.price),
  rule('25', 'sign', false, 5),
  rule('27', 'price', false, LIMITS.price),
  rule('28', 'price', false, LIMITS.price),
  rule('228', 'rate', false, LIMITS.strength),
];

/** 0A 주식기세 (protocol.md 3.7; seed 002's example: a leading space instead of a sign on FID 18). */
export const INDICATIVE_RULES: readonly FidRule[] = [
  rule('10', 'price', true, LIMITS.price),
  rule('11', 'signed', true, LIMITS.price),
  rule('12', 'rate', true, LIMITS.rate),
  rule('13', 'signed', true, LIMITS.quantity),
  rule('14', 'signed', false, LIMITS.amount),
  rule('16', 'price', false, LIMITS.price),
  rule('17', 'price', false, LIMITS.price),
  rule('18', 'price', false, LIMITS.price),
  rule('25', 'sign', false, 5),
  rule('27', 'price', false, LIMITS.price),
  rule('28', 'price', false, LIMITS.price),
];

/** The decoded types and their tables. */
export const RULES_BY_TYPE: Readonly<Record<string, readonly FidRule[]>> = { '0B': TRADE_RULES, '0A': INDICATIVE_RULES };

export const requiredFids = (rules: readonly FidRule[]): string[] => rules.filter((r) => r.required).map((r) => r.fid);
export const optionalFids = (rules: readonly FidRule[]): string[] => rules.filter((r) => !r.required).map((r) => r.fid);
