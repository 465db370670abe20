import { describe, expect, it } from 'vitest';
import { runTestFileUnderTz } from '../../support/run-under-tz.js';

/**
 * The five-day soak again, in child processes started with TZ=UTC and TZ=Asia/Seoul. Changing TZ
 * inside a running Node process is unreliable, so each zone gets its own process (its own vitest
 * run of token-soak.test.ts, which asserts that the zone really took effect). The UTC run is the one
 * that catches a KST expiry parsed as local time: the token would be reused 9 h past expiry (8005s).
 */

const runSoak = (tz: string) => runTestFileUnderTz('test/integration/clients/token-soak.test.ts', tz, 'KRX_SOAK_TZ');

describe('token soak is independent of the host time zone', () => {
  for (const tz of ['UTC', 'Asia/Seoul']) {
    it(`passes under TZ=${tz}`, async () => {
      const { code, out } = await runSoak(tz);
      expect(code, out).toBe(0);
      expect(out).toMatch(/Tests\s+2 passed/);
    }, 240_000);
  }
});
