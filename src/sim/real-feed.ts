import type { TimerHandle } from '../core/clock.js';
import { formatKstTime } from '../core/kst.js';
import type { Random } from '../core/random.js';
import type { SimContext } from './context.js';
import type { KiwoomWsServer, SimConnection } from './kiwoom-ws.js';
import { indicativeValues, realEntry, realFrame, tradeValues, venueText } from './real-format.js';
import { registrations } from './registrations.js';
import { PhaseFeed } from './phase-feed.js';
import { StructureFeed } from './structure-feed.js';
import type { SimStock } from './universe.js';
import type { ResolvedSimOptions } from './options.js';

interface Subscriber {
  readonly conn: SimConnection;
  readonly item: string;
}

interface TypeIndex {
  /** Distinct stocks with at least one subscriber, in a stable order. */
  readonly stocks: SimStock[];
  readonly subs: Map<SimStock, Subscriber[]>;
}

/**
 * Generates REAL entries on the sim clock: per tick it owes `rate * dt` trades, spread uniformly
 * over the stocks someone registered, and sends each connection its entries batched into frames.
 * Work is proportional to output; unregistered stocks cost nothing here.
 */
export class RealFeed {
  private indexVersion = -1;
  private tradeIndex: TypeIndex = { stocks: [], subs: new Map() };
  private indicativeIndex: TypeIndex = { stocks: [], subs: new Map() };
  private lastTickAt: number;
  private owedTrades = 0;
  private owedIndicative = 0;
  private readonly random: Random;
  /** How far generation lags its schedule (owed entries as time), last tick. */
  behindMs = 0;
  maxBehindMs = 0;
  tradesGenerated = 0;
  /** 0A events the market made (registered or not). */
  indicativeGenerated = 0;

  private timer: TimerHandle | undefined;
  /** 0g/0w/0D/1h for the stocks someone registered them for. */
  private readonly structure: StructureFeed;
  /** 0s at each phase change, for item-less subscribers. */
  private readonly phases: PhaseFeed;

  constructor(private readonly ctx: SimContext, private readonly ws: KiwoomWsServer) {
    this.random = ctx.random.fork('feed');
    this.structure = new StructureFeed(ctx.market, ws);
    this.phases = new PhaseFeed(ctx.opts.sessions, ws);
    this.lastTickAt = ctx.clock.now();
  }

  /** Ticks only while someone is logged in: idle virtual hours stay cheap. */
  updateRunning(): void {
    const active = this.ws.hasActiveConnections();
    if (active && this.timer === undefined) {
      this.lastTickAt = this.ctx.clock.now();
      this.timer = this.ctx.clock.setInterval(() => {
        try {
          this.tick();
        } catch (e) {
          this.ctx.log('error', { err: String(e) }, 'feed tick failed');
        }
      }, this.ctx.opts.tickMs);
    } else if (!active) {
      this.stop();
    }
  }

  stop(): void {
    if (this.timer !== undefined) this.ctx.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.owedTrades = 0;
    this.owedIndicative = 0;
  }

  tick(): void {
    const now = this.ctx.clock.now();
    const dt = Math.max(0, now - this.lastTickAt);
    this.lastTickAt = now;
    if (this.indexVersion !== this.ws.version) this.rebuildIndex();
    const { tradesPerSecond, indicativePerHour, tickMs, maxEntriesPerFrame } = this.ctx.opts;
    const cap = Math.max(1, Math.ceil((tradesPerSecond * tickMs * 4) / 1000));
    const out = new Map<SimConnection, string[]>();
    const hhmmss = formatKstTime(now);
    // A phase change goes out before the trades of its tick.
    for (const [conn, entries] of this.phases.tick(now - dt, now)) for (const entry of entries) push(out, conn, entry, maxEntriesPerFrame, this);

    if (this.tradeIndex.stocks.length === 0) this.owedTrades = 0;
    else this.owedTrades += (tradesPerSecond * dt) / 1000;
    const nTrades = Math.min(cap, Math.floor(this.owedTrades));
    this.owedTrades -= nTrades;
    const r = this.random;
    const { stocks, subs } = this.tradeIndex;
    const auctionEnd = this.ctx.opts.sessions === null ? null : auctionEndBetween(this.ctx.opts.sessions, now - dt, now);
    if (auctionEnd !== null) {
      // The single price of the opening (09:00) or closing (15:30) auction: one print per subscribed stock.
      const at = formatKstTime(auctionEnd);
      for (const s of stocks) {
        const t = this.ctx.market.trade(s, r, at);
        s.accVolume += t.qty * (AUCTION_VOLUME_FACTOR - 1);
        s.accValue += t.qty * (AUCTION_VOLUME_FACTOR - 1) * s.price;
        const values = tradeValues(s, { ...t, qty: t.qty * AUCTION_VOLUME_FACTOR }, at);
        for (const sub of subs.get(s) ?? []) if (!sub.item.endsWith('_NX')) push(out, sub.conn, realEntry('0B', sub.item, values, 'KRX'), maxEntriesPerFrame, this);
      }
    }
    const open = venuesTrading(this.ctx.opts.sessions, now);
    // A closed market owes no trades; nor does an auction (its trades are the one print above).
    if (!open.any || auctionEnd !== null) this.owedTrades = 0;
    for (let i = 0; i < nTrades && open.any && auctionEnd === null; i++) {
      const s = stocks[r.int(stocks.length)];
      if (s === undefined) continue;
      const t = this.ctx.market.trade(s, r, hhmmss);
      const values = tradeValues(s, t, hhmmss);
      for (const sub of subs.get(s) ?? []) {
        const venue = open.venueOf(sub.item, i);
        if (venue !== null) push(out, sub.conn, realEntry('0B', sub.item, values, venue), maxEntriesPerFrame, this);
      }
    }
    this.tradesGenerated += nTrades;
    this.behindMs = tradesPerSecond > 0 ? (this.owedTrades / tradesPerSecond) * 1000 : 0;
    if (this.behindMs > this.maxBehindMs) this.maxBehindMs = this.behindMs;

    // 0A happens across the whole market at its own (rare) rate; only registered stocks' entries go out.
    this.owedIndicative += (indicativePerHour * dt) / 3_600_000;
    const all = this.ctx.market.stocks;
    const nInd = Math.min(Math.max(1, Math.ceil((indicativePerHour * tickMs * 4) / 3_600_000)), Math.floor(this.owedIndicative));
    this.owedIndicative -= nInd;
    for (let i = 0; i < nInd; i++) {
      const s = all[r.int(all.length)];
      if (s === undefined) continue;
      this.ctx.market.indicative(s, r, hhmmss);
      this.indicativeGenerated++;
      const subsOf = this.indicativeIndex.subs.get(s);
      if (subsOf === undefined) continue;
      const values = indicativeValues(s);
      for (const sub of subsOf) if (open.venueOf(sub.item, i) !== null) push(out, sub.conn, realEntry('0A', sub.item, values), maxEntriesPerFrame, this);
    }
    for (const [conn, entries] of this.structure.tick(now)) for (const entry of entries) push(out, conn, entry, maxEntriesPerFrame, this);
    for (const [conn, entries] of out) if (entries.length > 0) this.flush(conn, entries);
  }

