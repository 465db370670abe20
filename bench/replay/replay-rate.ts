import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openRecordingReader } from '../../src/adapters/recording/index.js';
import { startDaemon } from '../../src/app/daemon.js';
import { runReplay } from '../../src/app/replay/run-replay.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { createLogger } from '../../src/observability/logger.js';

export interface ReplayRateResult {
  readonly events: number;
  readonly signals: number;
  readonly rows: number;
  readonly eventsPerSecond: number;
  /** JSON.parse of the same recorded frames, in entries per second. */
  readonly jsonParseEntriesPerSecond: number;
  readonly ratio: number;
  readonly sessionSeconds: number;
}

const silent = (): ReturnType<typeof createLogger> =>
  createLogger({ level: 'silent', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/**
 * Records a simulator session with the real daemon on a virtual clock (the market at `tradesPerSecond`),
 * then replays it at max speed with the example strategies, beside JSON.parse of the same frames.
 */
export async function benchReplayRate(options: { sessionSeconds?: number; tradesPerSecond?: number } = {}): Promise<ReplayRateResult> {
  const sessionSeconds = options.sessionSeconds ?? 60;
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-replay-'));
  try {
    const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
    const config = { ...base, sim: { ...base.sim, tradesPerSecond: options.tradesPerSecond ?? 2_000 } } as Config;
    const clock = createVirtualClock(Date.UTC(2026, 10, 20, 0, 0, 0));
    const daemon = await startDaemon({ config, log: silent(), clock, version: 'bench' });
    for (let s = 0; s < sessionSeconds; s++) {
      await clock.tickAsync(1_000);
      for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const file = daemon.recording!.file;
    await daemon.stop('bench recorded');

    const frames: string[] = [];
    const reader = openRecordingReader(file);
    for (const f of reader.frames()) if (f.kind === 'ws.in') frames.push(f.data);
    reader.close();
    let entries = 0;
    const t0 = performance.now();
    for (const text of frames) {
      const parsed = JSON.parse(text) as { data?: unknown[] };
      entries += Array.isArray(parsed.data) ? parsed.data.length : 0;
    }
    const parseMs = performance.now() - t0;

    const summary = await runReplay({ file, config, strategiesFromConfig: false, dbFile: join(dir, 'replay.db'), speed: 'max', log: silent() });
    const jsonParseEntriesPerSecond = (entries / parseMs) * 1000;
    return {
      events: summary.events,
      signals: summary.signals,
      rows: summary.rows,
      eventsPerSecond: summary.eventsPerSecond,
      jsonParseEntriesPerSecond,
      ratio: summary.eventsPerSecond / jsonParseEntriesPerSecond,
      sessionSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
