import type { Exchange, IndicativeEvent, RawRealEvent, RealtimeEvent, TradeEvent } from '../../core/market.js';
import { INDICATIVE_REQUIRED_FIDS, TRADE_REQUIRED_FIDS } from './realtime-schema.js';
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
  const e = entry as { type?: unknown; item?: unknown; values?: unknown; name?: unknown };
  const type = e.type;
  const item = e.item;
  const values = e.values;
  if (typeof type !== 'string' || type.length === 0) return shape('entry.type is not a string');
  if (typeof item !== 'string' || item.length === 0) return shape('entry.item is not a string');
  if (e.name !== undefined && typeof e.name !== 'string') return shape('entry.name is not a string');
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return shape('entry.values is not an object');
  const v = values as Record<string, unknown>;
  for (const key in v) if (typeof v[key] !== 'string') return shape(`${type} values.${key} is not a string`);
  if (type === '0B') return decodeTrade(item, v as Record<string, string>, tsRecv, dayStart);
  if (type === '0A') return decodeIndicative(item, v as Record<string, string>, tsRecv);
  return { kind: 'raw', type, symbol: symbolOf(item), values: v as Record<string, string>, tsEvent: tsRecv, tsRecv } satisfies RawRealEvent;
}

export function isDecodeFailure(x: RealtimeEvent | DecodeFailure): x is DecodeFailure {
  return (x as DecodeFailure).failure !== undefined;
}

function decodeTrade(item: string, v: Record<string, string>, tsRecv: number, dayStart: number): TradeEvent | DecodeFailure {
  for (const fid of TRADE_REQUIRED_FIDS) if (v[fid] === undefined) return shape(`0B values.${fid} missing`);
  const price = parsePrice(v['10'] as string);
  const change = parseSigned(v['11'] as string);
  const changeRate = parseRate(v['12'] as string);
  const cumVolume = parseSigned(v['13'] as string);
  const volumeText = v['15'] as string;
  const volumeSigned = parseSigned(volumeText);
  const seconds = parseHhmmss(v['20'] as string);
  if (Number.isNaN(price + change + changeRate + cumVolume + volumeSigned + seconds)) {
    return unreadable(v, { '10': price, '11': change, '12': changeRate, '13': cumVolume, '15': volumeSigned, '20': seconds });
  }
  let tsEvent = dayStart + seconds * 1000;
  // A venue time far ahead of arrival belongs to the previous KST day (a frame straddling midnight).
  if (tsEvent > tsRecv + DAY_MS / 2) tsEvent -= DAY_MS;
  return {
    kind: 'trade',
    symbol: symbolOf(item),
    exchange: exchangeOf(item),
    price,
    change,
    changeRate,
    sign: optional(v['25'], parseSignCode),
    cumVolume,
    cumValue: optional(v['14'], parseSigned),
    open: optional(v['16'], parsePrice),
    high: optional(v['17'], parsePrice),
    low: optional(v['18'], parsePrice),
    ask: optional(v['27'], parsePrice),
    bid: optional(v['28'], parsePrice),
    volume: volumeSigned < 0 ? -volumeSigned : volumeSigned,
    side: sideOf(volumeText),
    strength: v['228'] === undefined ? null : nullIfNaN(parseRate(v['228'])),
    tsEvent,
    tsRecv,
  };
}

function decodeIndicative(item: string, v: Record<string, string>, tsRecv: number): IndicativeEvent | DecodeFailure {
  for (const fid of INDICATIVE_REQUIRED_FIDS) if (v[fid] === undefined) return shape(`0A values.${fid} missing`);
  const price = parsePrice(v['10'] as string);
  const change = parseSigned(v['11'] as string);
  const changeRate = parseRate(v['12'] as string);
  const cumVolume = parseSigned(v['13'] as string);
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
    sign: optional(v['25'], parseSignCode),
    cumVolume,
    cumValue: optional(v['14'], parseSigned),
    open: optional(v['16'], parsePrice),
    high: optional(v['17'], parsePrice),
    low: optional(v['18'], parsePrice),
    ask: optional(v['27'], parsePrice),
    bid: optional(v['28'], parsePrice),
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

/** A FID that never gates a decode: absent or unreadable reads as 0. */
function optional(value: string | undefined, parse: (s: string) => number): number {
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

function unreadable(v: Record<string, string>, parsed: Record<string, number>): DecodeFailure {
  const bad = Object.keys(parsed).filter((fid) => Number.isNaN(parsed[fid]));
  const sample = bad.map((fid) => `${fid}=${JSON.stringify((v[fid] ?? '').slice(0, 24))}`).join(', ');
  return { failure: 'E_DECODE_VALUE', reason: `unreadable FID ${sample}` };
}
