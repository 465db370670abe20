import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

/**
 * Indicative deviation: a 0A 주식기세 price more than `thresholdPct` percent away from the last
 * trade price (0B, from the snapshot) -> ALERT. Once per excursion: re-armed when a later 0A comes
 * back within the threshold.
 */
export default defineStrategy({
  id: 'indicative-deviation',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'ALERT when a 0A indicative price departs from the last trade price by more than X %',
  params: z.strictObject({
    thresholdPct: z.number().positive().default(2),
  }),
  // 0B is needed too: the snapshot's last trade price comes from it.
  needs: { events: ['indicative', 'trade'] },
  create(ctx) {
    const alerted = new Set<string>();
    return {
      onEvent(e) {
        if (e.kind !== 'indicative') return;
        const last = ctx.snapshot(e.symbol)?.lastPrice ?? null;
        if (last === null || last <= 0) return;
        const deviationPct = ((e.price - last) / last) * 100;
        if (Math.abs(deviationPct) <= ctx.params.thresholdPct) {
          alerted.delete(e.symbol);
          return;
        }
        if (alerted.has(e.symbol)) return;
        const details = {
          indicativePrice: e.price,
          lastTradePrice: last,
          deviationPct: Math.round(deviationPct * 100) / 100,
          direction: deviationPct > 0 ? 'up' : 'down',
        };
        if (ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details })) alerted.add(e.symbol);
      },
    };
  },
});
