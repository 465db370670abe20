import type { MarketEvent, TradeEvent } from '../../core/market.js';

/**
 * How the egress hands market events to its worker thread (egress-worker.ts) for a fraction of a
 * structured clone: a trade, the one high-rate kind, is written as numbers into a Float64Array
 * (strings interned to small ids), so the pipeline's thread pays a few stores per event, not a
 * JSON.stringify or a clone (~1 us each, as much as the pipeline itself). Other kinds travel as
 * objects (cloned) beside the numbers, in order. The worker rebuilds each trade with the same
 * fields in the same order (buildTrade's), so its JSON payload is the bytes the event's would be.
 */

/** The slots of one record. */
const SEQ = 0;
const TAG = 1;
const SYMBOL = 2;
const VENUE = 3;
const SIDE = 4;
const FLAGS = 5;
const PRICE = 6;
const CHANGE = 7;
const CHANGE_RATE = 8;
const SIGN = 9;
const CUM_VOLUME = 10;
const CUM_VALUE = 11;
const OPEN = 12;
const HIGH = 13;
const LOW = 14;
const ASK = 15;
const BID = 16;
const VOLUME = 17;
const STRENGTH = 18;
const TS_EVENT = 19;
const TS_RECV = 20;
/** A string id, or -1 for null. */
const TRADE_VENUE = 21;
const SESSION_CODE = 22;
export const RECORD_SLOTS = 23;

const TAG_OTHER = 0;
const TAG_TRADE = 1;
const FLAG_STRENGTH_NULL = 1;
const FLAG_AUCTION = 2;

/**
 * Every field of TradeEvent is written above. A field added to TradeEvent fails this line until
 * the codec carries it (else the bus would silently lose it).
 */
type Carried = 'kind' | 'symbol' | 'venue' | 'tradeVenue' | 'sessionCode' | 'side' | 'price' | 'change' | 'changeRate' | 'sign' | 'cumVolume' | 'cumValue' | 'open' | 'high' | 'low' | 'ask' | 'bid' | 'volume' | 'strength' | 'tsEvent' | 'tsRecv' | 'auction';
const everyFieldCarried: Exclude<keyof TradeEvent, Carried> extends never ? true : false = true;
void everyFieldCarried;

/** One batch, main thread -> worker; `nums` is transferred, not copied. */
export interface EgressBatch {
  readonly t: 'batch';
  readonly count: number;
  readonly nums: Float64Array;
  /** Strings interned since the previous batch, in id order (ids continue from there). */
  readonly strings: readonly string[];
  /** The non-trade events, in the order of their TAG_OTHER records. */
  readonly others: readonly MarketEvent[];
}

/** The main thread's side: fills one buffer at a time. */
/** Strings interned per session (symbols, venues, session codes, sides): a bound, not a working size. */
export const MAX_INTERNED = 16_384;
/** The strings one trade interns at most. */
const TRADE_STRINGS = 5;

export class BatchWriter {
  private readonly ids = new Map<string, number>();
  /** The last string and id of each low-cardinality field (venue, trade venue, session code, side): mostly a hit. */
  private readonly last = [
    { s: '', id: -1 },
    { s: '', id: -1 },
    { s: '', id: -1 },
    { s: '', id: -1 },
  ];
  private fresh: string[] = [];
  private nums: Float64Array;
  private count = 0;
  private others: MarketEvent[] = [];

  constructor(
    readonly capacity: number,
    private readonly newBuffer: () => Float64Array,
  ) {
    this.nums = newBuffer();
  }

