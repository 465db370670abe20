import { z } from 'zod';
import type { Bar } from '../src/core/bars.js';
import { indicators, type Indicator } from '../src/core/indicators.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

interface SymbolState {
  /** Average volume of the last `windowMinutes` closed 1-minute bars. */
  readonly avgVolume: Indicator<number>;
  /** Volume traded since the last closed bar (the minute in progress). */
  minuteVolume: number;
  /** Fired for this breakout; re-armed when the price falls back to the window high. */
  disarmed: boolean;
}

/**
 * Watchlist breakout: a watchlist stock trading above the high of its last `windowMinutes` closed
 * 1-minute bars, while the minute in progress has traded at least `volumeFactor` times the average
 * bar volume of that window -> BUY. Fires once per breakout; re-armed when the price falls back to
 * or below the window high. Bars come from the host (`needs.bars`), the average from an SMA of the
 * bars' volume, which also says when the window is warm. Auction prints (`auction: true`, the 09:00
 * and 15:30 single prices) neither count toward the minute's volume nor fire.
 */
export default defineStrategy({
  id: 'watchlist-breakout',
  version: '2.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'BUY watchlist stocks breaking their N-minute high on above-average volume',
  params: z.strictObject({
    windowMinutes: z.number().int().min(1).max(390).default(15),
    volumeFactor: z.number().positive().default(2),
  }),
  needs: { events: ['trade', 'watchlist'], bars: [{ interval: '1m' }] },
  create(ctx) {
    const { windowMinutes, volumeFactor } = ctx.params;
    const states = new Map<string, SymbolState>();
    const stateOf = (symbol: string): SymbolState => {
      let state = states.get(symbol);
      if (!state) states.set(symbol, (state = { avgVolume: indicators.sma(windowMinutes, 'volume'), minuteVolume: 0, disarmed: false }));
      return state;
    };
    const watched = (symbol: string): boolean => ctx.snapshot(symbol)?.inWatchlist === true;

    return {
      onBar(bar: Bar) {
        if (!watched(bar.symbol)) return;
        const state = stateOf(bar.symbol);
        state.avgVolume.update(bar);
        state.minuteVolume = 0;
      },
      onEvent(e) {
        if (e.kind === 'watchlist') {
          // Forget stocks that left every watchlist.
          for (const symbol of [...states.keys()]) if (!watched(symbol)) states.delete(symbol);
          return;
        }
        if (e.kind !== 'trade' || !watched(e.symbol)) return;
        // The 09:00 opening and 15:30 closing prints carry the whole auction's volume: no breakout on them.
        if (e.auction === true) return;
        const state = stateOf(e.symbol);
        state.minuteVolume += e.volume;
        const window = ctx.bars(e.symbol, '1m', windowMinutes);
        const avg = state.avgVolume.value;
        if (window.length < windowMinutes || avg === null) return; // still warming up
        const windowHigh = Math.max(...window.map((b) => b.high));
        if (e.price <= windowHigh) {
          state.disarmed = false;
          return;
        }
        if (state.disarmed || avg <= 0 || state.minuteVolume < volumeFactor * avg) return;
        const details = { windowMinutes, windowHigh, minuteVolume: state.minuteVolume, avgMinuteVolume: avg };
        if (ctx.emit({ symbol: e.symbol, kind: 'BUY', price: e.price, details })) state.disarmed = true;
      },
    };
  },
});
