import type { BookEvent, Exchange, BookLevel, ProgramFlowEvent, StockInfoEvent, VenueDepth, ViEvent } from '../../core/market.js';
import { symbolOf, venueOfItem } from './venue-codes.js';
import { BOOK_LEVELS, BOOK_RULES, MARKET_RULES_BY_TYPE, PROGRAM_FLOW_RULES, STOCK_INFO_RULES, VI_RULES, type MarketFidParse, type MarketFidRule } from './realtime-market-fids.js';
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

/** Parsed values in table order: `num[i]` NaN where absent or unreadable, `text[i]` '' where absent. */
interface Fields {
  readonly num: Float64Array;
  readonly text: readonly string[];
}

/** A table's field names to their positions, resolved once per table (builders read by position). */
function positions(rules: readonly MarketFidRule[]): (field: string) => number {
  return (field) => {
    const i = rules.findIndex((r) => r.field === field);
    if (i < 0) throw new Error(`no field ${field}`); // module load only: a table/builder mismatch
    return i;
  };
}

const W = positions(PROGRAM_FLOW_RULES);
const W_TIME = W('time'), W_PRICE = W('price'), W_CHANGE = W('change'), W_RATE = W('changeRate'), W_VOL = W('cumVolume');
const W_SQ = W('sellQuantity'), W_SA = W('sellAmount'), W_BQ = W('buyQuantity'), W_BA = W('buyAmount');
const W_NQ = W('netQuantity'), W_NA = W('netAmount'), W_NQC = W('netQuantityChange'), W_NAC = W('netAmountChange');

const H = positions(VI_RULES);
const H_CODE = H('code'), H_PRICE = H('triggerPrice'), H_DIR = H('direction'), H_EXTRA = H('extra'), H_TYPE = H('viType');
const H_TTIME = H('triggerTime'), H_RTIME = H('releaseTime'), H_SREF = H('staticReference'), H_DREF = H('dynamicReference');
const H_SDEV = H('staticDeviation'), H_DDEV = H('dynamicDeviation'), H_RATE = H('changeRate'), H_COUNT = H('count');

const G = positions(STOCK_INFO_RULES);
const G_UP = G('upperLimit'), G_LO = G('lowerLimit'), G_REF = G('referencePrice'), G_EXT = G('extension'), G_OPEN = G('openingExtension'), G_CLOSE = G('closingExtension');

const D = positions(BOOK_RULES);
const levels = (prefix: string): number[] => Array.from({ length: BOOK_LEVELS }, (_, i) => D(`${prefix}${i + 1}`));
const D_ASK = levels('ask'), D_BID = levels('bid'), D_ASKQ = levels('askQty'), D_BIDQ = levels('bidQty');
const D_TIME = D('time'), D_TA = D('totalAsk'), D_TB = D('totalBid'), D_TAC = D('totalAskChange'), D_TBC = D('totalBidChange');
const D_EP = D('expectedPrice'), D_EQ = D('expectedQuantity');
const DEPTH = {
  krx: { asks: levels('krxAsk'), bids: levels('krxBid'), totalAsk: D('krxTotalAsk'), totalBid: D('krxTotalBid') },
  nxt: { asks: levels('nxtAsk'), bids: levels('nxtBid'), totalAsk: D('nxtTotalAsk'), totalBid: D('nxtTotalBid') },
} as const;

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
  const { symbol, venue } = where;
  switch (type) {
    case '0w':
      return buildProgramFlow(symbol, venue, fields, tsRecv, dayStart);
    case '1h':
      return buildVi(symbol, venue, fields, tsRecv);
    case '0g':
      return buildStockInfo(symbol, venue, fields, tsRecv);
    default:
      return buildBook(symbol, venue, fields, tsRecv, dayStart);
  }
}

/** Each table's parser per rule (null for text), resolved once. */
const PARSERS_OF = new Map<readonly MarketFidRule[], ReadonlyArray<((s: string) => number) | null>>(
  Object.values(MARKET_RULES_BY_TYPE).map((rules) => [rules, rules.map((r) => (r.parse === 'text' ? null : NUMBER_PARSERS[r.parse]))]),
);

/**
 * One pass: a shape fault (a required FID missing, a read FID not a string) wins over a value fault
 * found earlier, as the declared schema sees shapes only.
 */
function readFields(type: string, rules: readonly MarketFidRule[], v: Record<string, unknown>): Fields | DecodeFailure {
  const parsers = PARSERS_OF.get(rules)!;
  const num = new Float64Array(rules.length).fill(NaN);
  const text: string[] = new Array<string>(rules.length).fill('');
  let valueFault: DecodeFailure | null = null;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const x = v[r.fid];
    if (x === undefined) {
      if (r.required) return shape(`${type} values.${r.fid} missing`);
      continue;
    }
    if (typeof x !== 'string') return shape(`${type} values.${r.fid} is not a string`);
    const parse = parsers[i];
    if (parse === null || parse === undefined) {
      text[i] = x.trim();
      continue;
    }
    if (valueFault !== null) continue;
    const n = parse(x);
    if (n !== n) {
      if (r.required) valueFault = { failure: 'E_DECODE_VALUE', reason: `unreadable FID ${r.fid}=${JSON.stringify(clip(x))}` };
    } else if (n > r.max || n < -r.max) {
      valueFault = { failure: 'E_DECODE_VALUE', reason: `FID out of range (max ${r.max}): ${r.fid}=${JSON.stringify(clip(x))}` };
    }
    num[i] = n;
  }
  return valueFault ?? { num, text };
}

