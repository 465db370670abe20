import type { Exchange, IndicativeEvent, RawRealEvent, RealtimeEvent, TradeEvent } from '../../core/market.js';
import { INDICATIVE_OPTIONAL_FIDS, INDICATIVE_REQUIRED_FIDS, TRADE_OPTIONAL_FIDS, TRADE_REQUIRED_FIDS } from './realtime-schema.js';
import { parseHhmmss, parsePrice, parseRate, parseSignCode, parseSigned } from './values.js';

/**
 * The hot path of the real-time feed: one REAL entry (already JSON-parsed) to a domain event.
 * Hand-written checks of the rules declared in realtime-schema.ts; nothing allocated beyond the event.
 * A bad entry comes back as a DecodeFailure, to be counted and dropped, never thrown into the stream.
 */
export interface DecodeFailure {
  readonly failure: 'E_DECODE_SHAPE' | 'E_DECODE_VALUE';
  readonly reason: string;
}

const KST_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;

/** The KST midnight (epoch ms) of the day holding `tsRecv`. */
export function kstDayStart(tsRecv: number): number {
  return tsRecv - ((tsRecv + KST_MS) % DAY_MS);
}

export function decodeEntry(entry: unknown, tsRecv: number, dayStart: number): RealtimeEvent | DecodeFailure {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return shape('entry is not an object');
  const e = entry as { type?: unknown; item?: unknown; values?: unknown };
  const type = e.type;
  const item = e.item;
  const values = e.values;
  if (typeof type !== 'string' || type.length === 0) return shape('entry.type is not a string');
  if (typeof item !== 'string' || item.length === 0) return shape('entry.item is not a string');
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return shape('entry.values is not an object');
  const v = values as Record<string, unknown>;
  // Only the FIDs we read are checked (realtime-schema.ts); the other ~30 of a 0B entry are tolerated.
  if (type === '0B') return decodeTrade(item, v, tsRecv, dayStart);
  if (type === '0A') return decodeIndicative(item, v, tsRecv);
  // A raw event promises string values, so a raw entry is checked whole (rare types only).
  for (const key in v) if (typeof v[key] !== 'string') return shape(`${type} values.${key} is not a string`);
  return { kind: 'raw', type, symbol: symbolOf(item), values: v as Record<string, string>, tsEvent: tsRecv, tsRecv } satisfies RawRealEvent;
}

export function isDecodeFailure(x: RealtimeEvent | DecodeFailure): x is DecodeFailure {
  return (x as DecodeFailure).failure !== undefined;
}

function decodeTrade(item: string, v: Record<string, unknown>, tsRecv: number, dayStart: number): TradeEvent | DecodeFailure {
  // Each FID is read once; V8 keeps integer-like keys as (slow) elements, so lookups are the cost.
  const s10 = v['10'];
  const s11 = v['11'];
  const s12 = v['12'];
  const s13 = v['13'];
  const s15 = v['15'];
  const s20 = v['20'];
  if (typeof s10 !== 'string' || typeof s11 !== 'string' || typeof s12 !== 'string' || typeof s13 !== 'string' || typeof s15 !== 'string' || typeof s20 !== 'string') {
    return fidFailure('0B', v, TRADE_REQUIRED_FIDS);
  }
  const s14 = v['14'];
  const s16 = v['16'];
  const s17 = v['17'];
  const s18 = v['18'];
  const s25 = v['25'];
  const s27 = v['27'];
  const s28 = v['28'];
  const s228 = v['228'];
  if (notOptional(s14) || notOptional(s16) || notOptional(s17) || notOptional(s18) || notOptional(s25) || notOptional(s27) || notOptional(s28) || notOptional(s228)) {
    return fidFailure('0B', v, TRADE_OPTIONAL_FIDS);
  }
  const price = parsePrice(s10);
  const change = parseSigned(s11);
  const changeRate = parseRate(s12);
  const cumVolume = parseSigned(s13);
  const volumeSigned = parseSigned(s15);
  const seconds = parseHhmmss(s20);
  if (Number.isNaN(price + change + changeRate + cumVolume + volumeSigned + seconds)) {
    return unreadable(v, { '10': price, '11': change, '12': changeRate, '13': cumVolume, '15': volumeSigned, '20': seconds });
  }
  let tsEvent = dayStart + seconds * 1000;
  // A venue time far ahead of arrival belongs to the previous KST day (a frame straddling midnight).
  if (tsEvent > tsRecv + DAY_MS / 2) tsEvent -= DAY_MS;
  // One literal, same property order every time: one hidden class for every trade.
  return {
    kind: 'trade',
    symbol: symbolOf(item),
    exchange: exchangeOf(item),
    price,
    change,
    changeRate,
    sign: optionalValue(s25 as string | undefined, parseSignCode),
    cumVolume,
    cumValue: optionalValue(s14 as string | undefined, parseSigned),
    open: optionalValue(s16 as string | undefined, parsePrice),
    high: optionalValue(s17 as string | undefined, parsePrice),
    low: optionalValue(s18 as string | undefined, parsePrice),
    ask: optionalValue(s27 as string | undefined, parsePrice),
    bid: optionalValue(s28 as string | undefined, parsePrice),
    volume: volumeSigned < 0 ? -volumeSigned : volumeSigned,
    side: sideOf(s15),
    strength: s228 === undefined ? null : nullIfNaN(parseRate(s228 as string)),
    tsEvent,
    tsRecv,
  };
}

