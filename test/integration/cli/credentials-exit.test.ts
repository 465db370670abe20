import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { startSimulator } from '../../../src/sim/index.js';
import { repoRoot } from '../../support/cli.js';
import { startCli } from './helpers.js';

describe('krx-signals start with credentials the broker keeps rejecting', () => {
  it('one 8001 no longer parks it forever: after tokens.credentialsExitAfterMs it stops and exits 77', async () => {
    const sim = await startSimulator({ seed: 'exit-77' });
    const dir = mkdtempSync(join(tmpdir(), 'krx-exit-77-'));
    try {
      const defaults = JSON.parse(readFileSync(join(repoRoot, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
      const config = {
        ...defaults,
        mode: 'live',
        dataDir: join(dir, 'data'),
        http: { host: '127.0.0.1', port: 0 },
        recording: { enabled: false },
        kis: { enabled: false },
        // Short on purpose: the defaults are a minute doubling to 15 min, and an hour before giving up.
        tokens: { credentialsRetryBaseMs: 100, credentialsRetryCapMs: 200, credentialsExitAfterMs: 500 },
      };
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      const cli = startCli(['start', '--config', join(dir, 'config.json')], {
        KIWOOM_APPKEY: 'NOT-A-KEY-THE-SIMULATOR-KNOWS-000000000000',
        KIWOOM_SECRETKEY: 'NOT-A-SECRET-THE-SIMULATOR-KNOWS-0000000000',
        KIWOOM_REST_URL: sim.url,
        KIWOOM_WS_URL: sim.wsUrl,
      }, dir);
      const code = await cli.done;
      expect(code).toBe(EXIT.credentials);
      expect(code).toBe(77);
      expect(cli.stdout()).toContain('"code":"E_AUTH_GAVE_UP"');
      expect(cli.stdout()).toContain('"event":"daemon.stopped"');
      expect(cli.stdout()).not.toContain('NOT-A-SECRET-THE-SIMULATOR-KNOWS');
    } finally {
      await sim.close();
    }
  });
});
