import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

/**
 * A template for strategy authors: copy this file, rename the id, add it to `strategies/index.ts`.
 * It alerts on trades whose change rate reaches `minChangeRate` and logs a heartbeat on a timer.
 */
export default defineStrategy({
  // Kebab-case and unique: config refers to it, and it is part of every signal id.
  id: 'template',
  // Bump when the logic changes: signal ids include it, so old and new runs stay apart.
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'Template: ALERT on large moves',
  // Strict (typos in config are rejected) and every param defaulted.
  params: z.strictObject({
    minChangeRate: z.number().default(5),
    heartbeatMs: z.number().int().min(1000).default(60_000),
  }),
  // Which event kinds reach onEvent: real-time ('trade', 'indicative', 'raw:<type>') or polled
  // ('ranking', 'watchlist', 'program-trading'); the app subscribes or polls what is named here.
  // symbols: [...] subscribes extra stocks. May be a function of the params.
  needs: { events: ['trade'] },
  create(ctx) {
    // State lives here, in the closure: one instance per run.
    let seen = 0;
    return {
      onStart() {
        // Timers run on the engine clock (virtual in tests and replay).
        ctx.setTimer('heartbeat', ctx.params.heartbeatMs, { repeat: true });
      },
      onEvent(e) {
        if (e.kind !== 'trade') return;
        seen++;
        // Snapshots are already updated with this event.
        if (e.changeRate >= ctx.params.minChangeRate) {
          ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { changeRate: e.changeRate } });
        }
      },
      onTimer(timer) {
        ctx.log.debug({ timer: timer.name, seen }, 'heartbeat');
      },
    };
  },
});
