import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { startDaemon } from '../../../src/app/daemon.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import type { MarketEvent } from '../../../src/core/market.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { quietLogger, signalsJsonl, turns } from '../../support/signals-jsonl.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

describe('universe.venue: the venue the universe is subscribed on (issue 14 item 3)', () => {
  it('SOR subscribes _AL items on the simulator: events, snapshots and signals carry SOR, ranking codes come back stripped, and the replay reproduces the signals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-venue-'));
    try {
      const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
      const config = { ...base, sim: { ...base.sim, seed: 7, tradesPerSecond: 40 }, universe: { ...base.universe, venue: 'SOR' } } as Config;
      const clock = createVirtualClock(START);
      const daemon = await startDaemon({ config, log: quietLogger(clock), clock, version: 'test' });
      const seen: MarketEvent[] = [];
      const sub = daemon.kernel.stream$.subscribe((e) => seen.push(e));
      for (let s = 1; s <= 60; s++) {
        await clock.tickAsync(1_000);
        await turns(40);
      }
      sub.unsubscribe();
      const trades = seen.filter((e) => e.kind === 'trade');
      expect(trades.length).toBeGreaterThan(100);
      expect(new Set(trades.map((e) => e.venue))).toEqual(new Set(['SOR']));
      // The ranking rows came back with `_AL` codes (stex_tp 3) and were stripped at the edge.
      const ranking = seen.find((e) => e.kind === 'ranking');
      expect(ranking?.kind === 'ranking' && ranking.entries.every((r) => /^\d{6}$/.test(r.symbol))).toBe(true);
      const symbol = trades[0]!.symbol;
      expect(daemon.kernel.book.snapshot(symbol)?.venue).toBe('SOR');
      expect(daemon.kernel.book.snapshot(symbol, 'KRX')).toBeUndefined();
      const recording = daemon.recording!.file;
      const sessionId = daemon.sessionId;
      await daemon.stop('test done');

      const db = openSignalDatabaseReadOnly(join(dir, 'signals.db'));
      const rows = querySignals(db, { sessionId });
      db.close();
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.venue))).toEqual(new Set(['SOR']));

      await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: join(dir, 'replay.db'), speed: 'max', log: quietLogger(clock) });
      expect(signalsJsonl(join(dir, 'replay.db'))).toBe(signalsJsonl(join(dir, 'signals.db'), sessionId));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
