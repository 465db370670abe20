import { describe, expect, it } from 'vitest';
import { runTestFileUnderTz } from '../../support/run-under-tz.js';

/**
 * The day and week walks again in child processes started with TZ=UTC and TZ=Asia/Seoul (a zone
 * cannot be changed reliably inside a running Node process): every instant is KST whatever the host.
 */

const runWalk = (tz: string) => runTestFileUnderTz('test/integration/sessions/day-walk.test.ts', tz, 'KRX_WALK_TZ');

describe('the session walks are independent of the host time zone', () => {
  for (const tz of ['UTC', 'Asia/Seoul']) {
    it(`passes under TZ=${tz}`, async () => {
      const { code, out } = await runWalk(tz);
      expect(code, out).toBe(0);
      expect(out).toMatch(/Tests\s+4 passed/);
    }, 240_000);
  }
});
