import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { openSignalStore } from '../../../src/adapters/store/index.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Signal } from '../../../src/core/signal.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { runCli } from '../../support/cli.js';
import { FIXTURE_DIR, FIXTURES } from '../../support/record-fixtures.js';

const quiet = () => createLogger({ level: 'warn', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe('the report of a replay equals the report of the live run it replays', () => {
  for (const spec of FIXTURES) {
    it(spec.name, async () => {
      // A data dir as the live run left it: its recording and its signals (the golden ones).
      const dir = mkdtempSync(join(tmpdir(), 'krx-report-replay-'));
      mkdirSync(join(dir, 'recordings'));
      const recording = join(dir, 'recordings', `${spec.name}.rec.db`);
      writeFileSync(recording, gunzipSync(readFileSync(join(FIXTURE_DIR, `${spec.name}.rec.db.gz`))));
      const reader = openRecordingReader(recording);
      const sessionId = reader.meta.sessionId;
      reader.close();
      const store = openSignalStore({ file: join(dir, 'signals.db'), clock: createVirtualClock(0), queueLimit: 100_000, schedule: () => undefined });
      const golden = readFileSync(join(FIXTURE_DIR, `${spec.name}.signals.jsonl`), 'utf8').trim().split('\n');
      for (const line of golden) store.write(JSON.parse(line) as Signal);
      store.flush();
      store.close();

      const replayDb = join(dir, 'replays', `${sessionId}.db`);
      mkdirSync(join(dir, 'replays'));
      const config = loadConfig({ env: { KRX_DATA_DIR: dir }, cwd: dir });
      await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: replayDb, speed: 'max', log: quiet() });

      const args = ['--format', 'json', '--horizons', '10s,30s,1m,5m'];
      const live = await runCli(['report', join(dir, 'signals.db'), ...args]);
      const replay = await runCli(['report', replayDb, ...args]);
      expect(live.code).toBe(0);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toBe(live.stdout);
      expect(replay.stderr).toBe(live.stderr);

      // Not an empty agreement: most signals have returns, and the 5m horizon runs past the recording.
      const r = JSON.parse(live.stdout) as { signals: Array<{ horizons: Record<string, { ret: number | null; cut: string | null }> }> };
      expect(r.signals.length).toBe(golden.length);
      const with30s = r.signals.filter((s) => s.horizons['30s']!.ret !== null).length;
      expect(with30s).toBeGreaterThan(golden.length / 2);
      expect(r.signals.every((s) => s.horizons['5m']!.cut === 'eof')).toBe(true);
      // And from the recording itself (finding the live DB beside its folder).
      const fromRecording = await runCli(['report', recording, ...args]);
      expect(fromRecording.stdout).toBe(live.stdout);
    }, 60_000);
  }
});
