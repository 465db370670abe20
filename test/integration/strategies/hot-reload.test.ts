import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { signalsJsonl as jsonl, quietLogger as quiet, turns } from '../../support/signals-jsonl.js';
import { startDaemon } from '../../../src/app/daemon.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);

/** A user strategy file: ALERTs on trades (v1) or on closed 10 s bars and 0w program flow (v2, other needs). */
const mineV1 = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';
export default defineStrategy({
  id: 'mine', version: '1.0.0', apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({ every: z.number().int().default(7) }),
  needs: { events: ['trade'] },
  create(ctx) {
    let n = 0;
    return {
      onEvent(e) {
        if (e.kind === 'trade' && ++n % ctx.params.every === 0) ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { v: 1, n } });
      },
    };
  },
});
`;

const mineV2 = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';
export default defineStrategy({
  id: 'mine', version: '2.0.0', apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({ every: z.number().int().default(7) }),
  needs: { events: ['trade', 'program-flow'], bars: [{ interval: '10s' }] },
  create(ctx) {
    let started = -1;
    return {
      onStart() { started = ctx.now(); },
      onBar(bar) {
        if (bar.trades >= 3) ctx.emit({ symbol: bar.symbol, kind: 'ALERT', price: bar.close, details: { v: 2, started, trades: bar.trades } });
      },
      onEvent(e) {
        if (e.kind === 'program-flow') ctx.emit({ symbol: e.symbol, kind: 'BUY', details: { v: 2, net: e.netAmount } });
      },
    };
  },
});
`;

const broken = `import { defineStrategy } from 'krx-signals/sdk';\nexport default defineStrategy({ id: 'broken', version: '1.0.0',, });\n`;

