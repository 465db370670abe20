import { rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { openSignalDatabaseReadOnly, querySignals } from '../../src/adapters/store/index.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY } from '../../src/sim/index.js';
import { watchDegraded } from '../../src/cli/daemon-degraded.js';
import { runFor, startDaemonOnSim, type DaemonOnSim } from './daemon-on-sim.js';
import { join } from 'node:path';

const MIN = 60_000;
const MB = 1_048_576;
/** Friday 2026-11-20 09:00 KST. */
const OPEN = Date.UTC(2026, 10, 20, 0, 0, 0);
const KIWOOM = { KIWOOM_APPKEY: SIM_KIWOOM_APPKEY, KIWOOM_SECRETKEY: SIM_KIWOOM_SECRETKEY };
/** The recorder's pending bytes are bounded at 64 MiB (its default) and sheds beyond. */
const RECORDER_BOUND = 64 * MB;

/** RSS after a full collection, and what the heap and buffers hold (the garbage's sawtooth left out). */
function memory(): { rss: number; held: number } {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const m = process.memoryUsage();
  return { rss: m.rss, held: m.heapUsed + m.external };
}

let run: DaemonOnSim | undefined;
afterEach(async () => {
  await run?.daemon.stop('test over');
  await run?.sim.close();
  if (run) rmSync(run.dataDir, { recursive: true, force: true });
  run = undefined;
});

/**
 * Issue 20 item 5 / "Must hold": a full disk under a fast feed. Both SQLite files (the signal store and
 * the recording) stop growing (SQLITE_FULL, by PRAGMA max_page_count on their writing connections)
 * while the simulator streams 3,000 trades a second: memory stays bounded (the recorder sheds by
 * bytes, the store queues signals), both failures are logged with their codes and counted, /healthz
 * says degraded, nothing throws, the daemon stays live; when space returns every signal is written.
 */
describe('a full disk under a fast feed', () => {
  it('bounded RSS, E_STORE_WRITE and E_RECORDING_SHED logged and counted, degraded health, then every signal written', { timeout: 300_000 }, async () => {
    let unhandled = 0;
    const onUnhandled = (): void => void unhandled++;
    process.on('unhandledRejection', onUnhandled);
    const clock = createVirtualClock(OPEN - MIN);
    const lines: Array<Record<string, unknown>> = [];
    run = await startDaemonOnSim({
      clock,
      sim: { seed: 'full-disk', tradesPerSecond: 3_000 },
      fileConfig: { calendar: { kind: 'always-open' }, kis: { enabled: false }, kiwoom: { requestTimeoutMs: 120_000 } },
      credentials: KIWOOM,
      onLine: (raw) => lines.push(JSON.parse(raw) as Record<string, unknown>),
    });
    const { daemon } = run;
    // What `start` serves on /healthz and /metrics: the daemon's verdict with the degraded parts.
    const degraded = watchDegraded(daemon, run.config, clock);
    degraded.monitor.register(daemon.observability.metrics);
    const healthz = () => degraded.monitor.apply(daemon.observability.health());
    const recording = daemon.recording!;
    const store = daemon.store;
    const signalsLogged = (): string[] => lines.filter((l) => l.event === 'signal').map((l) => l.id as string);
    const codes = (code: string): Array<Record<string, unknown>> => lines.filter((l) => l.code === code);

    await runFor(clock, 2 * MIN, 1_000, 5);
    expect(daemon.connection.status().phase).toBe('live');
    expect(store.stats().writeErrors).toBe(0);
    const framesBefore = daemon.connection.stats.frames;

    // The disk fills: neither file may grow by one page.
    store.database.pragma('max_page_count = 1');
    recording.limitGrowth(true);
    const signalsBeforeFull = signalsLogged().length;
    const atFull = memory();
    const samples: Array<{ rss: number; held: number }> = [];
    for (let i = 0; i < 8; i++) {
      await runFor(clock, MIN, 1_000, 5);
      samples.push(memory());
      expect(recording.stats().pendingBytes).toBeLessThanOrEqual(RECORDER_BOUND + 4 * MB);
    }
    const frames = daemon.connection.stats.frames - framesBefore;
    const health = healthz();
    const storeStats = store.stats();
    const recStats = recording.stats();
    console.log(
      `full disk, 8 virtual min: ${frames} frames, RSS at full ${(atFull.rss / MB).toFixed(0)} MB (heap+external ${(atFull.held / MB).toFixed(0)}), per minute ${samples.map((m) => `${(m.rss / MB).toFixed(0)} (${(m.held / MB).toFixed(0)})`).join(' ')} MB; ` +
        `recorder pending ${(recStats.pendingBytes / MB).toFixed(1)} MB dropped ${recStats.dropped}; store queued ${storeStats.queued} writeErrors ${storeStats.writeErrors}`,
    );

    // A fast feed: the recorder's byte bound is met and it sheds.
    expect(frames).toBeGreaterThan(10_000);
    expect(recStats).toMatchObject({ shedding: true });
    expect(recStats.dropped).toBeGreaterThan(0);
    expect(recStats.writeErrors).toBeGreaterThan(0);
    expect(codes('E_RECORDING_SHED').length).toBeGreaterThanOrEqual(1);
    expect(codes('E_RECORDING_WRITE').some((l) => l.sqlite === 'SQLITE_FULL')).toBe(true);
    // The store keeps what the strategies emitted, queued, and counts its failed commits.
    const signalsWhileFull = signalsLogged().length - signalsBeforeFull;
    expect(signalsWhileFull).toBeGreaterThan(0);
    expect(storeStats.queued).toBeGreaterThanOrEqual(signalsWhileFull);
    expect(storeStats.writeErrors).toBeGreaterThan(0);
    expect(storeStats.dropped).toBe(0);
    expect(codes('E_STORE_WRITE').some((l) => l.sqlite === 'SQLITE_FULL')).toBe(true);
    const metrics = daemon.observability.metrics.render();
    expect(metrics).toMatch(/krx_store_write_errors_total [1-9]/);
    expect(metrics).toMatch(/krx_recording_dropped_frames_total [1-9]/);
    expect(metrics).toMatch(/krx_degraded\{part="store"\} 1/);
    expect(metrics).toMatch(/krx_degraded\{part="recorder"\} 1/);
    expect(health.degraded?.join(' ')).toMatch(/E_STORE_WRITE/);
    expect(health.degraded?.join(' ')).toMatch(/E_RECORDING_SHED/);
    // Memory is bounded: the recorder's buffer fills to its byte bound, then the last minutes add little.
    expect(Math.max(...samples.map((m) => m.rss)) - atFull.rss).toBeLessThan(RECORDER_BOUND + 48 * MB);
    // After minute 3 the heap and buffers grow by tens of MB at most (the store's queue of signals waiting for
    // space, the recorder's last chunks before it sheds; 22.9 MB seen once with the whole suite beside it), where
    // an unbounded buffer of the feed would add ~470 MB over these 4 minutes (3,000 frames/s of ~650 B).
    expect(Math.max(...samples.slice(4).map((m) => m.held)) - samples[3]!.held).toBeLessThan(40 * MB);
    // Nothing thrown, still running.
    expect(unhandled).toBe(0);
    expect(daemon.connection.status().phase).toBe('live');

    // Space returns: the store drains its queue, the recorder writes again.
    store.database.pragma('max_page_count = 1073741823');
    recording.limitGrowth(false);
    await runFor(clock, 2 * MIN, 1_000, 5);
    const given = signalsLogged();
    expect(store.stats()).toMatchObject({ queued: 0, dropped: 0 });
    expect(recording.stats().shedding).toBe(false);
    expect(healthz().reasons.join(' ')).not.toMatch(/E_STORE_WRITE|E_RECORDING/);
    degraded.stop();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toBe(0);
    await daemon.stop('test over');
    const db = openSignalDatabaseReadOnly(join(run.dataDir, run.config.store.file));
    const rows = querySignals(db, {}).map((s) => s.id);
    db.close();
    expect(new Set(rows)).toEqual(new Set(given));
    expect(rows).toHaveLength(given.length);
  });
});
