import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatSignals, openSignalDatabaseReadOnly, querySignals } from '../../../src/adapters/store/index.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { FIXTURE_DIR, FIXTURES } from '../../support/record-fixtures.js';

const quiet = () => createLogger({ level: 'warn', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe('recorded fixture sessions replay to their golden signals', () => {
  for (const spec of FIXTURES) {
    it(spec.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'krx-fixture-replay-'));
      const recording = join(dir, `${spec.name}.rec.db`);
      writeFileSync(recording, gunzipSync(readFileSync(join(FIXTURE_DIR, `${spec.name}.rec.db.gz`))));
      const golden = readFileSync(join(FIXTURE_DIR, `${spec.name}.signals.jsonl`), 'utf8');
      const config = loadConfig({ env: { KRX_DATA_DIR: dir }, cwd: dir });
      const summary = await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: join(dir, 'out.db'), speed: 'max', log: quiet() });
      const db = openSignalDatabaseReadOnly(join(dir, 'out.db'));
      const out = formatSignals(querySignals(db, {}), 'jsonl');
      db.close();
      expect(summary.divergences).toBe(0);
      expect(golden.length).toBeGreaterThan(0);
      expect(out).toBe(golden);
    });
  }
});
