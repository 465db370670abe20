import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_REJECT_FORMS } from '../../../src/sim/index.js';
import { startRealtimeHarness, type RealtimeHarness } from '../../support/realtime-harness.js';
import { drive, kiwoomStack, startSim } from './support.js';

const closers: (() => Promise<void>)[] = [];
let h: RealtimeHarness | undefined;
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await h?.close();
  h = undefined;
});

/**
 * Token expiry in every form the real broker is known to use (protocol.md §10.5): HTTP 401, numeric
 * return_code 8005/8031/8103, the bracketed [8005:...] with return_code 3, and the LOGIN CODE= text.
 * Each through the REST client and through the WebSocket LOGIN; the simulator's counters prove one
 * re-issuance and one retry.
 */
describe('token expiry in every form', () => {
  for (const form of TOKEN_REJECT_FORMS) {
    it(`REST (${form}): one re-issuance, one retry`, async () => {
      const { sim, clock } = await startSim({ tokenRejectForm: form });
      const k = kiwoomStack(sim, clock);
      closers.push(async () => {
        await k.close();
        await sim.close();
      });
      await k.api.ka10001({ stk_cd: '005930' });
      expect(sim.faults.expireTokens('kiwoom')).toBe(1);
      const r = await drive(clock, k.api.ka10001({ stk_cd: '005930' }));
      expect(r.data.stk_cd).toBe('005930');
      const c = sim.faults.counters();
      expect(c.token8005).toBe(1); // the refused try
      expect(c.tokenIssuances.kiwoom).toBe(2); // the first token and exactly one re-issuance
      expect(c.requestsByApiId['ka10001']).toBe(3); // first call, the refused try, exactly one retry
    });

    it(`WebSocket LOGIN (${form}): one re-issuance, one retry`, async () => {
      h = await startRealtimeHarness({ seed: `login-${form}`, sim: { tokenRejectForm: form } });
      h.conn.start();
      await h.settled();
      h.sim.faults.expireTokens('kiwoom');
      h.sim.faults.dropConnections('terminate');
      await h.waitOutBackoff();
      await h.until(() => h!.sim.faults.counters().loginFailures === 1, 'LOGIN refused');
      await h.until(() => h!.conn.status().phase === 'backoff', 'backoff after the refused LOGIN');
      expect(h.conn.status().lastError?.code).toBe('E_AUTH_TOKEN');
      await h.waitOutBackoff();
      await h.settled();
      const c = h.sim.faults.counters();
      expect(c.loginFailures).toBe(1);
      expect(c.tokenIssuances.kiwoom).toBe(2);
      expect(c.logins).toBe(2); // the first session and exactly one retry after the refusal
      expect(c.connectionsOpened).toBe(3);
    });
  }
});
