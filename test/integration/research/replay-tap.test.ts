import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMarketCollector, readRecordedMarket } from '../../../src/research/recorded-market.js';
import { FIXTURE_DIR, FIXTURES } from '../../support/record-fixtures.js';

const quiet = () => createLogger({ level: 'silent', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/**
 * A sweep reads each recording once: its report takes the trades from the replay's own decode (a tap).
 * That market must be the one the report reads from the file, to the last trade and feed gap, and the
 * tap must not change what the replay does.
 */
describe('the replay tap collects the market the report reads from the file', () => {
  for (const spec of FIXTURES) {
    it(spec.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'krx-replay-tap-'));
      const recording = join(dir, `${spec.name}.rec.db`);
      writeFileSync(recording, gunzipSync(readFileSync(join(FIXTURE_DIR, `${spec.name}.rec.db.gz`))));
      const reader = openRecordingReader(recording);
      const meta = reader.meta;
      reader.close();
      const config = loadConfig({ env: { KRX_DATA_DIR: dir }, cwd: dir });

      const tap = createMarketCollector();
      const tapped = await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: join(dir, 'tapped.db'), speed: 'max', log: quiet(), tap, inflateAhead: false });
      const plain = await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: join(dir, 'plain.db'), speed: 'max', log: quiet() });
      const { wallMs: _a, eventsPerSecond: _b, dbFile: _c, ...same } = tapped;
      const { wallMs: _d, eventsPerSecond: _e, dbFile: _f, ...expected } = plain;
      expect(same).toEqual(expected);

      const collected = tap.finish(recording);
      expect(collected.meta).toEqual(meta);
      const read = readRecordedMarket(recording);
      expect(collected.trades.size).toBeGreaterThan(3);
      expect([...collected.trades.keys()].sort()).toEqual([...read.trades.keys()].sort());
      for (const [key, series] of read.trades) expect(collected.trades.get(key), key).toEqual(series);
      expect(collected.feedGaps).toEqual(read.feedGaps);
      expect(collected.dataEnd).toBe(read.dataEnd);
      if (spec.faults) expect(read.feedGaps.length).toBeGreaterThan(0);
    }, 60_000);
  }
});
