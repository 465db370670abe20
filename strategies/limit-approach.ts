import { z } from 'zod';
import { tickSize } from '../src/core/krx-ticks.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

/**
 * Limit approach: a trade within `maxTicks` ticks below the upper limit (0g) while the order book's
 * ask side (0D) has thinned to at most `thinRatio` of its largest total in `windowMs` -> ALERT. Once per
 * approach: re-armed when the price falls back more than twice `maxTicks` ticks below the limit.
 */
export default defineStrategy({
  id: 'limit-approach',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'ALERT when a stock trades within N ticks of its upper limit while the ask side thins',
  params: z.strictObject({
    maxTicks: z.number().int().min(1).default(5),
    thinRatio: z.number().gt(0).lt(1).default(0.5),
    windowMs: z.number().int().positive().default(60_000),
  }),
  needs: { events: ['trade', 'stock-info', 'book'] },
  create(ctx) {
    const { maxTicks, thinRatio, windowMs } = ctx.params;
    /** Per symbol, the total ask quantity of the books in the window (oldest first). */
    const asks = new Map<string, Array<{ ts: number; total: number }>>();
    const alerted = new Set<string>();
    return {
      onEvent(e) {
        if (e.kind === 'book') {
          let w = asks.get(e.symbol);
          if (w === undefined) asks.set(e.symbol, (w = []));
          w.push({ ts: e.tsEvent, total: e.totalAsk });
          while (w.length > 1 && e.tsEvent - w[0]!.ts > windowMs) w.shift();
          return;
        }
        if (e.kind !== 'trade') return;
        const snap = ctx.snapshot(e.symbol);
        const limits = snap?.limits ?? null;
        const book = snap?.book ?? null;
        if (limits === null || book === null || limits.upper <= 0) return;
        const ticks = ticksBetween(e.price, limits.upper);
        if (ticks > 2 * maxTicks) alerted.delete(e.symbol);
        if (alerted.has(e.symbol) || ticks > maxTicks) return;
        const peak = Math.max(...(asks.get(e.symbol) ?? []).filter((x) => e.tsEvent - x.ts <= windowMs).map((x) => x.total), 0);
        if (peak <= 0 || book.totalAsk > peak * thinRatio) return;
        const details = { upperLimit: limits.upper, ticksToLimit: ticks, totalAsk: book.totalAsk, peakTotalAsk: peak, totalBid: book.totalBid };
        if (ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details })) alerted.add(e.symbol);
      },
    };
  },
});

/** KRX ticks from `price` up to `limit` (the 2023 tick table, KOSPI and KOSDAQ alike). */
function ticksBetween(price: number, limit: number): number {
  let ticks = 0;
  for (let p = price; p < limit && ticks < 1_000; ticks++) p += tickSize(p);
  return ticks;
}
