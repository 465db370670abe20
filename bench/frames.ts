import { formatKstTime, kstToEpoch } from '../src/core/kst.js';
import type { ProgramMarketCode, RankingEvent, WatchlistEvent } from '../src/core/market.js';
import { createRandom } from '../src/core/random.js';
import { SimMarketState } from '../src/sim/market.js';
import { indicativeValues, realEntry, realFrame, tradeValues } from '../src/sim/real-format.js';

export interface CorpusOptions {
  /** REAL frames to build. */
  readonly frames: number;
  /** Entries per frame (default 1: what a quiet-to-busy feed mostly sends). */
  readonly entriesPerFrame?: number;
  /** Share of 0A entries (default 0.05); the rest are 0B. */
  readonly indicativeShare?: number;
  /** Subscribed stocks (default 200). */
  readonly symbols?: number;
  /** Market time the corpus spans (default 20 min), so minute bars and rankings move. */
  readonly spanMs?: number;
  /** A ranking (both markets) and a watchlist poll every this much market time (default 30 s). */
  readonly pollEveryMs?: number;
  readonly seed?: number | string;
}

/** A poll result due before frame `beforeFrame`; stamp it with the run's clock when pushing it. */
export interface CorpusPoll {
  readonly beforeFrame: number;
  readonly event: RankingEvent | WatchlistEvent;
}

export interface FrameCorpus {
  readonly texts: readonly string[];
  readonly buffers: readonly Buffer[];
  readonly entries: number;
  readonly indicativeEntries: number;
  readonly bytes: number;
  readonly polls: readonly CorpusPoll[];
  readonly symbols: readonly string[];
}

/**
 * REAL frames exactly as the simulator formats them (its seeded market and its entry builders:
 * values as strings with signs and all the FIDs it sends), plus the ranking and watchlist polls a
 * session would see meanwhile. Deterministic for a seed.
 */
export function buildFrameCorpus(options: CorpusOptions): FrameCorpus {
  const perFrame = Math.max(1, options.entriesPerFrame ?? 1);
  const share = options.indicativeShare ?? 0.05;
  const spanMs = options.spanMs ?? 20 * 60_000;
  const pollEveryMs = options.pollEveryMs ?? 30_000;
  const random = createRandom(options.seed ?? 'bench-frames');
  const startMs = kstToEpoch(2026, 1, 5, 9, 5, 0);
  const market = new SimMarketState(random.fork('market'), options.symbols ?? 200, startMs);
  const stocks = market.stocks;
  const symbols = stocks.map((s) => s.code);
  const pick = random.fork('pick');

  const total = options.frames * perFrame;
  const stepMs = spanMs / Math.max(1, total);
  const texts: string[] = [];
  const buffers: Buffer[] = [];
  const polls: CorpusPoll[] = [];
  let indicativeEntries = 0;
  let bytes = 0;
  let second = Math.floor(startMs / 1000);
  let nextPoll = startMs;
  let n = 0;
  for (let f = 0; f < options.frames; f++) {
    const entries: string[] = [];
    for (let k = 0; k < perFrame; k++, n++) {
      const now = startMs + Math.floor(n * stepMs);
      for (; second < Math.floor(now / 1000); second++) market.stepSecond(second * 1000);
      if (now >= nextPoll) {
        polls.push({ beforeFrame: f, event: ranking(market, 'P00101', now) }, { beforeFrame: f, event: ranking(market, 'P10102', now) });
        polls.push({ beforeFrame: f, event: watchlist(symbols, now) });
        nextPoll += pollEveryMs;
      }
      const hhmmss = formatKstTime(now);
      const s = stocks[pick.int(stocks.length)]!;
      if (pick.next() < share) {
        market.indicative(s, pick, hhmmss);
        entries.push(realEntry('0A', s.code, indicativeValues(s)));
        indicativeEntries++;
      } else {
        const t = market.trade(s, pick, hhmmss);
        entries.push(realEntry('0B', s.code, tradeValues(s, t, hhmmss)));
      }
    }
    const text = realFrame(entries);
    const buffer = Buffer.from(text, 'utf8');
    texts.push(text);
    buffers.push(buffer);
    bytes += buffer.length;
  }
  return { texts, buffers, entries: n, indicativeEntries, bytes, polls, symbols };
}

/** The first `frames` frames of a corpus (its counts recomputed, polls kept where they fall). */
export function sliceCorpus(corpus: FrameCorpus, frames: number): FrameCorpus {
  const texts = corpus.texts.slice(0, frames);
  const buffers = corpus.buffers.slice(0, frames);
  let entries = 0;
  let indicativeEntries = 0;
  for (const t of texts) {
    entries += count(t, '{"type":');
    indicativeEntries += count(t, '{"type":"0A"');
  }
  const bytes = buffers.reduce((n, b) => n + b.length, 0);
  const polls = corpus.polls.filter((p) => p.beforeFrame < frames);
  return { texts, buffers, entries, indicativeEntries, bytes, polls, symbols: corpus.symbols };
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

function ranking(market: SimMarketState, code: ProgramMarketCode, ts: number): RankingEvent {
  return {
    kind: 'ranking',
    market: code,
    entries: market.programRanking(code, 50).map((r) => ({
      rank: r.rank,
      symbol: r.code,
      name: r.name,
      price: r.price,
      changeRate: 0,
      cumVolume: 0,
      programSellAmount: r.sellAmount,
      programBuyAmount: r.buyAmount,
      programNetBuyAmount: r.netAmount,
    })),
    tsEvent: ts,
    tsRecv: ts,
  };
}

/** The first 40 stocks, as one KIS watchlist group. */
function watchlist(symbols: readonly string[], ts: number): WatchlistEvent {
  return { kind: 'watchlist', groups: [{ code: '001', name: 'bench', symbols: symbols.slice(0, 40) }], tsEvent: ts, tsRecv: ts };
}