  /** Sends one frame of entries to a connection (or drops it when silent or the client lags). */
  flush(conn: SimConnection, entries: string[]): void {
    const c = this.ctx.counters;
    if (this.ws.silent || conn.closed || conn.ws.readyState !== conn.ws.OPEN || conn.ws.bufferedAmount > this.ctx.opts.maxBufferedBytes) {
      c.realEntriesDropped += entries.length;
    } else {
      conn.ws.send(realFrame(entries));
      c.realFramesSent++;
      c.realEntriesSent += entries.length;
    }
    entries.length = 0;
  }

  private rebuildIndex(): void {
    this.indexVersion = this.ws.version;
    const byType = { '0B': new Map<SimStock, Subscriber[]>(), '0A': new Map<SimStock, Subscriber[]>() };
    for (const { conn, item, type } of registrations(this.ws)) {
      if (type !== '0B' && type !== '0A') continue;
      const s = this.ctx.market.byCode.get(item.slice(0, 6));
      if (s === undefined) continue;
      const map = byType[type];
      let list = map.get(s);
      if (list === undefined) map.set(s, (list = []));
      list.push({ conn, item });
    }
    const toIndex = (subs: Map<SimStock, Subscriber[]>): TypeIndex => ({ stocks: [...subs.keys()].sort((a, b) => a.index - b.index), subs });
    this.tradeIndex = toIndex(byType['0B']);
    this.indicativeIndex = toIndex(byType['0A']);
  }
}

function push(out: Map<SimConnection, string[]>, conn: SimConnection, entry: string, max: number, feed: RealFeed): void {
  let list = out.get(conn);
  if (list === undefined) {
    list = [];
    out.set(conn, list);
  }
  list.push(entry);
  if (list.length >= max) feed.flush(conn, list);
}

/** An auction print carries the volume of many continuous trades. */
const AUCTION_VOLUME_FACTOR = 50;

/** The end of a KRX auction phase (its single-price print) within `(from, to]`, or null. */
function auctionEndBetween(sessions: NonNullable<ResolvedSimOptions['sessions']>, from: number, to: number): number | null {
  for (let t = from, guard = 0; guard < 16; guard++) {
    const changes = sessions.nextChanges(t);
    const first = changes[0];
    if (first === undefined || first.at > to) return null;
    const before = sessions.phaseAt('KRX', first.at - 1);
    if (changes.some((c) => c.venue === 'KRX') && (before === 'pre-open-auction' || before === 'closing-auction')) return first.at;
    t = first.at;
  }
  return null;
}

const KRX_TRADING = new Set(['continuous', 'after-hours-close-price', 'after-market']);
const NXT_TRADING = new Set(['nxt-pre-market', 'nxt-main', 'nxt-after-market']);

interface VenuesTrading {
  /** Some venue trades now. */
  readonly any: boolean;
  /**
   * The 9081 text of the venue printing the `n`-th trade for this item, or null when its venue is
   * closed: bare KRX, `_NX` NXT, `_AL` whichever trades (both: alternating, so it streams both).
   */
  venueOf(item: string, n: number): string | null;
}

/** Which venues trade at `now`; without a schedule always, as before (bare and `_AL` KRX, `_NX` NXT). */
function venuesTrading(sessions: ResolvedSimOptions['sessions'], now: number): VenuesTrading {
  if (sessions === null) return { any: true, venueOf: (item) => venueText(item) };
  const krx = KRX_TRADING.has(sessions.phaseAt('KRX', now));
  const nxt = NXT_TRADING.has(sessions.phaseAt('NXT', now));
  return {
    any: krx || nxt,
    venueOf: (item, n) => {
      if (item.endsWith('_NX')) return nxt ? 'NXT' : null;
      if (!item.endsWith('_AL')) return krx ? 'KRX' : null;
      if (krx && nxt) return n % 2 === 0 ? 'KRX' : 'NXT';
      return krx ? 'KRX' : nxt ? 'NXT' : null;
    },
  };
}
