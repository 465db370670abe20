import { afterEach, describe, expect, it } from 'vitest';
import { kiwoomToken, post, startTestSim, tr, TestWs, trnm, type TestSim } from './helpers.js';

const STKINFO = '/api/dostk/stkinfo';
const SAMSUNG = { stk_cd: '005930' };

let t: TestSim | undefined;
const sockets: TestWs[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await t?.sim.close();
  t = undefined;
});

async function login(sim: TestSim['sim'], token: string): Promise<Record<string, unknown>> {
  const c = new TestWs(sim.wsUrl);
  sockets.push(c);
  await c.open();
  c.send({ trnm: 'LOGIN', token });
  return c.next(trnm('LOGIN'));
}

describe('sim: one live token per app key (protocol.md §10.7)', () => {
  it('issuing a new token invalidates the previous one: REST -> 8005, LOGIN -> CODE=8005', async () => {
    t = await startTestSim({ kiwoomRatePerSecond: 1000 });
    const first = await kiwoomToken(t.sim);
    expect((await tr(t.sim, STKINFO, 'ka10001', SAMSUNG, first)).json.return_code).toBe(0);
    const second = await kiwoomToken(t.sim);
    expect(second).not.toBe(first);
    const old = await tr(t.sim, STKINFO, 'ka10001', SAMSUNG, first);
    expect(old.json).toMatchObject({ return_code: 3 });
    expect(old.json.return_msg).toMatch(/\[8005:/);
    expect((await tr(t.sim, STKINFO, 'ka10001', SAMSUNG, second)).json.return_code).toBe(0);
    const refused = await login(t.sim, first);
    expect(refused.return_code).not.toBe(0);
    expect(refused.return_msg).toMatch(/CODE=8005/);
    expect((await login(t.sim, second)).return_code).toBe(0);
    const c = t.sim.faults.counters();
    expect(c.tokenIssuances.kiwoom).toBe(2);
    expect(c.tokensSuperseded).toBe(1);
  });

  it('an expired token is not counted as superseded; KIS tokens are not affected', async () => {
    t = await startTestSim();
    await kiwoomToken(t.sim);
    t.sim.faults.expireTokens('kiwoom');
    await kiwoomToken(t.sim);
    expect(t.sim.faults.counters().tokensSuperseded).toBe(0);
  });
});

describe('sim: token refusal forms (protocol.md §10.5)', () => {
  const cases = [
    { form: 'default', status: 200, body: { return_code: 3, return_msg: '인증에 실패했습니다[8005:Token이 유효하지 않습니다]' }, login: { return_code: 1, return_msg: '인증에 실패하였습니다. CODE=8005(Token이 유효하지 않습니다)' } },
    { form: 'http401', status: 401, body: { error: 'Unauthorized' }, login: { return_code: 1, return_msg: '인증에 실패하였습니다. CODE=8005(Token이 유효하지 않습니다)' } },
    { form: 'rc3', status: 200, body: { return_code: 3, return_msg: '인증에 실패했습니다[8005:Token이 유효하지 않습니다]' }, login: { return_code: 3, return_msg: '인증에 실패했습니다[8005:Token이 유효하지 않습니다]' } },
    { form: 'rc8005', status: 200, body: { return_code: 8005 }, login: { return_code: 8005 } },
    { form: 'rc8031', status: 200, body: { return_code: 8031 }, login: { return_code: 8031 } },
    { form: 'rc8103', status: 200, body: { return_code: 8103 }, login: { return_code: 8103 } },
  ] as const;
  for (const c of cases) {
    it(`${c.form}: REST answers HTTP ${c.status} ${JSON.stringify(c.body)}; LOGIN ${JSON.stringify(c.login)}`, async () => {
      t = await startTestSim();
      const token = await kiwoomToken(t.sim);
      // Set at run time over the control API, as an operator would.
      expect((await post(`${t.sim.url}/_sim/tokens/reject-form`, { form: c.form })).status).toBe(200);
      t.sim.faults.expireTokens('kiwoom');
      const r = await tr(t.sim, STKINFO, 'ka10001', SAMSUNG, token);
      expect(r.status).toBe(c.status);
      expect(r.json).toMatchObject(c.body);
      if (c.status === 401) expect(r.json).not.toHaveProperty('return_code');
      expect(await login(t.sim, token)).toMatchObject({ trnm: 'LOGIN', ...c.login });
      expect(t.sim.faults.counters().token8005).toBe(2);
    });
  }
  it('rejects an unknown form over the control API', async () => {
    t = await startTestSim();
    expect((await post(`${t.sim.url}/_sim/tokens/reject-form`, { form: 'nope' })).status).toBe(400);
  });
});
