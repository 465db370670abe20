import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openRecordingReader } from '../../src/adapters/recording/index.js';
import { startDaemon } from '../../src/app/daemon.js';
import { runReplay, type ReplaySummary } from '../../src/app/replay/run-replay.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { createLogger } from '../../src/observability/logger.js';
import { median } from '../stats.js';

export interface ReplayRateResult {
  readonly events: number;
  readonly signals: number;
  readonly rows: number;
  /** Medians over the rounds. */
  readonly eventsPerSecond: number;
  /** JSON.parse of the same recorded frames, in entries per second. */
  readonly jsonParseEntriesPerSecond: number;
  /** The median of the rounds' ratios (each replay beside the JSON.parse pass just before it). */
  readonly ratio: number;
  readonly ratios: readonly number[];
  /**
   * The same ratio in CPU time of the whole process (inflate threads included): events per CPU second
   * over JSON.parse entries per CPU second, median of the rounds. It moves less with the machine's load.
   */
  readonly cpuRatio: number;
  readonly rounds: number;
  readonly sessionSeconds: number;
  /** 1-minute load average before and after the rounds. */
  readonly load: readonly [number, number];
}

const silent = (): ReturnType<typeof createLogger> =>
  createLogger({ level: 'silent', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

const cpuSeconds = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number => (to.user - from.user + to.system - from.system) / 1e6;

function entriesOf(frames: readonly string[]): number {
  let n = 0;
  for (const text of frames) {
    const parsed = JSON.parse(text) as { data?: unknown[] };
    n += Array.isArray(parsed.data) ? parsed.data.length : 0;
  }
  return n;
}

/** JSON.parse of every frame, in entries (the `data` array's elements) per second. */
export function jsonParseRate(frames: readonly string[]): number {
  let entries = 0;
  const t0 = performance.now();
  for (const text of frames) {
    const parsed = JSON.parse(text) as { data?: unknown[] };
    entries += Array.isArray(parsed.data) ? parsed.data.length : 0;
  }
  return (entries / (performance.now() - t0)) * 1000;
}

/**
 * Records a simulator session with the real daemon on a virtual clock (the market at `tradesPerSecond`),
 * then replays it at max speed with the example strategies, beside JSON.parse of the same frames.
 */
export async function benchReplayRate(options: { sessionSeconds?: number; tradesPerSecond?: number; rounds?: number } = {}): Promise<ReplayRateResult> {
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
    const rounds = options.rounds ?? 3;
    const loadBefore = loadavg()[0] ?? 0;
    // Paired rounds: a JSON.parse pass, then a full replay (a fresh output database each), so the
    // machine's load moves both figures of a round alike; the row gives the median ratio.
    const parseRates: number[] = [];
    const replayRates: number[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    let last: ReplaySummary | undefined;
    const entries = entriesOf(frames);
    for (let round = 0; round < rounds; round++) {
      const c0 = process.cpuUsage();
      const parse = jsonParseRate(frames);
      const c1 = process.cpuUsage();
      const summary = await runReplay({ file, config, strategiesFromConfig: false, dbFile: join(dir, `replay-${round}.db`), speed: 'max', log: silent() });
      const c2 = process.cpuUsage();
      cpuRatios.push((cpuSeconds(c0, c1) / cpuSeconds(c1, c2)) * (summary.events / entries));
      parseRates.push(parse);
      replayRates.push(summary.eventsPerSecond);
      ratios.push(summary.eventsPerSecond / parse);
      if (last !== undefined && (last.events !== summary.events || last.signals !== summary.signals)) throw new Error('replay rounds disagree');
      last = summary;
    }
    return {
      events: last?.events ?? 0,
      signals: last?.signals ?? 0,
      rows: last?.rows ?? 0,
      eventsPerSecond: median(replayRates),
      jsonParseEntriesPerSecond: median(parseRates),
      ratio: median(ratios),
      ratios,
      cpuRatio: median(cpuRatios),
      rounds,
      sessionSeconds,
      load: [loadBefore, loadavg()[0] ?? 0],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
