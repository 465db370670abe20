import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy, indicators } from 'krx-signals/sdk';

/**
 * A strategy file for <dataDir>/strategies (loaded at start, no build): copy it there, give it your
 * own id, and run it with `krx-signals replay <recording> --strategy mine`. It ALERTs on trades whose
 * change rate reaches `minChangeRate`, and BUYs a stock whose 1-minute close crosses above its SMA.
 */
export default defineStrategy({
  // Kebab-case and unique (the built-ins' ids are taken): config refers to it, and it is in every signal id.
  id: 'mine',
  // Bump when the logic changes: signal ids include it, so old and new runs stay apart.
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'My first strategy: ALERT on large moves, BUY on a close above the SMA',
  // Strict (typos in config are rejected) and every param defaulted.
  params: z.strictObject({
    minChangeRate: z.number().default(5),
    smaBars: z.number().int().min(2).max(120).default(5),
  }),
  // Event kinds that reach onEvent, and bars the host closes for onBar (even when no trade comes).
  needs: { events: ['trade'], bars: [{ interval: '1m' }] },
  create(ctx) {
    // State lives here, in the closure: one instance per run.
    const smas = new Map<string, ReturnType<typeof indicators.sma>>();
    return {
      onEvent(e) {
        if (e.kind !== 'trade') return;
        if (e.changeRate >= ctx.params.minChangeRate) {
          ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { changeRate: e.changeRate } });
        }
      },
      onBar(bar) {
        let sma = smas.get(bar.symbol);
        if (!sma) smas.set(bar.symbol, (sma = indicators.sma(ctx.params.smaBars)));
        const before = sma.value;
        sma.update(bar);
        // Only once warmed up: never act on a half-filled window.
        if (before !== null && bar.close > before && bar.open <= before) {
          ctx.emit({ symbol: bar.symbol, kind: 'BUY', price: bar.close, details: { sma: before } });
        }
      },
    };
  },
});