function decodeIndicative(item: string, v: Record<string, unknown>, tsRecv: number): IndicativeEvent | DecodeFailure {
  const s10 = v['10'];
  const s11 = v['11'];
  const s12 = v['12'];
  const s13 = v['13'];
  if (typeof s10 !== 'string' || typeof s11 !== 'string' || typeof s12 !== 'string' || typeof s13 !== 'string') {
    return fidFailure('0A', v, INDICATIVE_REQUIRED_FIDS);
  }
  const s14 = v['14'];
  const s16 = v['16'];
  const s17 = v['17'];
  const s18 = v['18'];
  const s25 = v['25'];
  const s27 = v['27'];
  const s28 = v['28'];
  if (notOptional(s14) || notOptional(s16) || notOptional(s17) || notOptional(s18) || notOptional(s25) || notOptional(s27) || notOptional(s28)) {
    return fidFailure('0A', v, INDICATIVE_OPTIONAL_FIDS);
  }
  const price = parsePrice(s10);
  const change = parseSigned(s11);
  const changeRate = parseRate(s12);
  const cumVolume = parseSigned(s13);
  if (Number.isNaN(price + change + changeRate + cumVolume)) {
    return unreadable(v, { '10': price, '11': change, '12': changeRate, '13': cumVolume });
  }
  return {
    kind: 'indicative',
    symbol: symbolOf(item),
    exchange: exchangeOf(item),
    price,
    change,
    changeRate,
    sign: optionalValue(s25 as string | undefined, parseSignCode),
    cumVolume,
    cumValue: optionalValue(s14 as string | undefined, parseSigned),
    open: optionalValue(s16 as string | undefined, parsePrice),
    high: optionalValue(s17 as string | undefined, parsePrice),
    low: optionalValue(s18 as string | undefined, parsePrice),
    ask: optionalValue(s27 as string | undefined, parsePrice),
    bid: optionalValue(s28 as string | undefined, parsePrice),
    // 0A carries no venue time.
    tsEvent: tsRecv,
    tsRecv,
  };
}

/** `005930_NX` -> `005930`. */
export function symbolOf(item: string): string {
  const cut = item.indexOf('_');
  return cut < 0 ? item : item.slice(0, cut);
}

export function exchangeOf(item: string): Exchange {
  if (item.length <= 6) return 'KRX';
  if (item.endsWith('_NX')) return 'NXT';
  if (item.endsWith('_AL')) return 'SOR';
  return 'KRX';
}

/** FID 15's sign: + buyer-initiated, - seller-initiated (third-party reading; unsigned = unknown). */
function sideOf(text: string): 'buy' | 'sell' | 'unknown' {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 43) return 'buy';
    if (c === 45) return 'sell';
    if (c !== 32) return 'unknown';
  }
  return 'unknown';
}

/** An optional FID present with a non-string value (the schema's `z.string().optional()` fails). */
function notOptional(x: unknown): boolean {
  return x !== undefined && typeof x !== 'string';
}

/** A FID that never gates a decode: absent or unreadable reads as 0. */
function optionalValue(value: string | undefined, parse: (s: string) => number): number {
  if (value === undefined) return 0;
  const n = parse(value);
  return n === n ? n : 0;
}

function nullIfNaN(n: number): number | null {
  return n === n ? n : null;
}

function shape(reason: string): DecodeFailure {
  return { failure: 'E_DECODE_SHAPE', reason };
}

/** The first of `fids` that is missing or not a string (the slow path of a bad entry). */
function fidFailure(type: string, v: Record<string, unknown>, fids: readonly string[]): DecodeFailure {
  for (const fid of fids) {
    const x = v[fid];
    if (x === undefined) return shape(`${type} values.${fid} missing`);
    if (typeof x !== 'string') return shape(`${type} values.${fid} is not a string`);
  }
  return shape(`${type} values unreadable`);
}

function unreadable(v: Record<string, unknown>, parsed: Record<string, number>): DecodeFailure {
  const bad = Object.keys(parsed).filter((fid) => Number.isNaN(parsed[fid]));
  const sample = bad.map((fid) => `${fid}=${JSON.stringify(String(v[fid] ?? '').slice(0, 24))}`).join(', ');
  return { failure: 'E_DECODE_VALUE', reason: `unreadable FID ${sample}` };
}
