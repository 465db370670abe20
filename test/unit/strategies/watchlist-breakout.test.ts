import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../../src/core/market.js';
import watchlistBreakout from '../../../strategies/watchlist-breakout.js';
import { T0, startRun, trade, watchlist } from '../engine/fixtures.js';

const MIN = 60_000;
const W = '000010';
const OTHER = '000020';

/** One 10-share trade at 1000 in each of minutes 0..4, for both symbols. */
const history = (): MarketEvent[] =>
  [0, 1, 2, 3, 4].flatMap((m) => [trade({ symbol: W, price: 1000, volume: 10, ts: T0 + m * MIN }), trade({ symbol: OTHER, price: 1000, volume: 10, ts: T0 + m * MIN + 1 })]);

const run = () => startRun([watchlistBreakout], [{ id: 'watchlist-breakout', params: { windowMinutes: 5, volumeFactor: 2 } }], { cooldownMs: 0 });

describe('watchlist-breakout', () => {
  it('buys a watchlist stock breaking its N-minute high on above-average volume, once per breakout', () => {
    const r = run();
    r.feed([watchlist([W], T0 - 1), ...history()]);
    r.feed([
      trade({ symbol: W, price: 1010, volume: 10, ts: T0 + 5 * MIN }), // breaks 1000, minute volume 10 < 2 x 10
      trade({ symbol: W, price: 1010, volume: 15, ts: T0 + 5 * MIN + 1000 }), // minute volume 25 >= 20 -> BUY
      trade({ symbol: W, price: 1020, volume: 50, ts: T0 + 5 * MIN + 2000 }), // same breakout
      trade({ symbol: OTHER, price: 1100, volume: 100, ts: T0 + 5 * MIN + 3000 }), // not in the watchlist
    ]);
    expect(r.signals.map((s) => [s.kind, s.symbol, s.price])).toEqual([['BUY', W, 1010]]);
    expect(r.signals[0]!.details).toEqual({ windowMinutes: 5, windowHigh: 1000, minuteVolume: 25, avgMinuteVolume: 10 });
  });

  it('re-arms after the price falls back to the window high', () => {
    const r = run();
    r.feed([watchlist([W], T0 - 1), ...history()]);
    r.feed([
      trade({ symbol: W, price: 1010, volume: 30, ts: T0 + 5 * MIN }),
      trade({ symbol: W, price: 1000, volume: 1, ts: T0 + 5 * MIN + 1000 }),
      trade({ symbol: W, price: 1011, volume: 1, ts: T0 + 5 * MIN + 2000 }),
    ]);
    expect(r.signals.map((s) => s.price)).toEqual([1010, 1011]);
  });

  it('waits for a full window of history', () => {
    const r = run();
    r.feed([
      watchlist([W], T0 - 1),
      trade({ symbol: W, price: 1000, volume: 10, ts: T0 }),
      trade({ symbol: W, price: 1100, volume: 1000, ts: T0 + 2 * MIN }),
    ]);
    expect(r.signals).toHaveLength(0);
  });

  it('stops following a stock that left the watchlist', () => {
    const r = run();
    r.feed([watchlist([W], T0 - 1), ...history(), watchlist([OTHER], T0 + 4 * MIN + 2)]);
    r.feed([trade({ symbol: W, price: 1100, volume: 100, ts: T0 + 5 * MIN })]);
    expect(r.signals).toHaveLength(0);
  });

  it('no breakout on an auction print (the 09:00 or 15:30 single price): its volume does not count', () => {
    const print = trade({ symbol: W, price: 1010, volume: 500, ts: T0 + 5 * MIN });
    const control = run();
    control.feed([watchlist([W], T0 - 1), ...history(), print]);
    expect(control.signals).toHaveLength(1); // the same print in the continuous session fires
    const r = run();
    r.feed([watchlist([W], T0 - 1), ...history(), { ...print, auction: true }]);
    expect(r.signals).toHaveLength(0);
    r.feed([trade({ symbol: W, price: 1010, volume: 15, ts: T0 + 5 * MIN + 1000 })]); // 15 < 2 x 10 without the print
    expect(r.signals).toHaveLength(0);
    r.feed([trade({ symbol: W, price: 1010, volume: 10, ts: T0 + 5 * MIN + 2000 })]); // 25 >= 20
    expect(r.signals.map((x) => x.details['minuteVolume'])).toEqual([25]);
  });
});
