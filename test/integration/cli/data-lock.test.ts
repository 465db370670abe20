import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_LOCK_FILE } from '../../../src/app/data-lock.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { repoRoot, runBinary } from '../../support/cli.js';
import { startCli } from './helpers.js';

describe('one daemon per data directory', () => {
  it('a second start on the same dataDir exits 73 with a clear message, before opening anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-datalock-'));
    const defaults = JSON.parse(readFileSync(join(repoRoot, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
    const config = { ...defaults, mode: 'sim', dataDir: join(dir, 'data'), http: { host: '127.0.0.1', port: 0 } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const first = startCli(['start', '--config', join(dir, 'config.json')], {}, dir);
    try {
      await first.firstLine();
      expect(readFileSync(join(dir, 'data', DATA_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
      const second = await runBinary(['start', '--config', join(dir, 'config.json')], {}, dir);
      expect(second.code).toBe(EXIT.dataDirLocked);
      expect(second.code).toBe(73);
      expect(second.stderr).toContain(`in use by another krx-signals daemon (pid ${process.pid}`);
      expect(second.stderr).toContain('[E_DATA_DIR_LOCKED]');
      // It stopped before its logger, simulator or token: nothing on stdout.
      expect(second.stdout).toBe('');
    } finally {
      first.stop();
    }
    expect(await first.done).toBe(EXIT.ok);
    expect(existsSync(join(dir, 'data', DATA_LOCK_FILE))).toBe(false);
  }, 60_000);
});
