import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatKstTime } from '../../../src/core/kst.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, tickSize } from '../../../src/sim/index.js';
import { advance, kiwoomToken, loggedIn, post, startTestSim, TestWs, trnm, type Frame, type TestSim } from './helpers.js';

const FIDS_0B = ['20', '10', '11', '12', '27', '28', '15', '13', '14', '16', '17', '18', '25', '26', '29', '30', '31', '32', '228', '311', '290', '691', '567', '568', '851', '1890', '1891', '1892', '1030', '1031', '1032', '1071', '1072', '1313', '1314', '1315', '1316', '1497', '1498', '620', '732', '852', '9081'];
const FIDS_0A = ['10', '11', '12', '27', '28', '13', '14', '16', '17', '18', '25', '26', '29', '30', '31', '32', '311', '567', '568'];

type Entry = { type: string; name: string; item: string; values: Record<string, string> };
const entriesOf = (f: Frame): Entry[] => (f.data as Entry[]) ?? [];
const isReal = (f: Frame): boolean => f.trnm === 'REAL';

describe('sim Kiwoom WebSocket', () => {
  let t: TestSim;
  let token: string;
  const clients: TestWs[] = [];
  const connect = async (): Promise<TestWs> => {
    const c = new TestWs(t.sim.wsUrl);
    clients.push(c);
    await c.open();
    return c;
  };
  const login = async (): Promise<TestWs> => {
    const c = await loggedIn(t.sim, token);
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    t = await startTestSim({ pingIntervalMs: 10_000, pingTimeoutMs: 30_000, tradesPerSecond: 300 });
    token = await kiwoomToken(t.sim);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.sim.close();
  });

  it('LOGIN with a valid raw token is acknowledged with return_code 0', async () => {
    const c = await connect();
    c.send({ trnm: 'LOGIN', token });
    const ack = await c.next(trnm('LOGIN'));
    expect(ack).toEqual({ trnm: 'LOGIN', return_code: 0, return_msg: '' });
    expect(t.sim.faults.counters().logins).toBe(1);
  });

  it('LOGIN with a bad token answers CODE=8005 and closes', async () => {
    const c = await connect();
    c.send({ trnm: 'LOGIN', token: 'bogus' });
    const ack = await c.next(trnm('LOGIN'));
    expect(ack.return_code).not.toBe(0);
    expect(ack.return_msg).toContain('CODE=8005');
    await c.closed;
  });

  it('anything before LOGIN gets an error and a close', async () => {
    const c = await connect();
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0B'] }] });
    const err = await c.next();
    expect(err.return_code).toBe(1);
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
  });

  it('sends PING every interval; an echo keeps the socket, silence past the timeout closes it', async () => {
    const c = await login();
    await t.clock.tickAsync(10_000);
    const ping = await c.next(trnm('PING'));
    expect(ping).toMatchObject({ trnm: 'PING' });
    c.send(ping);
    await waitFor(() => t.sim.faults.counters().pingsEchoed === 1);
    // Stop echoing: PING 2 goes out at +20 s, so the timeout fires at +50 s.
    await t.clock.tickAsync(39_000);
    expect(t.sim.faults.counters().pingTimeouts).toBe(0);
    expect(c.isClosed).toBe(false);
    await t.clock.tickAsync(1_000);
    expect(t.sim.faults.counters().pingTimeouts).toBe(1);
    await c.closed;
  });

  it('a client that echoes every PING stays connected for minutes', async () => {
    const c = await login();
    c.autoEchoPing = true;
    for (let i = 0; i < 12; i++) {
      await t.clock.tickAsync(10_000);
      await waitFor(() => t.sim.faults.counters().pingsEchoed === i + 1);
    }
    expect(c.isClosed).toBe(false);
    expect(t.sim.faults.counters().pingsSent).toBe(12);
  });

  it('REG/REMOVE keep a per-group set with refresh semantics', async () => {
    const c = await login();
    const reg = (grp: string, refresh: string | undefined, items: string[], types: string[]): void =>
      c.send({ trnm: 'REG', grp_no: grp, ...(refresh === undefined ? {} : { refresh }), data: [{ item: items, type: types }] });
    const regsOf = (): Set<string> => {
      const r = t.sim.faults.registrations();
      const conn = r.connections.find((x) => x.id === r.current);
      return conn?.items ?? new Set();
    };
    reg('1', '1', ['005930', '000660'], ['0B']);
    expect(await c.next(trnm('REG'))).toEqual({ trnm: 'REG', return_code: 0, return_msg: '' });
    expect(regsOf()).toEqual(new Set(['005930|0B', '000660|0B']));
    reg('1', undefined, ['035420'], ['0B', '0A']);
    await c.next(trnm('REG'));
    expect(regsOf()).toEqual(new Set(['005930|0B', '000660|0B', '035420|0B', '035420|0A']));
    reg('2', '1', ['005380'], ['0B']);
    await c.next(trnm('REG'));
    reg('1', '0', ['051910'], ['0B']);
    await c.next(trnm('REG'));
    // refresh "0" replaced group 1 only.
    expect(regsOf()).toEqual(new Set(['051910|0B', '005380|0B']));
    c.send({ trnm: 'REMOVE', grp_no: '2', data: [{ item: ['005380'], type: ['0B'] }] });
    expect(await c.next(trnm('REMOVE'))).toEqual({ trnm: 'REMOVE', return_code: 0, return_msg: '' });
    expect(regsOf()).toEqual(new Set(['051910|0B']));
    c.send({ trnm: 'REG', grp_no: '1', data: 'nope' });
    expect((await c.next(trnm('REG'))).return_code).toBe(1);
  });

  it('streams 0B REAL entries only for registered items, with the documented FIDs and formatting', async () => {
    const c = await login();
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930', '000660_NX'], type: ['0B'] }] });
    await c.next(trnm('REG'));
    await t.clock.tickAsync(1_000);
    const frames: Frame[] = [];
    while (frames.reduce((n, f) => n + entriesOf(f).length, 0) < 250) frames.push(await c.next(isReal));
    const entries = frames.flatMap(entriesOf);
    expect(new Set(entries.map((e) => e.item))).toEqual(new Set(['005930', '000660_NX']));
    expect(frames.some((f) => entriesOf(f).length > 1)).toBe(true);
    for (const e of entries) {
      expect(e.type).toBe('0B');
      expect(e.name).toBe('주식체결');
      for (const fid of FIDS_0B) expect(e.values).toHaveProperty(fid);
      expect(Object.values(e.values).every((v) => typeof v === 'string')).toBe(true);
      expect(e.values['10']).toMatch(/^[+\- ]\d+$/);
      expect(e.values['12']).toMatch(/^[+-]?\d+\.\d{2}$/);
      expect(e.values['15']).toMatch(/^[+-]\d+$/);
      expect(e.values['25']).toMatch(/^[1-5]$/);
      expect(e.values['20']).toMatch(/^\d{6}$/);
      const price = Math.abs(Number(e.values['10']?.trim()));
      expect(price % tickSize(price)).toBe(0);
    }
    // Real forms (KWP 0B.txt): 9081 as text, 290 "2", 1313 in 천원 truncated, 1314 per trade, 1315/1316 signed or " 0".
    expect(entries.find((e) => e.item === '005930')?.values['9081']).toBe('KRX');
    expect(entries.find((e) => e.item === '000660_NX')?.values['9081']).toBe('NXT');
    for (const e of entries) {
      const v = e.values;
      expect(Object.keys(v)).toHaveLength(43);
      expect(v['290']).toBe('2');
      const qty = Number(v['15']);
      const price = Math.abs(Number(v['10']?.trim()));
      expect(Number(v['1313'])).toBe(Math.sign(qty) * Math.trunc((Math.abs(qty) * price) / 1000));
      expect(v['1314']).toBe(v['15']);
      const [sell, buy] = qty > 0 ? [' 0', `+${qty}`] : [`${qty}`, ' 0'];
      expect([v['1315'], v['1316']]).toEqual([sell, buy]);
      expect(v['851']).toMatch(/^\d+$/);
      expect(Number(v['1497'])).toBeGreaterThan(0);
    }
    expect(entries[0]?.values['20']).toBe(formatKstTime(t.clock.now() - 950));
  });

  it('answers the seed 002 0A REG and sends 0A entries with the 0A FIDs', async () => {
    // 0A is rare by default (a few an hour across the market): raise it for this test.
    t.sim.faults.setIndicativePerHour(36_000_000);
    const c = await login();
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0A'] }] });
    expect(await c.next(trnm('REG'))).toEqual({ trnm: 'REG', return_code: 0, return_msg: '' });
    await advance(t.clock, 3_000, 500);
    const f = await c.next(isReal);
    const e = entriesOf(f)[0];
    expect(e).toMatchObject({ type: '0A', name: '주식기세', item: '005930' });
    for (const fid of FIDS_0A) expect(e?.values).toHaveProperty(fid);
    expect(e?.values).not.toHaveProperty('15');
  });

  it('a second LOGIN with the same appkey kicks the first with SYSTEM R10001', async () => {
    const first = await login();
    const second = await login();
    const sys = await first.next(trnm('SYSTEM'));
    expect(sys).toEqual({ trnm: 'SYSTEM', code: 'R10001', message: '동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다' });
    await first.closed;
    expect(second.isClosed).toBe(false);
    await waitFor(() => t.sim.faults.registrations().connections.length === 1);
    const regs = t.sim.faults.registrations();
    expect(regs.connections.map((x) => x.id)).toEqual([regs.current]);
  });

  it('faults: silence stops frames and PINGs; resume restores them', async () => {
    const c = await login();
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0B'] }] });
    await c.next(trnm('REG'));
    t.sim.faults.setSilent(true);
    const sentBefore = t.sim.faults.counters().realEntriesSent;
    await t.clock.tickAsync(60_000);
    const c1 = t.sim.faults.counters();
    expect(c1.realEntriesSent).toBe(sentBefore);
    expect(c1.pingsSent).toBe(0);
    expect(c1.pingTimeouts).toBe(0);
    expect(c.isClosed).toBe(false);
    t.sim.faults.setSilent(false);
    await t.clock.tickAsync(10_000);
    await c.next(trnm('PING'));
    expect(t.sim.faults.counters().realEntriesSent).toBeGreaterThan(sentBefore);
  });

  it('faults: drop closes cleanly or terminates', async () => {
    const a = await login();
    expect(t.sim.faults.dropConnections('close')).toBe(1);
    expect((await a.closed).code).toBe(1001);
    const b = await login();
    t.sim.faults.dropConnections('terminate');
    expect((await b.closed).code).toBe(1006);
    await waitFor(() => t.sim.faults.counters().connectionsClosed === 2);
  });

  it('faults: malformed frames of each kind reach the client', async () => {
    const c = await login();
    c.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0B'] }] });
    await c.next(trnm('REG'));
    expect(t.sim.faults.sendMalformed('truncated-json', 2)).toBe(2);
    expect((await c.next((f) => '__unparsed' in f)).__unparsed).toMatch(/^\{"trnm":"REAL"/);
    t.sim.faults.sendMalformed('wrong-types');
    expect(entriesOf(await c.next(isReal))[0]?.item).toBe(5930);
    t.sim.faults.sendMalformed('unknown-fids');
    expect(entriesOf(await c.next(isReal))[0]?.values).toHaveProperty('99901');
    t.sim.faults.sendMalformed('unknown-type');
    expect(entriesOf(await c.next(isReal))[0]?.type).toBe('0Z');
    t.sim.faults.sendMalformed('non-object', 2);
    expect((await c.next((f) => '__value' in f)).__value).toEqual([1, 2, 3]);
    expect((await c.next((f) => '__value' in f)).__value).toBe('REAL');
    t.sim.faults.sendMalformed('invalid-utf8');
    // ws fails the connection on a text frame with invalid UTF-8.
    expect((await c.closed).code).toBe(1006);
  });
});

