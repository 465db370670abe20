import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { MarketEvent } from '../../../src/core/market.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../../../src/core/strategy.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createStrategyHost, type StrategyHost } from '../../../src/engine/host.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { T0, indicative, startRun, trade } from './fixtures.js';

const base = { version: '1.0.0', apiVersion: STRATEGY_API_VERSION, params: z.strictObject({}) } as const;

/** ALERT on every trade. */
const echo = defineStrategy({
  ...base,
  id: 'echo',
  params: z.strictObject({ kind: z.enum(['ALERT', 'BUY', 'EXIT']).default('ALERT'), perEvent: z.number().int().default(1) }),
  needs: { events: ['trade'] },
  create: (ctx) => ({
    onEvent(e) {
      if (e.kind !== 'trade') return;
      for (let i = 0; i < ctx.params.perEvent; i++) ctx.emit({ symbol: e.symbol, kind: ctx.params.kind, price: e.price, details: { i } });
    },
  }),
});

const thrower = defineStrategy({
  ...base,
  id: 'thrower',
  needs: { events: ['trade'] },
  create: () => ({
    onEvent() {
      throw new Error('boom');
    },
  }),
});

const trades = (n: number, step = 1000, symbol?: (i: number) => string): MarketEvent[] =>
  Array.from({ length: n }, (_, i) => trade({ symbol: symbol?.(i) ?? `00000${i % 10}`, price: 1000 + i, ts: T0 + i * step }));

describe('strategy host: fault containment', () => {
  it('quarantines a strategy that throws on every event while another keeps emitting', () => {
    const run = startRun([echo, thrower], [{ id: 'thrower' }, { id: 'echo' }], { cooldownMs: 0, faultLimit: 5, faultWindowMs: 60_000 });
    run.feed(trades(10));
    const stats = Object.fromEntries(run.host.stats().map((s) => [s.id, s]));
    expect(stats.thrower).toMatchObject({ state: 'quarantined', faults: 5, events: 5, signals: 0 });
    expect(stats.echo).toMatchObject({ state: 'running', faults: 0, events: 10, signals: 10 });
    expect(run.signals).toHaveLength(10);
    const faults = run.logs.filter((r) => r.fields.code === 'E_STRATEGY_FAULT');
    expect(faults).toHaveLength(5);
    expect(faults[0]!.fields).toMatchObject({ strategy: 'thrower', event: { kind: 'trade', symbol: '000000', tsRecv: T0 } });
    expect(run.logs.filter((r) => r.fields.code === 'E_STRATEGY_QUARANTINED')).toHaveLength(1);
  });

  it('does not quarantine when faults are spread wider than the window', () => {
    const run = startRun([thrower], [{ id: 'thrower' }], { faultLimit: 5, faultWindowMs: 60_000 });
    run.feed(trades(12, 20_000)); // at most 3 faults in any 60 s window
    expect(run.host.stats()[0]).toMatchObject({ state: 'running', faults: 12 });
  });

  it('discards the signals of a call that throws and keeps the cooldown untouched', () => {
    const emitThenThrow = defineStrategy({
      ...base,
      id: 'half',
      needs: { events: ['trade'] },
      create: (ctx) => ({
        onEvent(e) {
          if (e.kind !== 'trade') return;
          ctx.emit({ symbol: e.symbol, kind: 'BUY', price: e.price });
          if (e.price === 1) throw new Error('after emit');
        },
      }),
    });
    const run = startRun([emitThenThrow], [{ id: 'half' }], { cooldownMs: 60_000 });
    run.feed([trade({ price: 1, ts: T0 }), trade({ price: 2, ts: T0 + 1000 })]);
    expect(run.signals.map((s) => s.price)).toEqual([2]);
  });

  it('turns an invalid draft into a fault coded E_STRATEGY_BAD_SIGNAL', () => {
    const bad = defineStrategy({
      ...base,
      id: 'bad',
      needs: { events: ['trade'] },
      create: (ctx) => ({ onEvent: () => void ctx.emit({ symbol: 'nope', kind: 'BUY' }) }),
    });
    const run = startRun([bad], [{ id: 'bad' }]);
    run.feed(trades(1));
    expect(run.signals).toHaveLength(0);
    expect(run.logs.find((r) => r.msg === 'strategy fault')?.fields.code).toBe('E_STRATEGY_BAD_SIGNAL');
  });

  it('hands strategies frozen events and snapshots already updated with the event', () => {
    const seen: unknown[] = [];
    const mutator = defineStrategy({
      ...base,
      id: 'mutator',
      needs: { events: ['trade'] },
      create: (ctx) => ({
        onEvent(e) {
          if (e.kind !== 'trade') return;
          const snap = ctx.snapshot(e.symbol);
          seen.push(snap?.lastPrice, Object.isFrozen(snap), Object.isFrozen(e));
          (e as { price: number }).price = 0; // strict-mode TypeError on a frozen object
        },
      }),
    });
    const run = startRun([mutator], [{ id: 'mutator' }]);
    run.feed([trade({ price: 777, ts: T0 })]);
    expect(seen).toEqual([777, true, true]);
    expect(run.host.stats()[0]!.faults).toBe(1);
  });

  it('counts a rejected promise from a handler as a fault', async () => {
    const asyncOne = defineStrategy({
      ...base,
      id: 'async-one',
      needs: { events: ['trade'] },
      create: () => ({ onEvent: (() => Promise.reject(new Error('late'))) as unknown as () => void }),
    });
    const run = startRun([asyncOne], [{ id: 'async-one' }]);
    run.feed(trades(1));
    await Promise.resolve();
    await Promise.resolve();
    expect(run.host.stats()[0]!.faults).toBe(1);
  });

  it('routes events by needs only', () => {
    const seen: string[] = [];
    const only0A = defineStrategy({
      ...base,
      id: 'only-0a',
      needs: { events: ['indicative'] },
      create: () => ({ onEvent: (e) => void seen.push(e.kind) }),
    });
    const run = startRun([only0A], [{ id: 'only-0a' }]);
    run.feed([trade({ price: 1, ts: T0 }), indicative({ price: 2, ts: T0 + 1 })]);
    expect(seen).toEqual(['indicative']);
  });
});

