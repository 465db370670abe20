import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createKrxCalendar } from '../../../src/core/calendar.js';
import type { ProgramMarketCode, RealtimeEvent } from '../../../src/core/market.js';
import type { Signal } from '../../../src/core/signal.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { collectNeeds, loadStrategies } from '../../../src/engine/load-strategies.js';
import { createStrategyHost } from '../../../src/engine/host.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { createMarketStream } from '../../../src/pipeline/market-stream.js';
import type { UniverseDiff } from '../../../src/pipeline/universe.js';
import { strategies } from '../../../strategies/index.js';
import { T0, ranking, trade } from '../engine/fixtures.js';

/** The wiring the app will do: polls + real-time -> shared stream -> host (book inside) -> sink. */
function wire() {
  const clock = createVirtualClock(T0);
  const loaded = loadStrategies([{ id: 'program-momentum', params: { minRankClimb: 1 } }], createRegistry(strategies));
  const needs = collectNeeds(loaded);
  const staticSymbols = [...new Set(['000001', ...needs.symbols])].sort();
  const realtime$ = new Subject<RealtimeEvent>();
  const lists: Record<ProgramMarketCode, string[][]> = { P00101: [['000010'], ['000030', '000010']], P10102: [[], []] };
  const diffs: UniverseDiff[] = [];
  const signals: Signal[] = [];
  const events$ = createMarketStream({
    clock,
    calendar: createKrxCalendar(),
    realtime$,
    staticSymbols,
    ranking: {
      markets: ['P00101', 'P10102'],
      periodMs: 30_000,
      fetch: (market) => Promise.resolve(ranking(market, lists[market].shift() ?? [], clock.now())),
    },
    onUniverseDiff: (d) => diffs.push(d),
    onError: () => {},
  });
  const host = createStrategyHost({
    clock,
    book: createMarketBook({ staticSymbols }),
    sink: { write: (s) => signals.push(s) },
    strategies: loaded,
    sessionId: 'e2e',
    seed: 7,
    cooldownMs: 0,
  });
  host.start();
  host.attach(events$);
  return { clock, realtime$, diffs, signals, host };
}

async function scenario(): Promise<{ signals: Signal[]; diffs: UniverseDiff[] }> {
  const w = wire();
  await w.clock.tickAsync(0); // first polls: baseline
  w.realtime$.next(trade({ symbol: '000030', price: 1000, volume: 100, open: 1000, ts: w.clock.now() }));
  await w.clock.tickAsync(30_000); // second poll: 000030 enters
  w.realtime$.next(trade({ symbol: '000030', price: 1100, volume: 10, open: 1000, ts: w.clock.now() }));
  w.host.stop();
  return { signals: w.signals, diffs: w.diffs };
}

describe('market stream into the strategy host', () => {
  it('turns polls and trades into signals with the snapshot current, and hands universe diffs over', async () => {
    const { signals, diffs } = await scenario();
    expect(diffs).toEqual([
      { add: ['000001'], remove: [] },
      { add: ['000010'], remove: [] },
      { add: ['000030'], remove: [] },
    ]);
    expect(signals.map((s) => [s.kind, s.symbol, s.price, s.tsEvent - T0])).toEqual([['BUY', '000030', 1100, 30_000]]);
  });

  it('reproduces identical signals on a second run', async () => {
    expect((await scenario()).signals).toEqual((await scenario()).signals);
  });
});
