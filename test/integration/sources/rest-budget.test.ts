import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../../src/app/daemon.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { watchDegraded } from '../../../src/cli/daemon-degraded.js';
import { loadConfig } from '../../../src/config/load.js';
import type { MarketEvent } from '../../../src/core/market.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { orderWarningOf } from '../../../src/sim/trs/ka10099.js';
import { signalsJsonl as jsonl, quietLogger as quiet, turns } from '../../support/signals-jsonl.js';
import { writeConfigFile } from '../../support/config.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST (the simulator's calendar is always open)

/**
 * A strategy that puts every scheduled poll on a 60 s period (far more than 5 requests/s carry for
 * 200 symbols) and signals from the investor flows with the ka10001 figures of the snapshot, so a
 * replay must reproduce both.
 */
const FLOWS_ALL = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';

export default defineStrategy({
  id: 'flows-all',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({ everySeconds: z.number().int().default(60) }),
  needs: (p) => ({
    events: ['info'],
    polls: [
      { source: 'program-trading', everySeconds: p.everySeconds },
      { source: 'investor-flow', everySeconds: p.everySeconds },
      { source: 'investor-totals', everySeconds: p.everySeconds },
    ],
  }),
  create(ctx) {
    return {
      onEvent(e) {
        if ((e.kind === 'investor-flow' || e.kind === 'investor-totals') && e.foreign !== null && e.foreign > 0) {
          const info = ctx.snapshot(e.symbol)?.info ?? null;
          ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: info?.previousClose ?? null, details: { source: e.kind, foreign: e.foreign, upper: info?.upperLimit ?? null, infoAt: info?.updatedAt ?? null } });
        }
      },
    };
  },
});
`;

describe('every poll on, 200 universe symbols, one REST budget', () => {
  it('never exceeds 5 requests/s at the simulator, reports the polls that run late, and replays to its signals', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-budget-'));
    const strategiesDir = join(dir, 'strategy-files');
    mkdirSync(strategiesDir);
    writeFileSync(join(strategiesDir, 'flows-all.ts'), FLOWS_ALL);
    const file = writeConfigFile(dir, (base) => ({
      sim: { stocks: 600, tradesPerSecond: 20 },
      // Two markets x 150 ranked rows, 200 kept: the socket's budget.
      universe: { ...(base.universe as object), programTopN: 150 },
      connection: { maxItems: 200 },
      strategiesDir,
      strategies: [{ id: 'program-momentum', params: {} }, { id: 'flows-all', params: {} }],
    }));
    const clock = createVirtualClock(START);
    const config = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir, file });
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ level: 'info', clock, destination: new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) }) });
    const daemon = await startDaemon({ config, log, clock, version: 'test' });
    const degraded = watchDegraded(daemon, config, clock);
    const seen: MarketEvent[] = [];
    const sub = daemon.kernel.stream$.subscribe((e) => {
      if (e.kind !== 'trade' && e.kind !== 'indicative') seen.push(e);
    });
    let lateReasons: string[] = [];
    // 150 s of market time in 20 ms steps with socket turns between: a request reaches the simulator
    // at the virtual instant it was sent (the limiter's 50 ms margin covers a step).
    for (let step = 0; step < 7_500; step++) {
      await clock.tickAsync(20);
      await turns(3);
      if (step % 500 === 499) lateReasons = [...lateReasons, ...(degraded.monitor.check().get('polls') ?? [])];
    }
    sub.unsubscribe();
    const counters = daemon.simulator!.faults.counters();
    const universe = daemon.kernel.book.universe();
    const polls = daemon.kernel.polls();
    const recordingFile = daemon.recording!.file;
    const master = daemon.master;
    degraded.stop();
    await daemon.stop('recorded enough');

    // The budget: never more than 5 requests in any second at the simulator, never a rate-limit answer.
    expect(Object.values(counters.kiwoomPeakPerSecond).length).toBeGreaterThan(0);
    for (const peak of Object.values(counters.kiwoomPeakPerSecond)) expect(peak).toBeLessThanOrEqual(5);
    expect(counters.rateLimitHits.kiwoom).toBe(0);
    const requests = counters.requestsByApiId;
    // Every source ran: the master, ka10001 per entering symbol, both sweeps, ka90004 and the rankings.
    expect(requests['ka10099']).toBe(2);
    expect(requests['ka10001']).toBeGreaterThan(150);
    expect(requests['ka10059']).toBeGreaterThan(50);
    expect(requests['ka10061']).toBeGreaterThan(50);
    expect(requests['ka90004']).toBeGreaterThan(2);
    expect(requests['ka90003']).toBeGreaterThan(2);
    // As many as 150 s at 5/s allow (token issuance included), no more.
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(5 * 150 + 5);
    expect(total).toBeGreaterThan(4 * 150);

    // 200 symbols in the universe, none the master excludes (정리매매 2, 투자위험 4).
    expect(universe).toHaveLength(200);
    for (const symbol of universe) expect(['2', '4']).not.toContain(master.get(symbol)?.orderWarning);
    const ranked = seen.filter((e) => e.kind === 'ranking').flatMap((e) => e.entries.map((r) => r.symbol));
    const warned = ranked.filter((s) => ['2', '4'].includes(master.get(s)?.orderWarning ?? '0'));
    expect(warned.length).toBeGreaterThan(0); // the simulator's ranking does list warned stocks
    expect(master.get('005930')).toMatchObject({ name: '삼성전자', orderWarning: '0' });
    expect(lines.find((l) => l.event === 'stock-master.loaded')).toMatchObject({ stocks: 600 });

    // ka10001 once per symbol: the snapshot's info, stamped with the answer's arrival.
    const infos = seen.filter((e) => e.kind === 'info');
    expect(new Set(infos.map((e) => e.symbol)).size).toBe(infos.length);
    expect(infos.length).toBe(requests['ka10001']);
    const withInfo = universe.filter((s) => daemon.kernel.book.snapshot(s)?.info != null);
    expect(withInfo.length).toBeGreaterThan(150);
    const info = infos[0]!;
    expect(daemon.kernel.book.snapshot(info.symbol)?.info).toMatchObject({ name: info.name, upperLimit: info.upperLimit, updatedAt: info.tsRecv });
    expect(info.upperLimit).toBeGreaterThan(info.previousClose ?? Infinity);

    // Late: the sweeps outlast their 60 s period; ticks skipped, logged, counted and degraded.
    const late = Object.fromEntries(polls.map((p) => [p.name, p.lateTicks]));
    expect(late['investor-flow']).toBeGreaterThan(0);
    expect(late['investor-totals']).toBeGreaterThan(0);
    expect(late['ranking:P00101']).toBe(0);
    expect(lines.some((l) => l.event === 'poll.late' && l.source === 'investor-flow' && l.code === 'E_POLL_LATE')).toBe(true);
    expect(lateReasons.some((r) => r.startsWith('investor-flow poll runs late (E_POLL_LATE)'))).toBe(true);

    // Names in the signal log lines.
    const signalLine = lines.find((l) => l.event === 'signal' && typeof l.name === 'string');
    expect(signalLine).toBeDefined();
    expect(signalLine!.name).toBe(master.get(signalLine!.symbol as string)?.name);

    // Replay reproduces the session's signals byte for byte, serving every answer it recorded.
    const live = jsonl(join(dir, 'signals.db'), daemon.sessionId);
    expect(live.split('\n').filter((l) => l.includes('"flows-all"')).length).toBeGreaterThan(5);
    const replay = await runReplay({ file: recordingFile, config, strategiesFromConfig: false, dbFile: join(dir, 'replay.db'), speed: 'max', log: quiet() });
    expect(replay.divergences).toBe(0);
    expect(jsonl(join(dir, 'replay.db'))).toBe(live);
  });
});

describe('the simulator marks a few stocks with an order warning', () => {
  it('by listing index, never the well-known head of the listing', () => {
    const codes = Array.from({ length: 600 }, (_, index) => orderWarningOf({ index } as Parameters<typeof orderWarningOf>[0]));
    expect(codes.slice(0, 20).every((c) => c === '0')).toBe(true);
    expect(new Set(codes)).toEqual(new Set(['0', '2', '3', '4', '5']));
  });
});
