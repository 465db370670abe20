import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

/**
 * Program surge: a stock's net program buying (0w, 백만원) rising by at least `minRise` within
 * `windowMs` while net positive -> ALERT. Once per surge: re-armed when the rise over the window falls
 * below half of `minRise`.
 */
export default defineStrategy({
  id: 'program-surge',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'ALERT when a stock’s program net buying (0w) rises fast',
  params: z.strictObject({
    /** Net program amount rise (백만원) that counts as a surge: 1000 = 10억원. */
    minRise: z.number().positive().default(1_000),
    windowMs: z.number().int().positive().default(60_000),
  }),
  needs: { events: ['program-flow'] },
  create(ctx) {
    const { minRise, windowMs } = ctx.params;
    /** Per symbol, the 0w net amounts of the window (oldest first). */
    const windows = new Map<string, Array<{ ts: number; net: number }>>();
    const surging = new Set<string>();
    return {
      onEvent(e) {
        if (e.kind !== 'program-flow') return;
        let w = windows.get(e.symbol);
        if (w === undefined) windows.set(e.symbol, (w = []));
        w.push({ ts: e.tsEvent, net: e.netAmount });
        while (w.length > 1 && e.tsEvent - w[0]!.ts > windowMs) w.shift();
        const rise = e.netAmount - Math.min(...w.map((x) => x.net));
        if (rise < minRise / 2) surging.delete(e.symbol);
        if (surging.has(e.symbol) || rise < minRise || e.netAmount <= 0) return;
        const details = { programNetAmount: e.netAmount, rise, windowMs, buyAmount: e.buyAmount, sellAmount: e.sellAmount };
        if (ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price > 0 ? e.price : null, details })) surging.add(e.symbol);
      },
    };
  },
});
