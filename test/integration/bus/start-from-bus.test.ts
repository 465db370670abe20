import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/command.js';
import { main } from '../../../src/cli/main.js';
import { packageRoot } from '../../../src/config/package-root.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';

warnIfNoRedis('bus tests in test/integration/bus/start-from-bus.test.ts');

function configFile(dataDir: string, extra: Record<string, unknown>): string {
  const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
  const file = join(dataDir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...base, dataDir, http: { host: '127.0.0.1', port: 0 }, ...extra }));
  return file;
}

describe('krx-signals start --from-bus', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-from-bus-'));
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (hasRedis) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without bus.redis.url: a usage error naming the setting, nothing started', async () => {
    let stderr = '';
    let stdout = '';
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {}, cwd: dataDir };
    const code = await main(['start', '--from-bus', '--no-pretty', '--config', configFile(dataDir, {})], io);
    expect(code).toBe(2);
    expect(stderr + stdout).toContain('bus.redis.url');
  });

  it.skipIf(!hasRedis)('runs the strategy host on the bus with health on HTTP, and stops on the signal', async () => {
    let stdout = '';
    let stderr = '';
    const stop = new AbortController();
    const io: CliIo = {
      stdout: {
        write: (t: string) => {
          stdout += t;
          if (t.includes('"event":"daemon.started"')) stop.abort('SIGTERM');
          return true;
        },
      },
      stderr: { write: (t: string) => (stderr += t) },
      env: { KRX_BUS_REDIS_URL: redis?.url },
      cwd: dataDir,
      stopSignal: stop.signal,
    };
    const code = await main(['start', '--from-bus', '--no-pretty', '--config', configFile(dataDir, {})], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('strategy host started on the bus');
    expect(stdout).toMatch(/"event":"daemon.stopped"/);
    expect(stdout).not.toContain('"event":"token'); // no broker: no token issued
  });
});
