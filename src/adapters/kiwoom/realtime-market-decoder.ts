import type { BookEvent, Exchange, BookLevel, ProgramFlowEvent, StockInfoEvent, VenueDepth, ViEvent } from '../../core/market.js';
import { BOOK_LEVELS, MARKET_RULES_BY_TYPE, type MarketFidParse, type MarketFidRule } from './realtime-market-fids.js';
import type { DecodeFailure } from './realtime-decoder.js';
import { parseHhmmss, parsePrice, parseRate, parseSignCode, parseSigned } from './values.js';

/**
 * The reference decoder of 0w, 1h, 0g and 0D entries, driven by realtime-market-fids.ts: the read
 * FIDs are checked for presence and type, parsed into named fields, range-checked, then one builder per
 * type makes the domain event. FIDs the tables do not name are tolerated (schema drift). Never throws:
 * a bad entry is a DecodeFailure, counted and dropped by the caller.
 */
export type MarketStructureEvent = ProgramFlowEvent | ViEvent | StockInfoEvent | BookEvent;

const DAY_MS = 86_400_000;

const NUMBER_PARSERS: Readonly<Record<Exclude<MarketFidParse, 'text'>, (s: string) => number>> = {
  price: parsePrice,
  signed: parseSigned,
  rate: parseRate,
  sign: parseSignCode,
  time: parseHhmmss,
};

interface Fields {
  /** NaN where absent (optional) or unreadable. */
  readonly num: Record<string, number>;
  /** '' where absent. */
  readonly text: Record<string, string>;
}

export function isMarketType(type: string): boolean {
  return Object.hasOwn(MARKET_RULES_BY_TYPE, type);
}

/** One entry of a market-structure type (`isMarketType(type)`); `item` is not checked yet. */
export function decodeMarketEntry(type: string, item: unknown, v: Record<string, unknown>, tsRecv: number, dayStart: number): MarketStructureEvent | DecodeFailure {
  const rules = MARKET_RULES_BY_TYPE[type]!;
  if (typeof item !== 'string') return shape('entry.item is not a string');
  // Registered with item [""], a 1h entry names its stock in 9001 (and may echo `_AL`), protocol.md 10.3.
  const code = type === '1h' && item.length === 0 ? v['9001'] : item;
  const where = typeof code === 'string' ? itemOf(code) : null;
  if (where === null) return shape('entry.item is not a stock code');
  const fields = readFields(type, rules, v);
  if ('failure' in fields) return fields;
  const { symbol, exchange } = where;
  switch (type) {
    case '0w':
      return buildProgramFlow(symbol, exchange, fields, tsRecv, dayStart);
    case '1h':
      return buildVi(symbol, exchange, fields, tsRecv);
    case '0g':
      return buildStockInfo(symbol, exchange, fields, tsRecv);
    default:
      return buildBook(symbol, exchange, fields, tsRecv, dayStart);
  }
}

function readFields(type: string, rules: readonly MarketFidRule[], v: Record<string, unknown>): Fields | DecodeFailure {
  const num: Record<string, number> = {};
  const text: Record<string, string> = {};
  // Shape first (as the declared schema), values second: a shape fault is reported as such.
  for (const r of rules) {
    const x = v[r.fid];
    if (x === undefined ? r.required : typeof x !== 'string') {
      return shape(x === undefined ? `${type} values.${r.fid} missing` : `${type} values.${r.fid} is not a string`);
    }
  }
  for (const r of rules) {
    const x = v[r.fid] as string | undefined;
    if (x === undefined) {
      if (r.parse === 'text') text[r.field] = '';
      else num[r.field] = NaN;
      continue;
    }
    if (r.parse === 'text') {
      text[r.field] = x.trim();
      continue;
    }
    const n = NUMBER_PARSERS[r.parse](x);
    if (n !== n) {
      if (r.required) return { failure: 'E_DECODE_VALUE', reason: `unreadable FID ${r.fid}=${JSON.stringify(clip(x))}` };
    } else if (n > r.max || n < -r.max) {
      return { failure: 'E_DECODE_VALUE', reason: `FID out of range (max ${r.max}): ${r.fid}=${JSON.stringify(clip(x))}` };
    }
    num[r.field] = n;
  }
  return { num, text };
}

function itemOf(item: string): { symbol: string; exchange: Exchange } | null {
  const cut = item.indexOf('_');
  const symbol = cut < 0 ? item : item.slice(0, cut);
  if (symbol.length === 0 || symbol.length > 12) return null;
  return { symbol, exchange: item.endsWith('_NX') ? 'NXT' : item.endsWith('_AL') ? 'SOR' : 'KRX' };
}

function buildProgramFlow(symbol: string, exchange: ProgramFlowEvent['exchange'], f: Fields, tsRecv: number, dayStart: number): ProgramFlowEvent {
  const n = f.num;
  const sellQuantity = n.sellQuantity!;
  const sellAmount = n.sellAmount!;
  const buyQuantity = n.buyQuantity!;
  const buyAmount = n.buyAmount!;
  return {
    kind: 'program-flow',
    symbol,
    exchange,
    price: z(n.price),
    change: z(n.change),
    changeRate: z(n.changeRate),
    cumVolume: z(n.cumVolume),
    sellQuantity,
    sellAmount,
    buyQuantity,
    buyAmount,
    // 210/212 = 206 - 202 / 208 - 204 on the real run: derived when the wire leaves them out.
    netQuantity: or(n.netQuantity, buyQuantity - sellQuantity),
    netAmount: or(n.netAmount, buyAmount - sellAmount),
    netQuantityChange: z(n.netQuantityChange),
    netAmountChange: z(n.netAmountChange),
    tsEvent: venueTime(n.time!, tsRecv, dayStart),
    tsRecv,
  };
}