describe('strategy host: cooldown', () => {
  it('suppresses repeats per strategy, symbol and kind within the cooldown', () => {
    const run = startRun([echo], [{ id: 'echo' }], { cooldownMs: 60_000 });
    run.feed([
      trade({ symbol: '000001', price: 1, ts: T0 }),
      trade({ symbol: '000001', price: 2, ts: T0 + 30_000 }), // suppressed
      trade({ symbol: '000002', price: 3, ts: T0 + 30_000 }), // other symbol: kept
      trade({ symbol: '000001', price: 4, ts: T0 + 60_000 }), // cooldown over
    ]);
    expect(run.signals.map((s) => s.price)).toEqual([1, 3, 4]);
    expect(run.host.stats()[0]).toMatchObject({ signals: 3, suppressed: 1 });
  });

  it('applies within one call too', () => {
    const run = startRun([echo], [{ id: 'echo', params: { perEvent: 3 } }], { cooldownMs: 1000 });
    run.feed(trades(1));
    expect(run.signals).toHaveLength(1);
  });
});

describe('strategy host: signal stamping and ids', () => {
  it('stamps signals with the event times, strategy id and version', () => {
    const run = startRun([echo], [{ id: 'echo' }], { cooldownMs: 0 });
    run.feed([trade({ price: 5, ts: T0 - 2000, tsRecv: T0 + 10 })]);
    expect(run.signals[0]).toMatchObject({
      strategy: 'echo',
      strategyVersion: '1.0.0',
      sessionId: 'test-session',
      tsEvent: T0 - 2000,
      tsRecv: T0 + 10,
      kind: 'ALERT',
      price: 5,
      details: { i: 0 },
    });
    expect(run.signals[0]!.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same ids for the same input and distinct ids at the same instant', () => {
    const once = (): unknown[] => {
      const run = startRun([echo], [{ id: 'echo', params: { perEvent: 2 } }], { cooldownMs: 0, sessionId: `s-${Math.floor(T0)}` });
      run.feed(trades(20, 500));
      return run.signals;
    };
    const a = once();
    const b = once();
    expect(a).toHaveLength(40);
    expect(b).toEqual(a);
    const ids = (a as { id: string }[]).map((s) => s.id);
    expect(new Set(ids).size).toBe(40);
  });

  it('keeps ids independent of the session id (replays reproduce them)', () => {
    const ids = (sessionId: string): string[] => {
      const run = startRun([echo], [{ id: 'echo' }], { cooldownMs: 0, sessionId });
      run.feed(trades(3));
      return run.signals.map((s) => s.id);
    };
    expect(ids('live-1')).toEqual(ids('replay-of-live-1'));
  });
});

describe('strategy host: timers', () => {
  const order: string[] = [];
  const timed = defineStrategy({
    ...base,
    id: 'timed',
    params: z.strictObject({ delayMs: z.number().int().default(1000), repeat: z.boolean().default(false) }),
    needs: { events: ['trade'] },
    create: (ctx) => ({
      onStart: () => ctx.setTimer('t', ctx.params.delayMs, { repeat: ctx.params.repeat }),
      onTimer: (t) => {
        order.push(`timer@${t.dueMs - T0}`);
        ctx.emit({ symbol: '000001', kind: 'ALERT', details: { now: ctx.now() - T0 } });
      },
      onEvent: (e) => void order.push(`event@${e.tsRecv - T0}`),
    }),
  });

  // Determinism rule: a timer due at or before an event's tsRecv fires before that event,
  // whether or not the Clock's own timer callback already ran.
  it('fires a timer due at an event instant before the event, even if the clock has not fired it yet', () => {
    order.length = 0;
    const run = startRun([timed], [{ id: 'timed' }], { cooldownMs: 0 });
    run.host.handle(trade({ price: 1, ts: T0 + 999 }));
    run.host.handle(trade({ price: 1, ts: T0 + 1000 })); // clock still at T0: the event path fires the timer
    expect(order).toEqual(['event@999', 'timer@1000', 'event@1000']);
    run.clock.tick(5000);
    expect(order).toHaveLength(3); // not fired twice
  });

  it('gives the same order when the clock reaches the instant first (replay)', () => {
    order.length = 0;
    const run = startRun([timed], [{ id: 'timed' }], { cooldownMs: 0 });
    run.feed([trade({ price: 1, ts: T0 + 999 }), trade({ price: 1, ts: T0 + 1000 })]);
    expect(order).toEqual(['event@999', 'timer@1000', 'event@1000']);
  });

  it('fires on the clock when no event comes and stamps the signal with the due time', () => {
    order.length = 0;
    const run = startRun([timed], [{ id: 'timed', params: { repeat: true } }], { cooldownMs: 0 });
    run.clock.tick(3500);
    expect(order).toEqual(['timer@1000', 'timer@2000', 'timer@3000']);
    expect(run.signals.map((s) => [s.tsEvent - T0, s.tsRecv - T0, s.details.now])).toEqual([
      [1000, 1000, 1000],
      [2000, 2000, 2000],
      [3000, 3000, 3000],
    ]);
    run.host.stop();
    run.clock.tick(5000);
    expect(order).toHaveLength(3);
    expect(run.clock.pendingTimers()).toBe(0);
  });

  it('fires timers in due-time then arming order', () => {
    const fired: string[] = [];
    const multi = defineStrategy({
      ...base,
      id: 'multi',
      needs: {},
      create: (ctx) => ({
        onStart() {
          ctx.setTimer('c', 2000);
          ctx.setTimer('a', 1000);
          ctx.setTimer('b', 1000);
        },
        onTimer: (t) => void fired.push(t.name),
        onEvent: () => {},
      }),
    });
    const run = startRun([multi], [{ id: 'multi' }]);
    run.clock.tick(2000);
    expect(fired).toEqual(['a', 'b', 'c']);
  });
});

describe('strategy host: robustness', () => {
  it('quarantines a strategy whose create() throws or returns no onEvent, and runs the others', () => {
    const broken = defineStrategy({
      ...base,
      id: 'broken',
      needs: { events: ['trade'] },
      create: () => {
        throw new Error('cannot build');
      },
    });
    const empty = defineStrategy({ ...base, id: 'empty', needs: { events: ['trade'] }, create: () => ({}) as never });
    const run = startRun([broken, empty, echo], [{ id: 'broken' }, { id: 'empty' }, { id: 'echo' }], { cooldownMs: 0 });
    run.feed(trades(2));
    expect(run.host.stats().map((s) => [s.id, s.state, s.faults])).toEqual([
      ['broken', 'quarantined', 1],
      ['empty', 'quarantined', 1],
      ['echo', 'running', 0],
    ]);
    expect(run.signals).toHaveLength(2);
  });

  it('serialises an event pushed from inside a call after the current one', () => {
    const order: string[] = [];
    const recorder = defineStrategy({
      ...base,
      id: 'recorder',
      needs: { events: ['trade'] },
      create: (ctx) => ({
        onEvent(e) {
          if (e.kind !== 'trade') return;
          order.push(`start ${e.price}`);
          ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price });
          order.push(`end ${e.price}`);
        },
      }),
    });
    const prices: (number | null)[] = [];
    // A sink that feeds the host back synchronously: a misuse the host must survive in order.
    const host: StrategyHost = createStrategyHost({
      clock: createVirtualClock(T0),
      book: createMarketBook(),
      sink: {
        write(signal) {
          prices.push(signal.price);
          if (signal.price === 1) host.handle(trade({ price: 2, ts: T0 + 1 }));
        },
      },
      strategies: loadStrategies([{ id: 'recorder' }], createRegistry([recorder])),
      sessionId: 's',
      seed: 1,
      cooldownMs: 0,
    });
    host.start();
    host.handle(trade({ price: 1, ts: T0 }));
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(prices).toEqual([1, 2]);
  });
});
