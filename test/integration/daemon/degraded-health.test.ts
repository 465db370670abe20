import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../../src/app/daemon.js';
import { watchDegraded } from '../../../src/cli/daemon-degraded.js';
import { loadConfig } from '../../../src/config/load.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createDegradedMonitor } from '../../../src/observability/degraded.js';
import { createObservabilityServer } from '../../../src/observability/http-server.js';
import { createLogger } from '../../../src/observability/logger.js';
import { MetricsRegistry } from '../../../src/observability/metrics.js';
import { makeSignal } from '../../support/store/fixtures.js';
import { parsePrometheusText } from '../../unit/observability/prom-parser.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('/healthz is honest about degraded parts (it said ok while polls failed and the store could not write)', () => {
  it('failing polls and a store that cannot write make /healthz degraded with reasons and metrics; recovery clears them', async () => {
    const clock = createVirtualClock(START);
    const dataDir = mkdtempSync(join(tmpdir(), 'krx-degraded-'));
    const config = loadConfig({ env: { KRX_DATA_DIR: dataDir }, cwd: dataDir });
    const quiet = createLogger({ level: 'silent', clock, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const daemon = await startDaemon({ config: { ...config, http: { ...config.http, enabled: false } }, log: quiet, clock, version: 'test' });
    const { monitor, stop } = watchDegraded(daemon, config, clock);
    const metrics = new MetricsRegistry();
    monitor.register(metrics);
    const server = createObservabilityServer({ host: '127.0.0.1', port: 0, health: () => monitor.apply({ healthy: true, reasons: [] }), metrics: () => metrics.render() });
    const { url } = await server.start();
    const health = async (): Promise<{ status: number; body: { status: string; reasons: string[] } }> => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string; reasons: string[] } };
    };
    const degradedParts = (): Record<string, number> =>
      Object.fromEntries((parsePrometheusText(metrics.render()).get('krx_degraded')?.samples ?? []).map((s) => [s.labels.part, s.value]));
    const run = async (seconds: number): Promise<void> => {
      for (let i = 0; i < seconds; i++) {
        await clock.tickAsync(1_000);
        await turns(20);
      }
    };
    try {
      await run(35);
      expect((await health()).body.status).toBe('ok');

      // Polls fail: after two periods (30 s each) plus grace, degraded with the poll named.
      daemon.simulator!.faults.failPath('/api/dostk/stkinfo', { status: 500 });
      await run(75);
      let h = await health();
      expect(h.status).toBe(200);
      expect(h.body.status).toBe('degraded');
      expect(h.body.reasons.some((r) => /^ranking:P00101 poll late or failing: last answer \d+ s ago \(period 30 s\)$/.test(r))).toBe(true);
      expect(degradedParts()).toMatchObject({ polls: 1, store: 0 });
      daemon.simulator!.faults.clearFailures();
      await run(35);
      expect(degradedParts().polls).toBe(0);

      // The store cannot write (the file is locked): degraded until it commits again.
      const blocker = new Database(join(dataDir, config.store.file));
      blocker.exec('BEGIN EXCLUSIVE');
      daemon.store.write(makeSignal(1));
      await run(3);
      h = await health();
      expect(h.body.status).toBe('degraded');
      expect(h.body.reasons).toContain('signal store cannot write (E_STORE_WRITE): signals are queued in memory');
      expect(degradedParts().store).toBe(1);
      blocker.exec('COMMIT');
      blocker.close();
      await run(40);
      expect(degradedParts().store).toBe(0);
      expect((await health()).body.status).toBe('ok');
    } finally {
      stop();
      await server.close();
      await daemon.stop('test over');
    }
  }, 60_000);

  it('a quarantined strategy and a shedding recorder each name themselves', () => {
    const monitor = createDegradedMonitor(
      {
        now: () => START,
        recording: () => ({ committed: 10, writeErrors: 0, shedding: true, capped: false, dropped: 4096, storedBytes: 1 }),
        strategies: () => [
          { id: 'program-momentum', state: 'running' },
          { id: 'watchlist-breakout', state: 'quarantined' },
        ],
      },
      START,
    );
    const verdict = monitor.apply({ healthy: true, reasons: [] });
    expect(verdict.degraded).toEqual(['recorder shedding frames (E_RECORDING_SHED): 4096 dropped', 'strategy quarantined (E_STRATEGY_QUARANTINED): watchlist-breakout']);
  });
});
