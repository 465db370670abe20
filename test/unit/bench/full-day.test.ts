import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDay, dayConfig } from '../../../bench/replay/full-day.js';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'krx-day-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = () => createLogger({ level: 'silent', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

// A short day (08:00-09:10: NXT then the regular session) at low rates: the assembly, not its speed.
describe('the synthetic full-day recording', () => {
  it('replays every generated trade as an event of a subscribed symbol, with the polls answered all day', async () => {
    const day = await buildDay(dir, { minutes: 70, regularRate: 20, nxtRate: 5 });
    expect(day.symbols).toBe(200);
    // About 5/s for 60 min and 20/s for 10 min (Poisson: within 10 %).
    expect(day.wsFrames).toBeGreaterThan(0.9 * (5 * 3600 + 20 * 600));
    expect(day.wsFrames).toBeLessThan(1.1 * (5 * 3600 + 20 * 600) + 2_000);
    const reader = openRecordingReader(day.file);
    expect(reader.meta.start).toBe(day.startMs);
    expect(reader.meta.end).toBe(day.endMs);
    reader.close();
    const config = dayConfig(dir);
    const summary = await runReplay({ file: day.file, config, strategiesFromConfig: false, dbFile: join(dir, 'replay.db'), speed: 'max', log: silent() });
    expect(summary.divergences).toBe(0);
    expect(summary.decodeErrors).toBe(0);
    expect(summary.unregisteredEntries).toBe(0);
    // Each generated frame is one trade; the header's own frames add their entries.
    expect(summary.events).toBeGreaterThanOrEqual(day.wsFrames);
    expect(summary.sessionMs).toBe(day.endMs - day.startMs);
    expect(day.restFrames).toBeGreaterThan(2 * 70 * 2); // rankings every 30 s, both markets
  }, 240_000);
});
