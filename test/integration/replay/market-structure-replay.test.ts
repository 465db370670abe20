import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signalsJsonl as jsonl, quietLogger as quiet, turns } from '../../support/signals-jsonl.js';
import { startDaemon } from '../../../src/app/daemon.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import { packageRoot } from '../../../src/config/package-root.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);

describe('record and replay of 0w/0g/0D/1h', () => {
  it('a simulator session with the market-structure strategies replays to exactly its live signals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-structure-'));
    const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
    base.strategies = [
      { id: 'program-momentum', params: {} }, // fills the universe from the ranking
      { id: 'program-surge', params: { minRise: 1, windowMs: 60_000 } },
      { id: 'limit-approach', params: { maxTicks: 1000, thinRatio: 0.99, windowMs: 60_000 } },
      { id: 'vi-release', params: {} },
    ];
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(base));
    const clock = createVirtualClock(START);
    const config = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir, file });
    const daemon = await startDaemon({ config, log: quiet(clock), clock, version: 'test' });
    for (let i = 0; i < 120; i++) {
      await clock.tickAsync(1_000);
      await turns(30);
    }
    const recordingFile = daemon.recording!.file;
    await daemon.stop('recorded enough');
    const live = jsonl(join(dir, 'signals.db'), daemon.sessionId);
    const byStrategy = new Set(live.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { strategy: string }).strategy));
    expect(byStrategy).toContain('program-surge');
    expect(byStrategy).toContain('limit-approach');

    const replay = await runReplay({ file: recordingFile, config, strategiesFromConfig: false, dbFile: join(dir, 'replay.db'), speed: 'max', log: quiet() });
    expect(replay.divergences).toBe(0);
    expect(jsonl(join(dir, 'replay.db'))).toBe(live);
  });
});
