import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { MarketEvent } from '../../../src/core/market.js';
import { STRATEGY_API_VERSION, defineStrategy, type AnyStrategyDefinition } from '../../../src/core/strategy.js';
import { loadStrategies, type StrategyConfigEntry } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { T0, startRun, trade } from './fixtures.js';

const base = { apiVersion: STRATEGY_API_VERSION, params: z.strictObject({ tag: z.string().default('a') }) } as const;

/** Counts the trades it saw (its state) and ALERTs each one with the count and its tag; logs its lifecycle. */
const counter = (id: string, version: string, calls: string[]): AnyStrategyDefinition =>
  defineStrategy({
    ...base,
    id,
    version,
    needs: { events: ['trade'] },
    create(ctx) {
      let seen = 0;
      return {
        onStart: () => calls.push(`${id}@${version} start ${ctx.now()}`),
        onStop: () => calls.push(`${id}@${version} stop ${ctx.now()} seen=${seen}`),
        onEvent(e) {
          if (e.kind !== 'trade') return;
          seen++;
          ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { seen, tag: ctx.params.tag, version } });
        },
      };
    },
  });

/** Counts closed bars of its interval. */
const barCounter = (id: string, interval: string, calls: string[]): AnyStrategyDefinition =>
  defineStrategy({
    ...base,
    id,
    version: '1.0.0',
    needs: { bars: [{ interval }] },
    create(ctx) {
      return {
        onEvent: () => undefined,
        onBar: (bar) => calls.push(`${id} bar ${bar.interval} ${bar.symbol} ${bar.end - T0} trades=${bar.trades}`),
        onStart: () => calls.push(`${id} start`),
        onStop: () => calls.push(`${id} stop`),
      };
    },
  });

const trades = (from: number, n: number, step = 1000): MarketEvent[] =>
  Array.from({ length: n }, (_, i) => trade({ symbol: '005930', price: 1000 + from + i, ts: T0 + (from + i) * step }));

const plan = (defs: readonly AnyStrategyDefinition[], entries: readonly StrategyConfigEntry[]) => loadStrategies(entries, createRegistry(defs));

