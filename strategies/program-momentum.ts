import { z } from 'zod';
import type { ProgramMarketCode } from '../src/core/market.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

/**
 * Program momentum: a stock that enters (or climbs at least `minRankClimb` places in) the program
 * net-buy top list becomes a candidate until its market's next poll; a candidate trading above the
 * session open and above VWAP -> BUY. A held stock leaving the top list or trading below VWAP -> EXIT.
 * Only what was bought is exited; after an EXIT the stock needs a new entry or climb.
 */
export default defineStrategy({
  id: 'program-momentum',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'BUY stocks entering or climbing the program net-buy top 50 above open and VWAP; EXIT on leaving or losing VWAP',
  params: z.strictObject({
    /** Places a listed stock must gain between two polls to count as climbing. */
    minRankClimb: z.number().int().min(1).default(3),
    /** Only ranks up to this count (the list has 50). */
    maxRank: z.number().int().min(1).max(50).default(50),
    /** Treat every stock of a market's first poll as entering (else the first poll is the baseline). */
    entryOnFirstPoll: z.boolean().default(false),
  }),
  needs: { events: ['trade', 'ranking'] },
  create(ctx) {
    const { minRankClimb, maxRank, entryOnFirstPoll } = ctx.params;
    const lastRanks = new Map<ProgramMarketCode, ReadonlyMap<string, number>>();
    /** Candidates and the market (poll) that made them. */
    const candidates = new Map<string, { market: ProgramMarketCode; reason: string }>();
    /** Bought stocks and their market. */
    const held = new Map<string, ProgramMarketCode>();

    const tryBuy = (symbol: string): void => {
      const candidate = candidates.get(symbol);
      const snap = ctx.snapshot(symbol);
      if (candidate === undefined || held.has(symbol) || snap === undefined) return;
      const { lastPrice: price, open, vwap } = snap;
      if (price === null || open === null || vwap === null) return;
      if (price > open && price > vwap) {
        const details = { reason: candidate.reason, rank: snap.programRank, open, vwap, programNetBuyAmount: snap.programNetBuyAmount };
        if (ctx.emit({ symbol, kind: 'BUY', price, details })) held.set(symbol, candidate.market);
      }
    };

    const exit = (symbol: string, reason: string, price: number | null): void => {
      const vwap = ctx.snapshot(symbol)?.vwap ?? null;
      if (ctx.emit({ symbol, kind: 'EXIT', price, details: { reason, vwap } })) {
        held.delete(symbol);
        candidates.delete(symbol);
      }
    };

    return {
      onEvent(e) {
        if (e.kind === 'ranking') {
          const before = lastRanks.get(e.market);
          const now = new Map<string, number>();
          for (const entry of e.entries) if (entry.rank <= maxRank) now.set(entry.symbol, entry.rank);
          for (const [symbol, c] of candidates) if (c.market === e.market) candidates.delete(symbol);
          if (before !== undefined || entryOnFirstPoll) {
            for (const [symbol, rank] of now) {
              const prev = before?.get(symbol);
              if (prev === undefined) candidates.set(symbol, { market: e.market, reason: 'entered' });
              else if (prev - rank >= minRankClimb) candidates.set(symbol, { market: e.market, reason: `climbed ${prev}->${rank}` });
            }
          }
          lastRanks.set(e.market, now);
          for (const [symbol, market] of [...held]) {
            if (market === e.market && !now.has(symbol)) exit(symbol, 'left-top', ctx.snapshot(symbol)?.lastPrice ?? null);
          }
          for (const symbol of [...candidates.keys()].sort()) tryBuy(symbol);
          return;
        }
        if (e.kind !== 'trade') return;
        if (held.has(e.symbol)) {
          const vwap = ctx.snapshot(e.symbol)?.vwap ?? null;
          if (vwap !== null && e.price < vwap) exit(e.symbol, 'lost-vwap', e.price);
        } else if (candidates.has(e.symbol)) {
          tryBuy(e.symbol);
        }
      },
    };
  },
});
