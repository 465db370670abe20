import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The five-day soak again, in child processes started with TZ=UTC and TZ=Asia/Seoul. Changing TZ
 * inside a running Node process is unreliable, so each zone gets its own process (its own vitest
 * run of token-soak.test.ts, which asserts that the zone really took effect). The UTC run is the one
 * that catches a KST expiry parsed as local time: the token would be reused 9 h past expiry (8005s).
 */
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

function runSoak(tz: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitestBin, 'run', 'test/integration/clients/token-soak.test.ts'], {
      env: { ...process.env, TZ: tz, KRX_SOAK_TZ: tz, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('token soak is independent of the host time zone', () => {
  for (const tz of ['UTC', 'Asia/Seoul']) {
    it(`passes under TZ=${tz}`, async () => {
      const { code, out } = await runSoak(tz);
      expect(code, out).toBe(0);
      expect(out).toMatch(/Tests\s+2 passed/);
    }, 240_000);
  }
});
