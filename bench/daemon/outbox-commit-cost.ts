import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSignalStore, type SignalStore } from '../../src/adapters/store/index.js';
import { createNotifyRouting } from '../../src/app/notify/routing.js';
import { notifySchema } from '../../src/config/notify-schema.js';
import { systemClock } from '../../src/core/clock.js';
import type { Signal } from '../../src/core/signal.js';

export interface OutboxCommitCost {
  readonly commits: number;
  readonly signalsPerCommit: number;
  /** Commit time (write + flush, synchronous=FULL) in microseconds, without and with one outbox row per signal. */
  readonly without: { readonly p50: number; readonly p99: number };
  readonly with: { readonly p50: number; readonly p99: number };
}

/**
 * What notifications add to the commit itself, the one place they touch the hot path: the same
 * signals committed alternately into a store without and with a sink's routing (one outbox row per
 * signal in the same transaction), on the same disk, interleaved commit by commit.
 */
export function benchOutboxCommitCost(commits = 2_000, signalsPerCommit = 1): OutboxCommitCost {
  const dir = mkdtempSync(join(tmpdir(), 'krx-outbox-cost-'));
  const sinks = notifySchema.parse({ sinks: [{ type: 'webhook', name: 'slow' }] }).sinks;
  const open = (name: string, routed: boolean): SignalStore =>
    openSignalStore({ file: join(dir, name), clock: systemClock, queueLimit: 100_000, schedule: () => undefined, ...(routed ? { outbox: createNotifyRouting(sinks) } : {}) });
  const stores = { without: open('a.db', false), with: open('b.db', true) };
  const times = { without: [] as number[], with: [] as number[] };
  let n = 0;
  const signal = (): Signal => {
    n++;
    return { id: `bench-${n}`, sessionId: 'bench', strategy: 'indicative-deviation', strategyVersion: '1', symbol: String(5930 + (n % 2000)).padStart(6, '0'), venue: 'KRX', kind: 'ALERT', price: 70_000 + (n % 100), tsEvent: n, tsRecv: n, details: { reason: 'bench', deviationPct: 2.1 } };
  };
  try {
    for (let i = 0; i < commits; i++) {
      for (const arm of i % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
        const batch = Array.from({ length: signalsPerCommit }, signal);
        const t = performance.now();
        for (const s of batch) stores[arm].write(s);
        stores[arm].flush();
        times[arm].push((performance.now() - t) * 1000);
      }
    }
  } finally {
    stores.without.close();
    stores.with.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const pct = (xs: number[], p: number): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
  };
  return {
    commits,
    signalsPerCommit,
    without: { p50: pct(times.without, 50), p99: pct(times.without, 99) },
    with: { p50: pct(times.with, 50), p99: pct(times.with, 99) },
  };
}
