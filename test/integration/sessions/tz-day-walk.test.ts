import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The day and week walks again in child processes started with TZ=UTC and TZ=Asia/Seoul (a zone
 * cannot be changed reliably inside a running Node process): every instant is KST whatever the host.
 */
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

function runWalk(tz: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitestBin, 'run', 'test/integration/sessions/day-walk.test.ts'], {
      env: { ...process.env, TZ: tz, KRX_WALK_TZ: tz, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the session walks are independent of the host time zone', () => {
  for (const tz of ['UTC', 'Asia/Seoul']) {
    it(`passes under TZ=${tz}`, async () => {
      const { code, out } = await runWalk(tz);
      expect(code, out).toBe(0);
      expect(out).toMatch(/Tests\s+3 passed/);
    }, 240_000);
  }
});