/** Waits for a condition that a socket event will make true (polls on I/O turns, no timers). */
async function waitFor(cond: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error('condition not met');
}

describe('sim Kiwoom WebSocket with two appkeys', () => {
  it('each connection receives only the pairs it registered', async () => {
    const second = { appkey: 'SECONDKEY', secretkey: 'SECONDSECRET' };
    const t = await startTestSim({
      kiwoomCredentials: [{ appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }, second],
      tradesPerSecond: 200,
    });
    const clients: TestWs[] = [];
    try {
      const tokA = await kiwoomToken(t.sim);
      const tokB = (await post(`${t.sim.url}/oauth2/token`, { grant_type: 'client_credentials', ...second })).json.token as string;
      const a = await loggedIn(t.sim, tokA);
      const b = await loggedIn(t.sim, tokB);
      clients.push(a, b);
      a.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930'], type: ['0B'] }] });
      b.send({ trnm: 'REG', grp_no: '7', refresh: '1', data: [{ item: ['000660_AL', '005930'], type: ['0B'] }] });
      await a.next(trnm('REG'));
      await b.next(trnm('REG'));
      const regs = t.sim.faults.registrations();
      expect(regs.connections).toHaveLength(2);
      expect(regs.current).toBe(regs.connections[1]?.id);
      await t.clock.tickAsync(2_000);
      const itemsOf = async (c: TestWs, n: number): Promise<Set<string>> => {
        const items = new Set<string>();
        let count = 0;
        while (count < n) {
          for (const e of entriesOf(await c.next(isReal))) {
            items.add(e.item);
            count++;
          }
        }
        return items;
      };
      expect(await itemsOf(a, 100)).toEqual(new Set(['005930']));
      expect(await itemsOf(b, 300)).toEqual(new Set(['000660_AL', '005930']));
      expect(a.isClosed || b.isClosed).toBe(false);
    } finally {
      for (const c of clients) c.close();
      await t.sim.close();
    }
  });
});
