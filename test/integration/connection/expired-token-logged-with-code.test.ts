import { afterEach, describe, expect, it } from 'vitest';
import { createManagedTokenSource } from '../../../src/app/token-source.js';
import type { TokenIssuer } from '../../../src/core/ports/token-issuer.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { TOKEN_REJECT_FORMS } from '../../../src/sim/index.js';
import { startRealtimeHarness, type LogLine, type RealtimeHarness } from '../../support/realtime-harness.js';

let h: RealtimeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Warn and error lines without a stable code, or with the old catch-all. */
const uncoded = (logs: readonly LogLine[]): LogLine[] =>
  logs.filter((l) => (l.level === 'warn' || l.level === 'error') && (typeof l.fields.code !== 'string' || !l.fields.code.startsWith('E_')));

/**
 * Issue 20 item 14: an expired token was logged as UNKNOWN. Over the simulator's real socket, in every
 * form the broker refuses an expired token, the refused LOGIN is logged with E_AUTH_TOKEN and the
 * broker's own code; the re-issuance and the resubscription follow, with "subscribed N pairs" when
 * the broker has acknowledged them.
 */
describe('the expired token is logged with its code, not UNKNOWN', () => {
  for (const form of TOKEN_REJECT_FORMS) {
    it(`LOGIN refused (${form}): E_AUTH_TOKEN with the broker's code, then "subscribed N pairs"`, async () => {
      h = await startRealtimeHarness({ seed: `expired-log-${form}`, sim: { tokenRejectForm: form } });
      h.conn.start();
      await h.settled();
      const from = h.logs.length;
      h.sim.faults.expireTokens('kiwoom');
      h.sim.faults.dropConnections('terminate');
      await h.waitOutBackoff();
      await h.until(() => h!.sim.faults.counters().loginFailures === 1, 'LOGIN refused');
      await h.waitOutBackoff();
      await h.settled();
      const after = h.logs.slice(from);
      const refused = after.filter((l) => l.fields.event === 'connection.backoff' && l.fields.code === 'E_AUTH_TOKEN');
      expect(refused).toHaveLength(1);
      expect(String(refused[0]!.fields.reason)).toMatch(/LOGIN failed: .*(8005|8031|8103)/);
      expect(uncoded(after)).toEqual([]);
      const live = after.filter((l) => l.fields.event === 'connection.live');
      const wanted = h.conn.subscriptions.wantedCount;
      expect(wanted).toBeGreaterThan(0);
      expect(live.at(-1)).toMatchObject({ msg: `subscribed ${wanted} pairs`, fields: { pairs: wanted, wanted } });
    });
  }

  it('an issuer failing with an uncoded error is logged with E_INVARIANT, never UNKNOWN', async () => {
    const clock = createVirtualClock(Date.UTC(2026, 10, 20));
    const logs: LogLine[] = [];
    const at = (level: LogLine['level']) => (fields: Record<string, unknown>, msg: string) => void logs.push({ level, fields, msg });
    const issuer: TokenIssuer = { issue: () => Promise.reject(new TypeError('a bug in an issuer')), revoke: async () => {} };
    const src = createManagedTokenSource({ name: 'kiwoom', issuer, clock, random: createRandom(1), log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } });
    const got = src.getToken().catch((err: unknown) => err); // retried on the backoff: the caller keeps waiting
    await clock.tickAsync(10);
    expect(logs.find((l) => l.msg === 'token issuance failed')?.fields).toMatchObject({ broker: 'kiwoom', code: 'E_INVARIANT' });
    expect(src.status().lastError).toEqual({ code: 'E_INVARIANT', message: 'a bug in an issuer' });
    expect(uncoded(logs)).toEqual([]);
    await src.shutdown();
    expect(await got).toMatchObject({ code: 'E_TOKEN_STOPPED' });
  });
});
