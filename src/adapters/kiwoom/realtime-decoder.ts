import { DAY_MS, kstDayStart } from '../../core/kst.js';
import type { Exchange, IndicativeEvent, RawRealEvent, RealtimeEvent, TradeEvent } from '../../core/market.js';
import { RULES_BY_TYPE, SLOT_FIDS, type FidParse, type FidRule } from './realtime-fids.js';
import { decodeMarketEntry, isMarketType } from './realtime-market-decoder.js';
import { parseHhmmss, parsePrice, parseRate, parseSignCode, parseSigned } from './values.js';
import { symbolOf, venueOfItem } from './venue-codes.js';

/**
 * The reference decoder of the real-time feed: one REAL entry (already JSON-parsed) to a domain event,
 * driven by the FID tables of realtime-fids.ts (the byte decoder, realtime-fast.ts, reads the same
 * tables and builds its events with the same functions; a differential test holds them equal).
 * A bad entry comes back as a DecodeFailure, to be counted and dropped, never thrown into the stream.
 */
export interface DecodeFailure {
  readonly failure: 'E_DECODE_SHAPE' | 'E_DECODE_VALUE';
  readonly reason: string;
}

/** The KST midnight (epoch ms) of the day holding `tsRecv`: the one KST module's. */
export { kstDayStart };

export function decodeEntry(entry: unknown, tsRecv: number, dayStart: number): RealtimeEvent | DecodeFailure {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return shape('entry is not an object');
  const e = entry as { type?: unknown; item?: unknown; values?: unknown };
  const type = e.type;
  const item = e.item;
  const values = e.values;
  if (typeof type !== 'string' || type.length === 0) return shape('entry.type is not a string');
  if (isMarketType(type)) {
    // 0w/1h/0g/0D: their own tables; 1h may come with item "" and name its stock in FID 9001.
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return shape('entry.values is not an object');
    return decodeMarketEntry(type, item, values as Record<string, unknown>, tsRecv, dayStart);
  }
  const rules = Object.hasOwn(RULES_BY_TYPE, type) ? RULES_BY_TYPE[type] : undefined;
  // A raw type may be market-wide, registered with item [""] and answering with item "" (0s, protocol.md 10.3).
  if (typeof item !== 'string' || (item.length === 0 && rules !== undefined)) return shape('entry.item is not a string');
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return shape('entry.values is not an object');
  const v = values as Record<string, unknown>;
  // Only the FIDs we read are checked (realtime-schema.ts); the other ~30 of a 0B entry are tolerated.
  if (rules !== undefined) return decodeRuled(type, item, v, rules, tsRecv, dayStart);
  // A raw event promises string values, so a raw entry is checked whole (rare types only).
  for (const key in v) if (typeof v[key] !== 'string') return shape(`${clip(type)} values.${clip(key)} is not a string`);
  const symbol = symbolOf(item);
  // `_XX` alone names no stock: no venue either (as an item-less entry, once those pass through raw).
  if (symbol === '') return { kind: 'raw', type, symbol, values: v as Record<string, string>, tsEvent: tsRecv, tsRecv } satisfies RawRealEvent;
  return { kind: 'raw', type, symbol, venue: venueOfItem(item), values: v as Record<string, string>, tsEvent: tsRecv, tsRecv } satisfies RawRealEvent;
}

export function isDecodeFailure(x: RealtimeEvent | DecodeFailure): x is DecodeFailure {
  return (x as DecodeFailure).failure !== undefined;
}

/** Where each read FID's number sits in a slot array (SLOT_FIDS order), shared with the byte decoder. */
const S10 = SLOT_FIDS.indexOf('10');
const S11 = SLOT_FIDS.indexOf('11');
const S12 = SLOT_FIDS.indexOf('12');
const S13 = SLOT_FIDS.indexOf('13');
const S15 = SLOT_FIDS.indexOf('15');
const S20 = SLOT_FIDS.indexOf('20');
const S14 = SLOT_FIDS.indexOf('14');
const S16 = SLOT_FIDS.indexOf('16');
const S17 = SLOT_FIDS.indexOf('17');
const S18 = SLOT_FIDS.indexOf('18');
const S25 = SLOT_FIDS.indexOf('25');
const S27 = SLOT_FIDS.indexOf('27');
const S28 = SLOT_FIDS.indexOf('28');
const S228 = SLOT_FIDS.indexOf('228');

const PARSERS: Readonly<Record<FidParse, (s: string) => number>> = {
  price: parsePrice,
  signed: parseSigned,
  rate: parseRate,
  sign: parseSignCode,
  time: parseHhmmss,
};

/**
 * A table-driven type (0B, 0A): checks the read FIDs' presence and type, parses them into slots, then
 * the shared rules (required readable, every value in range) decide; the event is built by the same
 * function the byte decoder uses.
 */
function decodeRuled(type: string, item: string, v: Record<string, unknown>, rules: readonly FidRule[], tsRecv: number, dayStart: number): RealtimeEvent | DecodeFailure {
  for (const r of rules) {
    const x = v[r.fid];
    if (x === undefined ? r.required : typeof x !== 'string') {
      return shape(x === undefined ? `${type} values.${r.fid} missing` : `${type} values.${r.fid} is not a string`);
    }
  }
  const slots = new Float64Array(SLOT_FIDS.length).fill(NaN);
  for (const r of rules) {
    const x = v[r.fid];
    if (x !== undefined) slots[r.slot] = PARSERS[r.parse](x as string);
  }
  if (!slotsAcceptable(rules, slots)) return unacceptable(rules, v, slots);
  const symbol = symbolOf(item);
  const venue = venueOfItem(item);
  if (type !== '0B') return buildIndicative(symbol, venue, slots, tsRecv);
  return buildTrade(symbol, venue, slots, sideOf(v['15'] as string), tradeVenueOf(v['9081']), sessionCodeOf(v['290']), tsRecv, dayStart);
}

