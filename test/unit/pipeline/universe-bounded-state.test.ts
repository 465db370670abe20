import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/core/signal.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createStrategyHost } from '../../../src/engine/host.js';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { createMarketBook } from '../../../src/pipeline/market-book.js';
import { strategies } from '../../../strategies/index.js';
import { T0, ranking, trade } from '../engine/fixtures.js';

/** A full collection, so two heap readings compare live objects only. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const PER_POLL = 20;
const DEPARTED_MEMORY = 2_048; // the book's default
/** Whole polls of departures the book still remembers. */
const KEPT_POLLS = Math.floor(DEPARTED_MEMORY / PER_POLL);
const REQUIRED = '900000'; // a symbol the config (or a strategy) requires: never forgotten

/**
 * Issue 20 item 6: per-symbol state was kept forever. Thousands of symbols pass through the program
 * ranking (each enters, is bought by program-momentum and exited when it leaves); the book keeps
 * snapshots only for the universe plus the latest 2,048 departures, and the heap after 20,000 symbols
 * is what it was after 4,000.
 */
describe('per-symbol state bounded by the universe', () => {
  it('forgets the symbols that left the ranking while thousands cycle through it; the required symbol stays', () => {
    const clock = createVirtualClock(T0);
    const book = createMarketBook({ staticSymbols: [REQUIRED] });
    // Counted, not kept: the heap reading is the daemon's state, not the test's.
    const counts = { BUY: 0, EXIT: 0, exitsWithoutTheLastPrice: 0 };
    const count = (s: Signal): void => {
      if (s.kind === 'BUY') counts.BUY++;
      if (s.kind !== 'EXIT') return;
      counts.EXIT++;
      if (s.price !== 1_100) counts.exitsWithoutTheLastPrice++;
    };
    const host = createStrategyHost({
      sessionId: 'bounded',
      seed: 1,
      clock,
      book,
      sink: { write: count },
      strategies: loadStrategies([{ id: 'program-momentum', params: { entryOnFirstPoll: true } }], createRegistry(strategies)),
    });
    host.start();
    const feed = (e: Parameters<typeof host.handle>[0]): void => {
      if (e.tsRecv > clock.now()) clock.advanceTo(e.tsRecv);
      host.handle(e);
    };
    const symbolsOf = (poll: number): string[] => Array.from({ length: PER_POLL }, (_, i) => String(100_000 + poll * PER_POLL + i));
    const poll = (n: number): void => {
      const ts = T0 + n * 30_000;
      feed(ranking('P00101', symbolsOf(n), ts));
      // Open at 1,000 then 1,100: above open and VWAP, so each newcomer is bought.
      for (const [k, symbol] of symbolsOf(n).entries()) {
        feed(trade({ symbol, price: 1_000, volume: 10, ts: ts + 10 + k * 2 }));
        feed(trade({ symbol, price: 1_100, volume: 10, ts: ts + 11 + k * 2 }));
      }
      feed(trade({ symbol: REQUIRED, price: 5_000, volume: 1, ts: ts + 1_000 }));
    };

    const POLLS = 1_000; // 20,000 symbols
    let heapAfterWarmUp = 0;
    for (let n = 0; n < POLLS; n++) {
      poll(n);
      const forgotten = n - 1 - KEPT_POLLS - 1;
      if (forgotten >= 0) for (const symbol of symbolsOf(forgotten)) expect(book.snapshot(symbol)).toBeUndefined();
      // The latest departures are still readable (an EXIT's last price, a same-day re-entry).
      if (n >= 1) for (const symbol of symbolsOf(n - 1)) expect(book.snapshot(symbol)?.lastPrice).toBe(1_100);
      if (n === 200) {
        collectGarbage();
        heapAfterWarmUp = process.memoryUsage().heapUsed;
      }
    }
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - heapAfterWarmUp;

    console.log(`heap growth from 4,000 to 20,000 symbols: ${(growth / 1_048_576).toFixed(2)} MB`);
    const everySymbol = Array.from({ length: POLLS }, (_, n) => symbolsOf(n)).flat();
    expect(everySymbol.filter((s) => book.snapshot(s) !== undefined)).toHaveLength(PER_POLL + DEPARTED_MEMORY);
    expect(book.universe()).toEqual([...symbolsOf(POLLS - 1), REQUIRED].sort());
    expect(book.snapshot(REQUIRED)).toMatchObject({ lastPrice: 5_000, vwapVolume: POLLS });
    // Every symbol was bought and (but the last poll's) exited at its last price, not null.
    expect(counts).toEqual({ BUY: POLLS * PER_POLL, EXIT: (POLLS - 1) * PER_POLL, exitsWithoutTheLastPrice: 0 });
    // Without the bound, the snapshots and cooldown entries of 18,000 more symbols grow the heap by MBs.
    expect(growth, `heap growth ${(growth / 1_048_576).toFixed(2)} MB`).toBeLessThan(1_048_576);
  });
});
