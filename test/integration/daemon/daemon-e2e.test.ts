import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { startDaemon, type Daemon } from '../../../src/app/daemon.js';
import { loadConfig } from '../../../src/config/load.js';
import type { MarketEvent, RankingEvent } from '../../../src/core/market.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { parsePrometheusText } from '../../unit/observability/prom-parser.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

/** Lets real loopback I/O (REST answers, frames) happen between virtual-time steps. */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('the daemon on the embedded simulator (virtual time, real sockets, real SQLite)', () => {
  const clock = createVirtualClock(START);
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-daemon-'));
  const lines: Array<Record<string, unknown>> = [];
  let daemon: Daemon;
  const rankings: RankingEvent[] = [];

  const run = async (seconds: number): Promise<void> => {
    for (let i = 0; i < seconds; i++) {
      await clock.tickAsync(1_000);
      await turns(30);
    }
  };

  beforeAll(async () => {
    const config = loadConfig({ env: { KRX_DATA_DIR: dataDir, KRX_HTTP_PORT: '0' }, cwd: dataDir });
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    daemon = await startDaemon({ config, log: createLogger({ level: 'info', clock, destination: sink }), clock, version: 'test' });
    // 0A is rare by default, as on the real feed; the indicative strategy needs some within this short run.
    daemon.simulator!.faults.setIndicativePerHour(200_000);
    daemon.kernel.stream$.subscribe((e: MarketEvent) => {
      if (e.kind === 'ranking') rankings.push(e);
    });
  });

  afterAll(async () => {
    await daemon?.stop('test over');
  });

  it('follows the program ranking with REG/REMOVE and keeps the simulator at the wanted set', async () => {
    await run(125);
    const changes = lines.filter((l) => l.event === 'universe.changed');
    expect(changes.length).toBeGreaterThan(2);
    // The ranking really changed between polls, and the subscriptions followed it out again.
    expect(changes.some((l) => (l.removed as number) > 0)).toBe(true);
    expect(daemon.connection.stats.removeMessages).toBeGreaterThan(0);
    const sim = daemon.simulator!;
    const regs = sim.faults.registrations();
    const current = regs.connections.find((c) => c.id === regs.current)!;
    expect([...current.items].sort()).toEqual(daemon.connection.subscriptions.wantedPairs());
    const wantedSymbols = new Set(daemon.connection.subscriptions.wantedPairs().map((p) => p.split('|')[0]));
    for (const market of ['P00101', 'P10102'] as const) {
      const last = rankings.filter((r) => r.market === market).at(-1)!;
      // Every ranked symbol but those the stock master excludes (universe.exclude.orderWarning 2, 4).
      for (const e of last.entries) expect(wantedSymbols.has(e.symbol)).toBe(!['2', '4'].includes(daemon.master.get(e.symbol)?.orderWarning ?? '0'));
    }
  });

  it('picks up a watchlist edit within one watchlist poll', async () => {
    const sim = daemon.simulator!;
    const fresh = ['000100', '000120', '000150'].filter((s) => !daemon.connection.subscriptions.wantedPairs().some((p) => p.startsWith(`${s}|`)));
    const group = sim.faults.watchlists()[0]!;
    sim.faults.setWatchlistGroup(group.code, [...group.stocks, ...fresh]);
    await run(305);
    const regs = sim.faults.registrations();
    const items = regs.connections.find((c) => c.id === regs.current)!.items;
    for (const s of fresh) expect(items.has(`${s}|0B`)).toBe(true);
  });

  it('reports health: 503 while the feed is silent, 200 again after the reconnect; /metrics parses', async () => {
    const url = daemon.observability.url!;
    const get = async (path: string): Promise<{ status: number; body: string }> => {
      const res = await fetch(`${url}${path}`);
      return { status: res.status, body: await res.text() };
    };
    expect((await get('/healthz')).status).toBe(200);
    const sim = daemon.simulator!;
    sim.faults.setSilent(true);
    await run(35);
    const down = await get('/healthz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).reasons.join(' ')).toMatch(/E_WS_WATCHDOG|backoff|connecting|authenticating/);
    sim.faults.setSilent(false);
    for (let i = 0; i < 60 && daemon.connection.status().phase !== 'live'; i++) await run(1);
    expect((await get('/healthz')).status).toBe(200);
    const metrics = parsePrometheusText((await get('/metrics')).body);
    const value = (name: string): number => (metrics.get(name)?.samples ?? []).reduce((a, s) => a + s.value, 0);
    expect(value('krx_ws_frames_total')).toBeGreaterThan(0);
    expect(value('krx_ws_reconnects_total')).toBeGreaterThanOrEqual(1);
    expect(value('krx_signals_total')).toBeGreaterThan(0);
  });

  it('lands signals from all three strategies in SQLite', async () => {
    await run(120);
    daemon.store.flush();
    const db = openSignalDatabaseReadOnly(join(dataDir, 'signals.db'));
    const rows = querySignals(db, {});
    db.close();
    const byStrategy = new Set(rows.map((r) => r.strategy));
    expect([...byStrategy].sort()).toEqual(['indicative-deviation', 'program-momentum', 'watchlist-breakout']);
    expect(rows.every((r) => r.sessionId === daemon.sessionId)).toBe(true);
    const logged = lines.filter((l) => l.event === 'signal').map((l) => l.id);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(logged));
  });
});
