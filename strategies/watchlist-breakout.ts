import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

interface MinuteBar {
  readonly minute: number;
  high: number;
  volume: number;
}

const MINUTE_MS = 60_000;

/**
 * Watchlist breakout: a watchlist stock trading above the high of the previous `windowMinutes`
 * one-minute bars, while the current minute's volume is at least `volumeFactor` times the window's
 * average minute volume -> BUY. Fires once per breakout: re-armed when the price falls back to or
 * below the window high. Minutes come from the venue time (`tsEvent`).
 */
export default defineStrategy({
  id: 'watchlist-breakout',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'BUY watchlist stocks breaking their N-minute high on above-average volume',
  params: z.strictObject({
    windowMinutes: z.number().int().min(1).max(390).default(15),
    volumeFactor: z.number().positive().default(2),
  }),
  needs: { events: ['trade', 'watchlist'] },
  create(ctx) {
    const { windowMinutes, volumeFactor } = ctx.params;
    const bars = new Map<string, MinuteBar[]>();
    const firstMinute = new Map<string, number>();
    const disarmed = new Set<string>();

    return {
      onEvent(e) {
        if (e.kind === 'watchlist') {
          // Forget stocks that left every watchlist.
          for (const symbol of [...bars.keys()]) {
            if (ctx.snapshot(symbol)?.inWatchlist !== true) {
              bars.delete(symbol);
              firstMinute.delete(symbol);
              disarmed.delete(symbol);
            }
          }
          return;
        }
        if (e.kind !== 'trade' || ctx.snapshot(e.symbol)?.inWatchlist !== true) return;
        const minute = Math.floor(e.tsEvent / MINUTE_MS);
        const list = bars.get(e.symbol) ?? [];
        bars.set(e.symbol, list);
        if (!firstMinute.has(e.symbol)) firstMinute.set(e.symbol, minute);
        while (list.length > 0 && list[0]!.minute < minute - windowMinutes) list.shift();

        // The window: the previous `windowMinutes` minutes, the current one excluded.
        let windowHigh = 0;
        let windowVolume = 0;
        for (const bar of list) {
          if (bar.minute >= minute) continue;
          windowHigh = Math.max(windowHigh, bar.high);
          windowVolume += bar.volume;
        }
        let current = list[list.length - 1];
        if (current === undefined || current.minute !== minute) {
          current = { minute, high: e.price, volume: 0 };
          list.push(current);
        }
        current.high = Math.max(current.high, e.price);
        current.volume += e.volume;

        const ready = firstMinute.get(e.symbol)! <= minute - windowMinutes && windowHigh > 0;
        if (!ready) return;
        if (e.price <= windowHigh) {
          disarmed.delete(e.symbol);
          return;
        }
        const avgMinuteVolume = windowVolume / windowMinutes;
        if (disarmed.has(e.symbol) || avgMinuteVolume <= 0 || current.volume < volumeFactor * avgMinuteVolume) return;
        const details = { windowMinutes, windowHigh, minuteVolume: current.volume, avgMinuteVolume };
        if (ctx.emit({ symbol: e.symbol, kind: 'BUY', price: e.price, details })) disarmed.add(e.symbol);
      },
    };
  },
});