  get size(): number {
    return this.count;
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  add(event: MarketEvent, seq: number): void {
    const n = this.nums;
    const o = this.count++ * RECORD_SLOTS;
    n[o + SEQ] = seq;
    // A trade goes as numbers unless its strings would grow the interned table past its bound (both
    // threads keep it for the session: a broker sending ever-new session codes must not grow it).
    if (event.kind !== 'trade' || (this.ids.size > MAX_INTERNED - TRADE_STRINGS && !this.allInterned(event))) {
      n[o + TAG] = TAG_OTHER;
      this.others.push(event);
      return;
    }
    n[o + TAG] = TAG_TRADE;
    n[o + SYMBOL] = this.id(event.symbol);
    n[o + VENUE] = this.lastId(0, event.venue);
    n[o + TRADE_VENUE] = event.tradeVenue === null ? -1 : this.lastId(1, event.tradeVenue);
    n[o + SESSION_CODE] = this.lastId(2, event.sessionCode);
    n[o + SIDE] = this.lastId(3, event.side);
    n[o + FLAGS] = (event.strength === null ? FLAG_STRENGTH_NULL : 0) | (event.auction === true ? FLAG_AUCTION : 0);
    n[o + PRICE] = event.price;
    n[o + CHANGE] = event.change;
    n[o + CHANGE_RATE] = event.changeRate;
    n[o + SIGN] = event.sign;
    n[o + CUM_VOLUME] = event.cumVolume;
    n[o + CUM_VALUE] = event.cumValue;
    n[o + OPEN] = event.open;
    n[o + HIGH] = event.high;
    n[o + LOW] = event.low;
    n[o + ASK] = event.ask;
    n[o + BID] = event.bid;
    n[o + VOLUME] = event.volume;
    n[o + STRENGTH] = event.strength ?? 0;
    n[o + TS_EVENT] = event.tsEvent;
    n[o + TS_RECV] = event.tsRecv;
  }

  /** The batch so far (its buffer leaves this writer); the next one starts on a fresh buffer. */
  take(): EgressBatch {
    const batch: EgressBatch = { t: 'batch', count: this.count, nums: this.nums, strings: this.fresh, others: this.others };
    this.nums = this.newBuffer();
    this.count = 0;
    this.fresh = [];
    this.others = [];
    return batch;
  }

  private allInterned(e: TradeEvent): boolean {
    const { ids } = this;
    return ids.has(e.symbol) && ids.has(e.venue) && (e.tradeVenue === null || ids.has(e.tradeVenue)) && ids.has(e.sessionCode) && ids.has(e.side);
  }

  private lastId(field: number, s: string): number {
    const last = this.last[field]!;
    if (last.s === s && last.id >= 0) return last.id;
    last.s = s;
    last.id = this.id(s);
    return last.id;
  }

  private id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.fresh.push(s);
    }
    return id;
  }
}

/** The worker's side: the strings seen so far, and the events of a batch back as objects. */
export class BatchReader {
  private readonly strings: string[] = [];

  /** Calls `each` with every event of the batch and its seq, in order. */
  read(batch: EgressBatch, each: (event: MarketEvent, seq: number) => void): void {
    for (const s of batch.strings) this.strings.push(s);
    const n = batch.nums;
    let other = 0;
    for (let i = 0; i < batch.count; i++) {
      const o = i * RECORD_SLOTS;
      const seq = n[o + SEQ] as number;
      if (n[o + TAG] === TAG_OTHER) each(batch.others[other++] as MarketEvent, seq);
      else each(this.trade(n, o), seq);
    }
  }

  private trade(n: Float64Array, o: number): TradeEvent {
    const flags = n[o + FLAGS] as number;
    // buildTrade's field order (realtime-decoder.ts), then `auction` where the stream marked it.
    const trade: TradeEvent = {
      kind: 'trade',
      symbol: this.strings[n[o + SYMBOL] as number] as string,
      venue: this.strings[n[o + VENUE] as number] as TradeEvent['venue'],
      price: n[o + PRICE] as number,
      change: n[o + CHANGE] as number,
      changeRate: n[o + CHANGE_RATE] as number,
      sign: n[o + SIGN] as number,
      cumVolume: n[o + CUM_VOLUME] as number,
      cumValue: n[o + CUM_VALUE] as number,
      open: n[o + OPEN] as number,
      high: n[o + HIGH] as number,
      low: n[o + LOW] as number,
      ask: n[o + ASK] as number,
      bid: n[o + BID] as number,
      volume: n[o + VOLUME] as number,
      side: this.strings[n[o + SIDE] as number] as TradeEvent['side'],
      strength: flags & FLAG_STRENGTH_NULL ? null : (n[o + STRENGTH] as number),
      tradeVenue: n[o + TRADE_VENUE] === -1 ? null : (this.strings[n[o + TRADE_VENUE] as number] as TradeEvent['tradeVenue']),
      sessionCode: this.strings[n[o + SESSION_CODE] as number] as string,
      tsEvent: n[o + TS_EVENT] as number,
      tsRecv: n[o + TS_RECV] as number,
    };
    return flags & FLAG_AUCTION ? { ...trade, auction: true } : trade;
  }
}