function itemOf(item: string): { symbol: string; venue: Exchange } | null {
  const symbol = symbolOf(item);
  if (symbol.length === 0 || symbol.length > 12) return null;
  return { symbol, venue: venueOfItem(item) };
}

function buildProgramFlow(symbol: string, venue: Exchange, f: Fields, tsRecv: number, dayStart: number): ProgramFlowEvent {
  const n = f.num;
  const sellQuantity = n[W_SQ]!;
  const sellAmount = n[W_SA]!;
  const buyQuantity = n[W_BQ]!;
  const buyAmount = n[W_BA]!;
  return {
    kind: 'program-flow',
    symbol,
    venue,
    price: z(n[W_PRICE]),
    change: z(n[W_CHANGE]),
    changeRate: z(n[W_RATE]),
    cumVolume: z(n[W_VOL]),
    sellQuantity,
    sellAmount,
    buyQuantity,
    buyAmount,
    // 210/212 = 206 - 202 / 208 - 204 on the real run: derived when the wire leaves them out.
    netQuantity: or(n[W_NQ], buyQuantity - sellQuantity),
    netAmount: or(n[W_NA], buyAmount - sellAmount),
    netQuantityChange: z(n[W_NQC]),
    netAmountChange: z(n[W_NAC]),
    tsEvent: venueTime(n[W_TIME]!, tsRecv, dayStart),
    tsRecv,
  };
}

function buildVi(symbol: string, venue: Exchange, f: Fields, tsRecv: number): ViEvent {
  const n = f.num;
  const t = f.text;
  const release = n[H_RTIME]!;
  const trigger = n[H_TTIME]!;
  return {
    kind: 'vi',
    symbol,
    venue,
    phase: release > 0 ? 'release' : 'trigger',
    viType: viTypeOf(t[H_TYPE]!.length > 0 ? t[H_TYPE]! : t[H_EXTRA]!),
    direction: directionOf(t[H_DIR]!, t[H_EXTRA]!),
    triggerPrice: n[H_PRICE]!,
    staticReference: z(n[H_SREF]),
    dynamicReference: z(n[H_DREF]),
    staticDeviation: z(n[H_SDEV]),
    dynamicDeviation: z(n[H_DDEV]),
    changeRate: z(n[H_RATE]),
    count: z(n[H_COUNT]),
    triggerTime: trigger > 0 ? trigger : null,
    releaseTime: release > 0 ? release : null,
    tsEvent: tsRecv,
    tsRecv,
  };
}

function buildStockInfo(symbol: string, venue: Exchange, f: Fields, tsRecv: number): StockInfoEvent {
  const n = f.num;
  return {
    kind: 'stock-info',
    symbol,
    venue,
    upperLimit: n[G_UP]!,
    lowerLimit: n[G_LO]!,
    referencePrice: z(n[G_REF]),
    extension: f.text[G_EXT]!,
    openingExtension: f.text[G_OPEN]!,
    closingExtension: f.text[G_CLOSE]!,
    tsEvent: tsRecv,
    tsRecv,
  };
}

function buildBook(symbol: string, venue: Exchange, f: Fields, tsRecv: number, dayStart: number): BookEvent {
  const n = f.num;
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  for (let i = 0; i < BOOK_LEVELS; i++) {
    asks.push({ price: z(n[D_ASK[i]!]), quantity: z(n[D_ASKQ[i]!]) });
    bids.push({ price: z(n[D_BID[i]!]), quantity: z(n[D_BIDQ[i]!]) });
  }
  return {
    kind: 'book',
    symbol,
    venue,
    asks,
    bids,
    totalAsk: n[D_TA]!,
    totalBid: n[D_TB]!,
    totalAskChange: z(n[D_TAC]),
    totalBidChange: z(n[D_TBC]),
    expectedPrice: z(n[D_EP]),
    expectedQuantity: z(n[D_EQ]),
    krx: depthOf(n, DEPTH.krx),
    nxt: depthOf(n, DEPTH.nxt),
    tsEvent: venueTime(n[D_TIME]!, tsRecv, dayStart),
    tsRecv,
  };
}

/** A venue's split depth, or null when the wire carries none: absent, or all "0" as on a bare-code REG. */
function depthOf(n: Float64Array, at: { readonly asks: readonly number[]; readonly bids: readonly number[]; readonly totalAsk: number; readonly totalBid: number }): VenueDepth | null {
  const askQuantities: number[] = [];
  const bidQuantities: number[] = [];
  let any = false;
  for (let i = 0; i < BOOK_LEVELS; i++) {
    const a = z(n[at.asks[i]!]);
    const b = z(n[at.bids[i]!]);
    if (a !== 0 || b !== 0) any = true;
    askQuantities.push(a);
    bidQuantities.push(b);
  }
  const totalAsk = z(n[at.totalAsk]);
  const totalBid = z(n[at.totalBid]);
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
