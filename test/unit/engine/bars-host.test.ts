import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Bar } from '../../../src/core/bars.js';
import { ConfigError } from '../../../src/core/errors.js';
import { indicators } from '../../../src/core/indicators.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../../../src/core/strategy.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { T0, ranking, startRun, trade } from './fixtures.js';

const seen: string[] = [];

/** Logs every bar and timer it sees; a BUY when the 1m close crosses above its 3-bar SMA. */
const barWatcher = defineStrategy({
  id: 'bar-watcher',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({}),
  needs: { bars: [{ interval: '1m' }, { interval: '10s' }] },
  create: (ctx) => {
    const sma = indicators.sma(3);
    return {
      onStart: () => ctx.setTimer('minute', 60_000, { repeat: true }),
      onEvent: () => undefined,
      onTimer: (t) => seen.push(`timer ${t.dueMs - T0} last1m=${ctx.bars('000001', '1m', 1).map((b) => b.end - T0).join(',')}`),
      onBar: (bar: Bar) => {
        seen.push(`bar ${bar.interval} ${bar.symbol} ${bar.start - T0}-${bar.end - T0} o${bar.open} h${bar.high} l${bar.low} c${bar.close} v${bar.volume} n${bar.trades} now=${ctx.now() - T0}`);
        if (bar.interval !== '1m') return;
        const before = sma.value;
        sma.update(bar);
        if (before !== null && sma.value !== null && bar.close > sma.value) ctx.emit({ symbol: bar.symbol, kind: 'BUY', price: bar.close, details: { sma: sma.value } });
      },
    };
  },
});

describe('strategy host: bars', () => {
  it('closes each bar at its boundary by a timer when no trade follows; bars before timers at one instant', () => {
    seen.length = 0;
    const run = startRun([barWatcher], [{ id: 'bar-watcher' }]);
    run.feed([trade({ symbol: '000001', price: 100, volume: 5, ts: T0 + 1_000 }), trade({ symbol: '000001', price: 104, volume: 5, ts: T0 + 12_000 })]);
    run.clock.tick(60_000); // no more trades: the 10 s and 1 m bars still close on time
    expect(seen).toEqual([
      'bar 10s 000001 0-10000 o100 h100 l100 c100 v5 n1 now=10000',
      'bar 10s 000001 10000-20000 o104 h104 l104 c104 v5 n1 now=20000',
      'bar 1m 000001 0-60000 o100 h104 l100 c104 v10 n2 now=60000',
      'timer 60000 last1m=60000',
    ]);
  });

  it('bar close instants are the same live (clock wake-ups) and in replay (events only advance the clock)', () => {
    const events = Array.from({ length: 40 }, (_, i) => trade({ symbol: i % 3 === 0 ? '000002' : '000001', price: 100 + ((i * 7) % 11), volume: 1 + (i % 4), ts: T0 + 500 + i * 7_300 }));
    seen.length = 0;
    const live = startRun([barWatcher], [{ id: 'bar-watcher' }]);
    for (const e of events) {
      live.clock.tick(e.tsRecv - live.clock.now()); // wall time passes: wake-ups fire between events
      live.host.handle(e);
    }
    live.clock.tick(120_000);
    const liveSeen = [...seen];
    seen.length = 0;
    const replay = startRun([barWatcher], [{ id: 'bar-watcher' }]);
    replay.feed(events);
    replay.clock.tick(120_000);
    expect(seen).toEqual(liveSeen);
    expect(replay.signals).toEqual(live.signals);
    expect(live.signals.length).toBeGreaterThan(0);
    expect(live.signals[0]?.tsEvent).toBe(live.signals[0]?.tsRecv); // stamped at the bar's end
  });

  it('drops the bars of a symbol that left the universe; refuses an undeclared interval and a bad one', () => {
    seen.length = 0;
    const run = startRun([barWatcher], [{ id: 'bar-watcher' }]);
    run.feed([ranking('P00101', ['000001'], T0), trade({ symbol: '000001', price: 100, ts: T0 + 1_000 })]);
    run.clock.tick(60_000);
    expect(seen.filter((l) => l.startsWith('bar 1m'))).toHaveLength(1);
    run.feed([ranking('P00101', ['000009'], T0 + 70_000)]);
    seen.length = 0;
    run.clock.tick(60_000);
    expect(seen.filter((l) => l.startsWith('timer')).join()).toBe('timer 120000 last1m=');
    const bad = defineStrategy({ ...barWatcher, id: 'bad', needs: { bars: [{ interval: '7m' }] } });
    expect(() => loadStrategies([{ id: 'bad' }], createRegistry([bad]))).toThrow(ConfigError);
  });
});
