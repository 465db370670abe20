import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../src/core/clock.js';
import type { Signal } from '../../src/core/signal.js';
import { openSignalStore } from '../../src/adapters/store/signal-store.js';

export interface SignalStoreBenchResult {
  readonly rows: number;
  readonly maxBatch: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Cost of write() alone (validation + queueing), per signal. */
  readonly writeNsPerSignal: number;
}

/**
 * Rows/s of the signal store (WAL, synchronous=FULL) when signals arrive in bursts of `burst` per
 * event-loop turn and are committed one transaction per turn (up to `maxBatch` rows).
 */
export async function benchSignalStore(rows = 200_000, burst = 500, maxBatch = 1000, outboxSinks = 0, queueLimit = rows): Promise<SignalStoreBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-store-'));
  try {
    // With sinks, every signal also writes one outbox row per sink in its transaction (issue 15).
    const sinks = Array.from({ length: outboxSinks }, (_, i) => `sink${i}`);
    const store = openSignalStore({ file: join(dir, 'signals.db'), clock: systemClock, queueLimit, maxBatch, ...(outboxSinks > 0 ? { outbox: { sinksFor: () => sinks } } : {}) });
    let committed = 0;
    store.onCommitted((signals) => (committed += signals.length));
    let writeMs = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let n = 0;
      const step = (): void => {
        const w0 = performance.now();
        for (let i = 0; i < burst && n < rows; i++, n++) store.write(makeSignal(n));
        writeMs += performance.now() - w0;
        if (committed >= rows) resolve();
        else setImmediate(step);
      };
      step();
    });
    const seconds = (performance.now() - t0) / 1000;
    const dropped = store.stats().dropped;
    store.close();
    if (dropped > 0) throw new Error(`the store dropped ${dropped} signals`);
    return { rows, maxBatch, seconds, rowsPerSecond: Math.round(rows / seconds), writeNsPerSignal: Math.round((writeMs * 1e6) / rows) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeSignal(n: number): Signal {
  return {
    id: `bench-${n}`,
    sessionId: 'bench',
    strategy: 'breakout',
    strategyVersion: '1.0.0',
    symbol: String(100000 + (n % 2500)).slice(1),
    venue: 'KRX',
    kind: 'BUY',
    price: 70000 + (n % 1000),
    tsEvent: 1_790_000_000_000 + n,
    tsRecv: 1_790_000_000_003 + n,
    details: { rank: n % 50, level: 70000 + (n % 500), reason: 'breakout above the opening range' },
  };
}