function buildVi(symbol: string, exchange: ViEvent['exchange'], f: Fields, tsRecv: number): ViEvent {
  const n = f.num;
  const t = f.text;
  const release = n.releaseTime!;
  return {
    kind: 'vi',
    symbol,
    exchange,
    phase: release > 0 ? 'release' : 'trigger',
    viType: viTypeOf(t.viType!.length > 0 ? t.viType! : t.extra!),
    direction: directionOf(t.direction!, t.extra!),
    triggerPrice: n.triggerPrice!,
    staticReference: z(n.staticReference),
    dynamicReference: z(n.dynamicReference),
    staticDeviation: z(n.staticDeviation),
    dynamicDeviation: z(n.dynamicDeviation),
    changeRate: z(n.changeRate),
    count: z(n.count),
    triggerTime: n.triggerTime! === n.triggerTime! && n.triggerTime! > 0 ? n.triggerTime! : null,
    releaseTime: release > 0 ? release : null,
    tsEvent: tsRecv,
    tsRecv,
  };
}

function buildStockInfo(symbol: string, exchange: StockInfoEvent['exchange'], f: Fields, tsRecv: number): StockInfoEvent {
  const n = f.num;
  return {
    kind: 'stock-info',
    symbol,
    exchange,
    upperLimit: n.upperLimit!,
    lowerLimit: n.lowerLimit!,
    referencePrice: z(n.referencePrice),
    extension: f.text.extension!,
    openingExtension: f.text.openingExtension!,
    closingExtension: f.text.closingExtension!,
    tsEvent: tsRecv,
    tsRecv,
  };
}

function buildBook(symbol: string, exchange: BookEvent['exchange'], f: Fields, tsRecv: number, dayStart: number): BookEvent {
  const n = f.num;
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  for (let i = 1; i <= BOOK_LEVELS; i++) {
    asks.push({ price: z(n[`ask${i}`]), quantity: z(n[`askQty${i}`]) });
    bids.push({ price: z(n[`bid${i}`]), quantity: z(n[`bidQty${i}`]) });
  }
  return {
    kind: 'book',
    symbol,
    exchange,
    asks,
    bids,
    totalAsk: n.totalAsk!,
    totalBid: n.totalBid!,
    totalAskChange: z(n.totalAskChange),
    totalBidChange: z(n.totalBidChange),
    expectedPrice: z(n.expectedPrice),
    expectedQuantity: z(n.expectedQuantity),
    krx: depthOf(n, 'krx'),
    nxt: depthOf(n, 'nxt'),
    tsEvent: venueTime(n.time!, tsRecv, dayStart),
    tsRecv,
  };
}

/** A venue's split depth, or null when the wire carries none: absent, or all "0" as on a bare-code REG. */
function depthOf(n: Record<string, number>, venue: 'krx' | 'nxt'): VenueDepth | null {
  const askQuantities: number[] = [];
  const bidQuantities: number[] = [];
  let any = false;
  for (let i = 1; i <= BOOK_LEVELS; i++) {
    const a = z(n[`${venue}Ask${i}`]);
    const b = z(n[`${venue}Bid${i}`]);
    if (a !== 0 || b !== 0) any = true;
    askQuantities.push(a);
    bidQuantities.push(b);
  }
  const totalAsk = z(n[`${venue}TotalAsk`]);
  const totalBid = z(n[`${venue}TotalBid`]);
  if (!any && totalAsk === 0 && totalBid === 0) return null;
  return { askQuantities, bidQuantities, totalAsk, totalBid };
}

function viTypeOf(s: string): ViEvent['viType'] {
  const st = s.includes('정적');
  const dy = s.includes('동적');
  return st && dy ? 'both' : st ? 'static' : dy ? 'dynamic' : 'unknown';
}

/** 9069 `1` up, `2` down (protocol.md 10.3 [I]); else the sign 1279 carries. */
function directionOf(code: string, extra: string): ViEvent['direction'] {
  if (code === '1') return 'up';
  if (code === '2') return 'down';
  if (extra.startsWith('+')) return 'up';
  if (extra.startsWith('-')) return 'down';
  return 'unknown';
}

/** The venue's HHMMSS as epoch ms on the KST day of arrival (a time far ahead belongs to the day before). */
function venueTime(seconds: number, tsRecv: number, dayStart: number): number {
  if (seconds !== seconds) return tsRecv;
  const t = dayStart + seconds * 1000;
  return t > tsRecv + DAY_MS / 2 ? t - DAY_MS : t;
}

function z(x: number | undefined): number {
  return x !== undefined && x === x ? x : 0;
}

function or(x: number | undefined, fallback: number): number {
  return x !== undefined && x === x ? x : fallback;
}

function shape(reason: string): DecodeFailure {
  return { failure: 'E_DECODE_SHAPE', reason };
}

function clip(s: string): string {
  return s.length <= 24 ? s : `${s.slice(0, 24)}...`;
}