const silent = () => createLogger({ level: 'warn', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

interface LogLine {
  msg: string;
  [k: string]: unknown;
}

describe('hot reload', () => {
  it('replaces the changed strategy on the open socket, rejects a broken file, and a replay reproduces the session byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-reload-'));
    const folder = join(dir, 'strategies');
    mkdirSync(folder);
    writeFileSync(join(folder, 'mine.ts'), mineV1);
    const clock = createVirtualClock(START);
    const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
    const withStrategies = (strategies: Config['strategies']): Config => ({ ...base, strategies });
    let current = withStrategies([...base.strategies, { id: 'mine', enabled: true, params: {} }]);
    const lines: LogLine[] = [];
    const log = createLogger({ level: 'info', clock, destination: new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c)) as LogLine), cb()) }) });
    const daemon = await startDaemon({ config: current, log, clock, version: 'test', rereadConfig: () => current });
    daemon.simulator!.faults.setIndicativePerHour(200_000);
    const run = async (seconds: number): Promise<void> => {
      for (let i = 0; i < seconds; i++) {
        await clock.tickAsync(1_000);
        await turns(30);
      }
    };
    await run(60);
    const pairsBefore = daemon.connection.subscriptions.wantedCount;

    // v2 of mine (new needs: 0A and 10 s bars) and a broken new file.
    writeFileSync(join(folder, 'mine.ts'), mineV2);
    writeFileSync(join(folder, 'broken.ts'), broken);
    const first = await daemon.reload('test');
    expect(first.started).toEqual(['mine']);
    expect(first.stopped).toEqual(['mine']);
    expect([...first.unchanged].sort()).toEqual(base.strategies.filter((s) => s.enabled).map((s) => s.id).sort());
    expect(first.rejected).toEqual([expect.objectContaining({ file: join(folder, 'broken.ts'), line: 2 })]);
    const rejectedLine = lines.find((l) => l.code === 'E_STRATEGY_RELOAD_REJECTED');
    expect(rejectedLine?.msg).toContain(`${join(folder, 'broken.ts')}:2`);
    await run(5);
    // The 0w pairs of every item were REGistered on the same socket (before the next ranking poll moves the universe).
    expect(daemon.connection.subscriptions.wantedCount).toBe(pairsBefore + daemon.connection.subscriptions.wantedItems().length);
    expect(daemon.connection.subscriptions.ackedCount).toBe(daemon.connection.subscriptions.wantedCount);
    await run(55);

    // A broken new version of mine is rejected: v2 keeps running. Then a params change of a built-in.
    writeFileSync(join(folder, 'mine.ts'), mineV2.replace("version: '2.0.0',", "version: '3.0.0', needs: ,"));
    const second = await daemon.reload('test');
    expect(second.at).toBeNull();
    expect(second.rejected).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'mine', file: join(folder, 'mine.ts') })]));
    expect(daemon.kernel.strategyStats().find((s) => s.id === 'mine')).toMatchObject({ version: '2.0.0', state: 'running' });
    current = withStrategies([...base.strategies.map((s) => (s.id === 'indicative-deviation' ? { ...s, params: { ...s.params, thresholdPct: 0.5 } } : s)), { id: 'mine', enabled: true, params: { every: 3 } }]);
    writeFileSync(join(folder, 'mine.ts'), mineV2);
    const third = await daemon.reload('test');
    expect([...third.started].sort()).toEqual(['indicative-deviation', 'mine']);
    await run(40);

    // Counted: 4 rejections (broken.ts three times, mine.ts once), 2 reloads applied, 1 with nothing to apply.
    const metrics = daemon.observability.metrics.render();
    expect(metrics).toContain('krx_strategy_reload_rejections_total 4');
    expect(metrics).toContain('krx_strategy_reloads_total{outcome="applied"} 2');
    expect(metrics).toContain('krx_strategy_reloads_total{outcome="unchanged"} 1');
    const status = daemon.connection.status();
    const recordingFile = daemon.recording!.file;
    await daemon.stop('recorded enough');
    expect(status.reconnects).toBe(0);
    const live = jsonl(join(dir, 'signals.db'), daemon.sessionId);
    const rows = live.trim().split('\n').map((l) => JSON.parse(l) as { strategy: string; strategyVersion: string; tsRecv: number });
    const mine = rows.filter((r) => r.strategy === 'mine');
    expect(mine.some((r) => r.strategyVersion === '1.0.0')).toBe(true);
    const v2 = mine.filter((r) => r.strategyVersion === '2.0.0');
    expect(v2.length).toBeGreaterThan(0);
    expect(mine.some((r) => r.strategyVersion === '2.0.0' && (r as { kind?: string }).kind === 'BUY')).toBe(true); // 0w reached it
    // The new version's signals only after its onStart; the old one's none after its onStop.
    expect(v2.every((r) => r.tsRecv >= first.at!)).toBe(true);
    expect(mine.filter((r) => r.strategyVersion === '1.0.0').every((r) => r.tsRecv <= first.at!)).toBe(true);

    // The folder holds yet another version by now: the replay runs the recorded code, twice the same bytes.
    writeFileSync(join(folder, 'mine.ts'), mineV1.replace("version: '1.0.0'", "version: '9.0.0'"));
    rmSync(join(folder, 'broken.ts'));
    const replayed = await runReplay({ file: recordingFile, config: base, strategiesFromConfig: false, dbFile: join(dir, 'replay-1.db'), speed: 'max', log: quiet() });
    await runReplay({ file: recordingFile, config: base, strategiesFromConfig: false, dbFile: join(dir, 'replay-2.db'), speed: 'max', log: silent() });
    expect(replayed.divergences).toBe(0);
    const a = jsonl(join(dir, 'replay-1.db'));
    expect(jsonl(join(dir, 'replay-2.db'))).toBe(a);
    expect(a).toBe(live);
  }, 120_000);

  it('a strategy needing what takes a restart (the item-less 1h VI registration) is rejected; the rest applies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-reload-restart-'));
    const clock = createVirtualClock(START);
    const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
    let current: Config = { ...base, recording: { ...base.recording, enabled: false }, strategies: [{ id: 'template', enabled: true, params: {} }] };
    const daemon = await startDaemon({ config: current, log: silent(), clock, version: 'test', rereadConfig: () => current });
    try {
      await clock.tickAsync(1_000);
      current = { ...current, strategies: [{ id: 'vi-release', enabled: true, params: {} }, { id: 'program-surge', enabled: true, params: {} }] };
      const outcome = await daemon.reload('test');
      expect(outcome.rejected).toEqual([{ id: 'vi-release', message: expect.stringContaining('item-less 1h registration, which this run does not have: restart') }]);
      expect(outcome.started).toEqual(['program-surge']);
      expect(outcome.stopped).toEqual(['template']);
      expect(daemon.kernel.strategyStats().map((s) => s.id)).toEqual(['program-surge']);
    } finally {
      await daemon.stop('done');
    }
  }, 60_000);

  it('strategiesWatch: a saved file reloads once the folder is quiet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-reload-watch-'));
    const folder = join(dir, 'strategies');
    mkdirSync(folder);
    writeFileSync(join(folder, 'mine.ts'), mineV1);
    const clock = createVirtualClock(START);
    const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
    const config: Config = { ...base, strategiesWatch: true, recording: { ...base.recording, enabled: false }, strategies: [{ id: 'mine', enabled: true, params: {} }] };
    const daemon = await startDaemon({ config, log: silent(), clock, version: 'test' });
    try {
      await clock.tickAsync(1_000);
      writeFileSync(join(folder, 'mine.ts'), mineV2);
      // The file system's notice comes in real time; the settling wait is on the daemon's clock.
      const deadline = performance.now() + 10_000;
      while (daemon.reloader.stats().last === null && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        await clock.tickAsync(100);
      }
      expect(daemon.reloader.stats().reloads.applied).toBe(1);
      expect(daemon.reloader.stats().last?.trigger).toBe('watch');
      expect(daemon.kernel.strategyStats().map((s) => [s.id, s.version])).toEqual([['mine', '2.0.0']]);
    } finally {
      await daemon.stop('done');
    }
  }, 60_000);
});
