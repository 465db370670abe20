import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signalsJsonl as jsonl } from '../../support/signals-jsonl.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { runFor, startDaemonOnSim, turns } from '../../resilience/daemon-on-sim.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);
const CREDENTIALS = { KIWOOM_APPKEY: 'reload-load-appkey-0000000000', KIWOOM_SECRETKEY: 'reload-load-secret-000000000000' };

/** Counts every trade it is handed and ALERTs each 500th: it must see every trade the stream carried. */
const keep = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';
export default defineStrategy({
  id: 'keep', version: '1.0.0', apiVersion: STRATEGY_API_VERSION, params: z.strictObject({}),
  needs: { events: ['trade'] },
  create(ctx) {
    let n = 0;
    return { onEvent(e) { if (e.kind === 'trade' && ++n % 500 === 0) ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { n } }); } };
  },
});
`;

const swap = (version: string): string => `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';
export default defineStrategy({
  id: 'swap', version: '${version}', apiVersion: STRATEGY_API_VERSION, params: z.strictObject({}),
  needs: { events: ['trade'] },
  create(ctx) {
    let n = 0;
    return { onEvent(e) { if (e.kind === 'trade' && ++n % 300 === 0) ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { n } }); } };
  },
});
`;

describe('reload under load', () => {
  it('at 2,000 frames/s: the unchanged strategy misses no trade, the socket stays, the new version signals only after its onStart', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'krx-reload-load-')), 'strategies');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.ts'), keep);
    writeFileSync(join(folder, 'swap.ts'), swap('1.0.0'));
    const clock = createVirtualClock(START);
    const run = await startDaemonOnSim({
      clock,
      // One entry a frame: 2,000 trades/s are 2,000 frames/s on the socket.
      sim: { seed: 'reload-load', tradesPerSecond: 2_000, maxEntriesPerFrame: 1, kiwoomCredentials: [{ appkey: CREDENTIALS.KIWOOM_APPKEY, secretkey: CREDENTIALS.KIWOOM_SECRETKEY }] },
      fileConfig: { calendar: { kind: 'always-open' }, strategiesDir: folder, strategies: [{ id: 'keep' }, { id: 'swap' }], log: { level: 'warn' } },
      credentials: CREDENTIALS,
    });
    const { daemon, sim } = run;
    let trades = 0;
    const counted = daemon.kernel.stream$.subscribe((e) => {
      if (e.kind === 'trade') trades++;
    });
    try {
      await runFor(clock, 5_000, 50, 20); // connected, subscribed, streaming
      const frames0 = daemon.connection.stats.frames;
      const t0 = clock.now();
      await runFor(clock, 5_000, 50, 20);
      const rate = ((daemon.connection.stats.frames - frames0) * 1000) / (clock.now() - t0);
      expect(rate).toBeGreaterThanOrEqual(1_900);

      // Asked mid-stream; the feed runs on (virtual time and socket turns) until the reload has applied.
      writeFileSync(join(folder, 'swap.ts'), swap('2.0.0'));
      await clock.tickAsync(50);
      const reloading = daemon.reload('test');
      let done = false;
      void reloading.then(() => (done = true));
      while (!done) {
        await turns(5);
        await clock.tickAsync(50);
      }
      const outcome = await reloading;
      expect(outcome.started).toEqual(['swap']);
      expect(outcome.unchanged).toEqual(['keep']);
      await runFor(clock, 5_000, 50, 20);
      await turns(50);

      expect(sim.faults.counters().realEntriesDropped).toBe(0);
      expect(sim.faults.counters().connectionsOpened).toBe(1);
      expect(daemon.connection.status().reconnects).toBe(0);
      expect(daemon.connection.stats.entries).toBe(sim.faults.counters().realEntriesSent); // every entry sent was received
      const stats = Object.fromEntries(daemon.kernel.strategyStats().map((s) => [s.id, s]));
      // Every trade the stream carried reached the unchanged strategy, before, during and after the reload.
      expect(trades).toBeGreaterThan(20_000);
      expect(stats.keep!.events).toBe(trades);
      expect(stats.swap!.version).toBe('2.0.0');

      await daemon.stop('done');
      const signals = jsonl(join(run.dataDir, 'signals.db'), daemon.sessionId).trim().split('\n').map((l) => JSON.parse(l) as { strategy: string; strategyVersion: string; tsRecv: number });
      const v1 = signals.filter((s) => s.strategy === 'swap' && s.strategyVersion === '1.0.0');
      const v2 = signals.filter((s) => s.strategy === 'swap' && s.strategyVersion === '2.0.0');
      expect(v1.length).toBeGreaterThan(0);
      expect(v2.length).toBeGreaterThan(0);
      expect(v1.every((s) => s.tsRecv <= outcome.at!)).toBe(true);
      expect(v2.every((s) => s.tsRecv >= outcome.at!)).toBe(true);
    } finally {
      counted.unsubscribe();
      await daemon.stop('done');
      await sim.close();
    }
  }, 180_000);
});