/** The one acceptance rule of both decoders: required FIDs readable, every read value within its range. */
export function slotsAcceptable(rules: readonly FidRule[], slots: Float64Array): boolean {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const x = slots[r.slot]!;
    if (x !== x) {
      if (r.required) return false;
    } else if (x > r.max || x < -r.max) return false;
  }
  return true;
}

/** A trade from parsed slots (NaN = absent or unreadable optional). One literal: one hidden class. */
export function buildTrade(
  symbol: string,
  venue: Exchange,
  n: Float64Array,
  side: TradeEvent['side'],
  tradeVenue: TradeEvent['tradeVenue'],
  sessionCode: string,
  tsRecv: number,
  dayStart: number,
): TradeEvent {
  let tsEvent = dayStart + n[S20]! * 1000;
  // A venue time far ahead of arrival belongs to the previous KST day (a frame straddling midnight).
  if (tsEvent > tsRecv + DAY_MS / 2) tsEvent -= DAY_MS;
  const volumeSigned = n[S15]!;
  const strength = n[S228]!;
  return {
    kind: 'trade',
    symbol,
    venue,
    price: n[S10]!,
    change: n[S11]!,
    changeRate: n[S12]!,
    sign: orZero(n[S25]!),
    cumVolume: n[S13]!,
    cumValue: orZero(n[S14]!),
    open: orZero(n[S16]!),
    high: orZero(n[S17]!),
    low: orZero(n[S18]!),
    ask: orZero(n[S27]!),
    bid: orZero(n[S28]!),
    volume: volumeSigned < 0 ? -volumeSigned : volumeSigned,
    side,
    strength: strength === strength ? strength : null,
    tradeVenue,
    sessionCode,
    tsEvent,
    tsRecv,
  };
}

/** An indicative price from parsed slots; 0A carries no venue time. */
export function buildIndicative(symbol: string, venue: Exchange, n: Float64Array, tsRecv: number): IndicativeEvent {
  return {
    kind: 'indicative',
    symbol,
    venue,
    price: n[S10]!,
    change: n[S11]!,
    changeRate: n[S12]!,
    sign: orZero(n[S25]!),
    cumVolume: n[S13]!,
    cumValue: orZero(n[S14]!),
    open: orZero(n[S16]!),
    high: orZero(n[S17]!),
    low: orZero(n[S18]!),
    ask: orZero(n[S27]!),
    bid: orZero(n[S28]!),
    tsEvent: tsRecv,
    tsRecv,
  };
}

export { symbolOf, venueOfItem } from './venue-codes.js';

/**
 * FID 9081 거래소구분 (text on 0B, protocol.md 10.3): "KRX" or "NXT" with surrounding spaces ignored;
 * anything else (absent, not a string, the [U] 통합 forms) is null. The byte decoder applies the same rule.
 */
export function tradeVenueOf(x: unknown): TradeEvent['tradeVenue'] {
  if (typeof x !== 'string') return null;
  const t = trimSpaces(x);
  return t === 'KRX' ? 'KRX' : t === 'NXT' ? 'NXT' : null;
}

/** Longest FID 290 code kept: the known one is one digit; anything long is noise, not a code. */
export const SESSION_CODE_MAX = 8;

/**
 * FID 290 장구분 kept raw (its codes are [U] but "2" = continuous): spaces trimmed, kept only when
 * 1-8 printable ASCII characters (hostile input never grows an event), else ''.
 */
export function sessionCodeOf(x: unknown): string {
  if (typeof x !== 'string') return '';
  const t = trimSpaces(x);
  if (t.length === 0 || t.length > SESSION_CODE_MAX) return '';
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return '';
  }
  return t;
}

/** Only ' ' (the wire's padding), as the byte decoder trims. */
function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** FID 15's sign: + buyer-initiated, - seller-initiated (third-party reading; unsigned = unknown). */
export function sideOf(text: string): TradeEvent['side'] {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 43) return 'buy';
    if (c === 45) return 'sell';
    if (c !== 32) return 'unknown';
  }
  return 'unknown';
}

function orZero(n: number): number {
  return n === n ? n : 0;
}

function shape(reason: string): DecodeFailure {
  return { failure: 'E_DECODE_SHAPE', reason };
}

/** Bounded text for a reason: input from the network never makes a log line long. */
function clip(s: string): string {
  return s.length <= 24 ? s : `${s.slice(0, 24)}...`;
}

/** Why slots were refused: the unreadable required FIDs, else the first value out of its range. */
function unacceptable(rules: readonly FidRule[], v: Record<string, unknown>, slots: Float64Array): DecodeFailure {
  const sample = (fid: string): string => `${fid}=${JSON.stringify(clip(String(v[fid] ?? '')))}`;
  const bad = rules.filter((r) => r.required && Number.isNaN(slots[r.slot]));
  if (bad.length > 0) return { failure: 'E_DECODE_VALUE', reason: `unreadable FID ${bad.map((r) => sample(r.fid)).join(', ')}` };
  const far = rules.find((r) => Math.abs(slots[r.slot]!) > r.max);
  return { failure: 'E_DECODE_VALUE', reason: `FID out of range (max ${far?.max}): ${far ? sample(far.fid) : '?'}` };
}
