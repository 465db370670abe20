import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { STRATEGY_API_VERSION, defineStrategy, indicators } from '../../../src/sdk/index.js';
import { T0, runStrategy, trade, watchlist } from '../../../src/sdk/testing.js';
import watchlistBreakout from '../../../strategies/watchlist-breakout.js';
import { startRun } from '../engine/fixtures.js';

const bigMove = defineStrategy({
  id: 'big-move',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({ minChangeRate: z.number().default(5), heartbeatMs: z.number().int().min(1).default(60_000) }),
  needs: { events: ['trade'] },
  create(ctx) {
    return {
      onStart: () => ctx.setTimer('beat', ctx.params.heartbeatMs, { repeat: true }),
      onEvent(e) {
        if (e.kind !== 'trade') return;
        if (e.price < 0) throw new Error('negative');
        if (e.changeRate >= ctx.params.minChangeRate) ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price });
      },
      onTimer: (t) => ctx.log.info({ due: t.dueMs }, 'beat'),
    };
  },
});

/** A 1-minute close above its 3-bar SMA: BUY at the bar's close. */
const smaCross = defineStrategy({
  id: 'sma-cross',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({}),
  needs: { bars: [{ interval: '1m' }] },
  create(ctx) {
    const sma = indicators.sma(3);
    return {
      onEvent() {},
      onBar(bar) {
        const before = sma.value;
        sma.update(bar);
        if (before !== null && bar.close > before) ctx.emit({ symbol: bar.symbol, kind: 'BUY', price: bar.close, details: { end: bar.end } });
      },
    };
  },
});

describe('krx-signals/sdk/testing runStrategy', () => {
  it('events in, signals out, with params validated by the schema', () => {
    const { signals } = runStrategy(bigMove, { params: { minChangeRate: 5 }, events: [trade({ price: 100, changeRate: 4.9, ts: T0 }), trade({ price: 105, changeRate: 5, ts: T0 + 1000 })] });
    expect(signals.map((s) => [s.kind, s.price, s.tsEvent])).toEqual([['ALERT', 105, T0 + 1000]]);
    expect(() => runStrategy(bigMove, { params: { minChangeRate: 'x' }, events: [] })).toThrow(ConfigError);
    expect(() => runStrategy(bigMove, { params: { typo: 1 }, events: [] })).toThrow(/strategies\[0\]\.params/);
  });

  it('timers fire on the virtual clock up to `until`', () => {
    const { logs } = runStrategy(bigMove, { params: { heartbeatMs: 1000 }, events: [trade({ price: 1, ts: T0 + 500 })], until: T0 + 3500 });
    expect(logs.filter((l) => l.msg === 'beat').map((l) => l.fields.due)).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
  });

  it('bars close at their boundary even when no trade follows, and feed indicators', () => {
    const m = 60_000;
    const events = [100, 100, 100, 110].map((price, i) => trade({ price, volume: 1, ts: T0 + i * m + 10 }));
    const open = runStrategy(smaCross, { events });
    expect(open.signals).toEqual([]); // the 4th minute is still open
    const { signals } = runStrategy(smaCross, { events, until: T0 + 4 * m });
    expect(signals.map((s) => [s.kind, s.price, s.details?.end])).toEqual([['BUY', 110, T0 + 4 * m]]);
  });

  it('a throwing handler is a fault, counted; the run goes on', () => {
    const run = runStrategy(bigMove, { events: [trade({ price: -1, ts: T0 }), trade({ price: 7, changeRate: 6, ts: T0 + 1 })] });
    expect(run.faults).toBe(1);
    expect(run.state).toBe('running');
    expect(run.logs.some((l) => l.fields.code === 'E_STRATEGY_FAULT')).toBe(true);
    expect(run.signals.map((s) => s.price)).toEqual([7]);
  });

  it('gives the signals the engine fixtures give for a bundled strategy (ids included)', () => {
    const events = [watchlist(['005930'], T0), ...Array.from({ length: 240 }, (_, i) => trade({ price: 100 + (i === 230 ? 50 : i % 3), volume: i >= 225 ? 500 : 10, ts: T0 + 1000 + i * 1000 }))];
    const params = { windowMinutes: 2, volumeFactor: 2 };
    const reference = startRun([watchlistBreakout], [{ id: watchlistBreakout.id, params }], { cooldownMs: 0 });
    reference.feed(events);
    const { signals } = runStrategy(watchlistBreakout, { params, events });
    expect(signals.map((s) => [s.kind, s.price])).toEqual([['BUY', 150]]);
    expect(signals).toEqual(reference.signals);
  });
});