describe('strategy host: reload', () => {
  it('stops and restarts only the changed strategy with fresh state; the unchanged one keeps its state and misses no event', () => {
    const calls: string[] = [];
    const a1 = counter('a', '1.0.0', calls);
    const b1 = counter('b', '1.0.0', calls);
    const run = startRun([a1, b1], [{ id: 'a' }, { id: 'b' }], { cooldownMs: 0 });
    run.feed(trades(0, 5));
    const b2 = counter('b', '2.0.0', calls);
    run.clock.advanceTo(T0 + 5_500);
    const outcome = run.host.reload(plan([a1, b2], [{ id: 'a' }, { id: 'b' }]), { changed: new Set(['b']), at: run.clock.now() });
    expect(outcome).toEqual({ started: ['b'], stopped: ['b'], unchanged: ['a'] });
    run.feed(trades(6, 3));

    expect(calls).toEqual(['a@1.0.0 start ' + T0, 'b@1.0.0 start ' + T0, `b@1.0.0 stop ${T0 + 5_500} seen=5`, `b@2.0.0 start ${T0 + 5_500}`]);
    const a = run.signals.filter((s) => s.strategy === 'a').map((s) => s.details?.['seen']);
    expect(a).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // state kept, no event missed
    const b = run.signals.filter((s) => s.strategy === 'b').map((s) => [s.strategyVersion, s.details?.['seen']]);
    expect(b).toEqual([['1.0.0', 1], ['1.0.0', 2], ['1.0.0', 3], ['1.0.0', 4], ['1.0.0', 5], ['2.0.0', 1], ['2.0.0', 2], ['2.0.0', 3]]);
    // No signal of the new version before its onStart.
    expect(run.signals.filter((s) => s.strategyVersion === '2.0.0').every((s) => s.tsRecv >= T0 + 5_500)).toBe(true);
    expect(Object.fromEntries(run.host.stats().map((s) => [s.id, [s.version, s.state, s.events]]))).toEqual({ a: ['1.0.0', 'running', 8], b: ['2.0.0', 'running', 8] });
  });

  it('adds, removes and re-parameterises strategies; a params change is a change', () => {
    const calls: string[] = [];
    const a = counter('a', '1.0.0', calls);
    const b = counter('b', '1.0.0', calls);
    const c = counter('c', '1.0.0', calls);
    const run = startRun([a, b, c], [{ id: 'a' }, { id: 'b' }], { cooldownMs: 0 });
    run.feed(trades(0, 2));
    run.host.reload(plan([a, b, c], [{ id: 'c' }, { id: 'a', params: { tag: 'z' } }]), { changed: new Set(['a', 'c']), at: run.clock.now() });
    run.feed(trades(2, 1));
    expect(run.host.stats().map((s) => [s.id, s.state])).toEqual([['c', 'running'], ['a', 'running']]);
    expect(calls.filter((c) => c.includes('stop'))).toEqual([`a@1.0.0 stop ${T0 + 1000} seen=2`, `b@1.0.0 stop ${T0 + 1000} seen=2`]);
    const last = run.signals.slice(-2).map((s) => [s.strategy, s.details?.['tag'], s.details?.['seen']]);
    expect(last).toEqual([['c', 'a', 1], ['a', 'z', 1]]); // the new order is the delivery order
  });

  it('fires the timers due at or before the reload instant first', () => {
    const calls: string[] = [];
    const timed = defineStrategy({
      ...base,
      id: 'timed',
      version: '1.0.0',
      needs: { events: ['trade'] },
      create: (ctx) => ({
        onStart: () => ctx.setTimer('t', 1000),
        onTimer: (t) => calls.push(`timer ${t.dueMs - T0}`),
        onStop: () => calls.push(`stop ${ctx.now() - T0}`),
        onEvent: () => undefined,
      }),
    });
    const run = startRun([timed], [{ id: 'timed' }]);
    // The clock is at T0 + 1000 without its wake having run: reload must fire the timer before onStop.
    const t2 = defineStrategy({ ...timed, version: '2.0.0' });
    run.host.reload(plan([t2], [{ id: 'timed' }]), { changed: new Set(['timed']), at: T0 + 1000 });
    expect(calls).toEqual(['timer 1000', 'stop 1000']);
  });

  it('adds a bar interval without disturbing the bars of the interval already running', () => {
    const calls: string[] = [];
    const m1 = barCounter('m1', '1m', calls);
    const s10 = barCounter('s10', '10s', calls);
    const run = startRun([m1, s10], [{ id: 'm1' }], { cooldownMs: 0 });
    run.feed(trades(0, 30)); // 30 trades in the first 30 s
    run.host.reload(plan([m1, s10], [{ id: 'm1' }, { id: 's10' }]), { changed: new Set(['s10']), at: T0 + 30_500 });
    run.feed(trades(31, 40)); // 31 s .. 70 s
    run.clock.advanceTo(T0 + 120_000);
    run.host.handle(trade({ symbol: '005930', price: 1, ts: T0 + 120_000 }));
    const m1Bars = calls.filter((c) => c.startsWith('m1 bar'));
    // The first minute's bar holds every trade of the minute, from before and after the reload.
    expect(m1Bars[0]).toBe('m1 bar 1m 005930 60000 trades=59');
    const s10Bars = calls.filter((c) => c.startsWith('s10 bar'));
    // They start with the first trade after its onStart (31 s); the trade at 70 s is closed by the timer at 80 s.
    expect(s10Bars.map((c) => c.slice('s10 bar 10s 005930 '.length))).toEqual(['40000 trades=9', '50000 trades=10', '60000 trades=10', '70000 trades=10', '80000 trades=1']);
    // Removing the 1m strategy leaves the 10 s bars going.
    run.host.reload(plan([m1, s10], [{ id: 's10' }]), { changed: new Set(), at: run.clock.now() });
    run.feed(trades(121, 10));
    run.clock.advanceTo(T0 + 200_000);
    run.host.handle(trade({ symbol: '005930', price: 1, ts: T0 + 200_000 }));
    expect(calls.filter((c) => c.startsWith('s10 bar')).length).toBe(5 + 1 + 1); // 130 s (121..129) and 200 s (the trade at 130 s)
    expect(calls.filter((c) => c.startsWith('m1 bar'))).toEqual(m1Bars);
    expect(calls).toContain('m1 stop');
  });
});
