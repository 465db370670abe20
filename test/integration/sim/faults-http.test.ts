import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, kiwoomToken, loggedIn, post, startTestSim, tr, trnm, type TestSim } from './helpers.js';

const STKINFO = '/api/dostk/stkinfo';

describe('sim fault API over /_sim/', () => {
  let t: TestSim;
  let token: string;
  beforeEach(async () => {
    t = await startTestSim({ kiwoomRatePerSecond: 100 });
    token = await kiwoomToken(t.sim);
  });
  afterEach(async () => {
    await t.sim.close();
  });

  it('fail-path answers 5xx N times, then normal service resumes', async () => {
    const r = await post(`${t.sim.url}/_sim/fail-path`, { path: STKINFO, status: 503, count: 2 });
    expect(r.json).toEqual({ ok: true });
    const a = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
    const b = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
    const c = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(c.json.return_code).toBe(0);
  });

  it('0A is rare by default (a few an hour across the market); indicative-per-hour raises it', async () => {
    const ws = await loggedIn(t.sim, token);
    try {
      ws.autoEchoPing = true;
      const items = t.sim.faults.programRanking('P00101', 100).map((r) => r.code);
      ws.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: items, type: ['0A'] }] });
      await ws.next(trnm('REG'));
      const made = (): number => t.sim.faults.feedStats().indicativeGenerated;
      for (let i = 0; i < 60; i++) await t.clock.tickAsync(60_000); // one hour at the default rate (4 an hour)
      const defaultHour = made();
      expect(defaultHour).toBeGreaterThan(0);
      expect(defaultHour).toBeLessThan(12);
      const sentBefore = t.sim.faults.counters().realEntriesSent;
      expect((await post(`${t.sim.url}/_sim/indicative-per-hour`, { indicativePerHour: 36_000 })).json).toEqual({ ok: true });
      for (let i = 0; i < 10; i++) await t.clock.tickAsync(1_000); // 10 a second across the market
      expect(made() - defaultHour).toBeGreaterThan(80);
      expect(t.sim.faults.counters().realEntriesSent).toBeGreaterThan(sentBefore);
    } finally {
      ws.close();
    }
  });

  it('fail-path without a count fails until cleared', async () => {
    t.sim.faults.failPath('/api/dostk/');
    for (let i = 0; i < 3; i++) expect((await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token)).status).toBe(500);
    await post(`${t.sim.url}/_sim/fail-path/clear`, {});
    expect((await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token)).status).toBe(200);
  });

  it('rest-delay holds responses until the sim clock moves', async () => {
    await post(`${t.sim.url}/_sim/rest-delay`, { ms: 5_000 });
    let done = false;
    const pending = tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token).then((r) => {
      done = true;
      return r;
    });
    // Let the request reach the server, then move the clock short of the delay.
    for (let i = 0; i < 10_000 && t.clock.pendingTimers() < 3; i++) await new Promise<void>((r) => setImmediate(r));
    await t.clock.tickAsync(4_900);
    expect(done).toBe(false);
    await t.clock.tickAsync(100);
    expect((await pending).json.return_code).toBe(0);
  });

  it('tokens/expire, rate-limits, counters, program-ranking and registrations over HTTP', async () => {
    const ws = await loggedIn(t.sim, token);
    try {
      ws.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0B', '0A'] }] });
      await ws.next(trnm('REG'));
      const regs = await get(`${t.sim.url}/_sim/registrations`);
      const conns = regs.json.connections as Array<{ id: number; items: string[]; groups: Record<string, string[]> }>;
      expect(regs.json.current).toBe(conns[0]?.id);
      expect(conns[0]?.items.sort()).toEqual(['005930|0A', '005930|0B']);
      expect(conns[0]?.groups['1']?.length).toBe(2);

      const ranking = await get(`${t.sim.url}/_sim/program-ranking?market=P10102`);
      const rows = ranking.json as unknown as Array<{ rank: number; code: string }>;
      expect(rows).toHaveLength(50);
      expect(rows.map((r) => r.code)).toEqual(t.sim.faults.programRanking('P10102').map((r) => r.code));

      await post(`${t.sim.url}/_sim/rate-limits`, { kiwoomPerSecond: 1 });
      await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
      const limited = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
      expect(limited.status).toBe(429);

      const exp = await post(`${t.sim.url}/_sim/tokens/expire`, { broker: 'kiwoom' });
      expect(exp.json.expired).toBe(1);
      await t.clock.tickAsync(1_000);
      const dead = await tr(t.sim, STKINFO, 'ka10001', { stk_cd: '005930' }, token);
      expect(dead.json.return_msg).toContain('[8005:');

      const counters = (await get(`${t.sim.url}/_sim/counters`)).json as Record<string, unknown>;
      expect(counters.requestsByApiId).toEqual({ ka10001: 3 });
      expect(counters.tokenIssuances).toEqual({ kiwoom: 1, kis: 0 });
      expect(counters.logins).toBe(1);
      expect(counters.token8005).toBe(1);
      expect(counters.regs).toBe(1);
      expect(counters.connectionsOpened).toBe(1);

      const drop = await post(`${t.sim.url}/_sim/ws/drop`, { mode: 'terminate' });
      expect(drop.json.dropped).toBe(1);
      await ws.closed;
    } finally {
      ws.close();
    }
  });

  it('unknown routes and bad fault bodies are 4xx, never crashes', async () => {
    expect((await get(`${t.sim.url}/_sim/nope`)).status).toBe(404);
    expect((await post(`${t.sim.url}/_sim/ws/malformed`, { kind: 'weird' })).status).toBe(400);
    expect((await post(`${t.sim.url}/_sim/fail-path`, 'not json')).status).toBe(400);
    expect((await get(`${t.sim.url}/elsewhere`)).status).toBe(404);
  });
});

describe('sim start-up', () => {
  it('a port in use rejects with E_SIM_LISTEN', async () => {
    const a = await startTestSim();
    try {
      await expect(startTestSim({ port: a.sim.port })).rejects.toMatchObject({ code: 'E_SIM_LISTEN' });
    } finally {
      await a.sim.close();
    }
  });

  it('logs only through the log callback and reports its URLs', async () => {
    const lines: string[] = [];
    const t = await startTestSim({ stocks: 2500, log: (level, _fields, msg) => lines.push(`${level} ${msg}`) });
    try {
      expect(lines).toContain('info simulator listening');
      expect(t.sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(t.sim.wsUrl).toBe(`ws://127.0.0.1:${t.sim.port}/api/dostk/websocket`);
    } finally {
      await t.sim.close();
    }
  });
});
