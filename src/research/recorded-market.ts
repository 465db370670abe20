import { eventSinks, routeFrame, type FrameStats } from '../adapters/kiwoom/realtime-frames.js';
import { openRecordingReader } from '../adapters/recording/index.js';
import type { Exchange, RealtimeEvent } from '../core/market.js';
import type { RecordingMeta } from '../core/recording.js';

/**
 * What a research tool needs from one recording: the trades (0B) per symbol and venue, the periods
 * the feed was down, and where the data ends. Frames are decoded by the project's own router, so a
 * report sees exactly the trades the strategies saw.
 */
export interface TradeSeries {
  /** Venue time (FID 20) epoch ms, ascending; ties keep arrival order. */
  readonly t: number[];
  readonly price: number[];
  readonly volume: number[];
}

export interface FeedGap {
  /** When the socket closed (epoch ms). */
  readonly from: number;
  /** When it was logged in again, or null if it never came back before the recording ended. */
  readonly to: number | null;
  readonly reason: string;
}

export interface RecordedMarket {
  readonly file: string;
  readonly meta: RecordingMeta;
  /** Keyed by `tradeKey(symbol, venue)`. */
  readonly trades: ReadonlyMap<string, TradeSeries>;
  readonly feedGaps: readonly FeedGap[];
  /** The recording's end (meta end, else its last frame), epoch ms. */
  readonly dataEnd: number;
}

export interface ReadMarketOptions {
  /** Keep only these symbols' trades (all when absent): bounds memory to what the caller asks about. */
  readonly symbols?: ReadonlySet<string>;
}

export function tradeKey(symbol: string, venue: Exchange): string {
  return `${symbol}|${venue}`;
}

/**
 * Builds a RecordedMarket from a recording's rows as they are read: by `readRecordedMarket`, or by a
 * replay that already decodes every frame (a sweep then reads each file once, not twice).
 */
export interface MarketCollector {
  /** Before the first row: the recording's meta. */
  begin(meta: RecordingMeta): void;
  /** Every row's arrival time (epoch ms), in order. */
  row(at: number): void;
  /** Every event the frame router decoded from a ws frame. */
  event(e: RealtimeEvent): void;
  lifecycle(text: string, at: number): void;
  finish(file: string): RecordedMarket;
}

export function createMarketCollector(options: ReadMarketOptions = {}): MarketCollector {
  const raw = new Map<string, { t: number[]; price: number[]; volume: number[] }>();
  const gaps: FeedGap[] = [];
  let downSince: { at: number; reason: string } | null = null;
  let lastAt = Number.NEGATIVE_INFINITY;
  let meta: RecordingMeta | null = null;
  return {
    begin: (m) => {
      meta = m;
    },
    event: (e) => {
      if (e.kind !== 'trade') return;
      if (options.symbols && !options.symbols.has(e.symbol)) return;
      const key = tradeKey(e.symbol, e.venue);
      let s = raw.get(key);
      if (!s) raw.set(key, (s = { t: [], price: [], volume: [] }));
      s.t.push(e.tsEvent);
      s.price.push(e.price);
      s.volume.push(e.volume);
    },
    row: (at) => {
      lastAt = Math.max(lastAt, at);
    },
    lifecycle: (text, at) => {
      const event = parseLifecycle(text);
      if (event.type === 'socket.closed' && downSince === null) downSince = { at, reason: event.reason };
      if (event.type === 'login.ok' && downSince !== null) {
        gaps.push({ from: downSince.at, to: at, reason: downSince.reason });
        downSince = null;
      }
    },
    finish: (file) => {
      if (meta === null) throw new Error('createMarketCollector: finish() before begin()');
      const dataEnd = meta.end ?? Math.max(meta.start, lastAt);
      const feedGaps = downSince === null ? [...gaps] : [...gaps, { from: downSince.at, to: null, reason: downSince.reason }];
      const trades = new Map<string, TradeSeries>();
      for (const [key, s] of raw) trades.set(key, sortByTime(s));
      return { file, meta, trades, feedGaps, dataEnd };
    },
  };
}

/** Reads a recording once; throws E_RECORDING_READ (KrxError) when it cannot be read. */
export function readRecordedMarket(file: string, options: ReadMarketOptions = {}): RecordedMarket {
  const reader = openRecordingReader(file);
  try {
    const collector = createMarketCollector(options);
    collector.begin(reader.meta);
    const sinks = eventSinks(collector.event);
    const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
    for (const batch of reader.rawBatchesSync()) {
      for (const frame of batch) {
        const at = Math.floor(frame.tsUs / 1000);
        collector.row(at);
        if (frame.kind === 'ws.in') routeFrame(frame.bytes, at, sinks, stats);
        else if (frame.kind === 'lifecycle') collector.lifecycle(frame.bytes.toString('utf8'), at);
      }
    }
    return collector.finish(file);
  } finally {
    reader.close();
  }
}

function parseLifecycle(text: string): { type: string; reason: string } {
  try {
    const e = JSON.parse(text) as { type?: unknown; code?: unknown; reason?: unknown };
    const type = typeof e.type === 'string' ? e.type : '';
    const reason = [e.code, e.reason].filter((x) => x !== undefined && x !== '').join(' ');
    return { type, reason };
  } catch {
    return { type: '', reason: '' };
  }
}

/** Venue times can step back a second across frames: a stable sort keeps arrival order on ties. */
function sortByTime(s: { t: number[]; price: number[]; volume: number[] }): TradeSeries {
  let sorted = true;
  for (let i = 1; i < s.t.length; i++) if (s.t[i]! < s.t[i - 1]!) sorted = false;
  if (sorted) return s;
  const order = s.t.map((_, i) => i).sort((a, b) => s.t[a]! - s.t[b]! || a - b);
  return { t: order.map((i) => s.t[i]!), price: order.map((i) => s.price[i]!), volume: order.map((i) => s.volume[i]!) };
}
