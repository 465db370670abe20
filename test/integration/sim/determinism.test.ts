import { describe, expect, it } from 'vitest';
import { SIM_KIS_HTS_ID } from '../../../src/sim/index.js';
import { get, kisHeaders, kisToken, kiwoomToken, loggedIn, startTestSim, tr, trnm } from './helpers.js';

/** One scripted session; returns every REST body and WS frame, concatenated in order. */
async function scriptedRun(seed: number): Promise<string> {
  const { sim, clock } = await startTestSim({ seed, stocks: 800, tradesPerSecond: 400, indicativePerHour: 2_000_000 });
  const out: string[] = [];
  try {
    const token = await kiwoomToken(sim);
    out.push(token);
    let headers: Record<string, string> = {};
    for (;;) {
      const r = await tr(sim, '/api/dostk/stkinfo', 'ka10099', { mrkt_tp: '10' }, token, headers);
      out.push(r.text, [...r.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'));
      if (r.headers.get('cont-yn') !== 'Y') break;
      headers = { 'cont-yn': 'Y', 'next-key': r.headers.get('next-key') ?? '' };
      await clock.tickAsync(250);
    }
    const program = { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' };
    out.push((await tr(sim, '/api/dostk/stkinfo', 'ka90003', program, token)).text);

    const ws = await loggedIn(sim, token);
    ws.autoEchoPing = true;
    ws.send({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['005930', '000660', '035720_AL'], type: ['0B', '0A'] }] });
    await ws.next(trnm('REG'));
    for (let i = 0; i < 30; i++) {
      await clock.tickAsync(500);
      // Wait until every frame the sim sent so far has arrived.
      const c = sim.faults.counters();
      const expected = c.realFramesSent + c.pingsSent + 2;
      while (ws.raw.length < expected) await ws.next(() => true).catch(() => undefined);
    }
    out.push(...ws.raw);
    ws.close();

    out.push((await tr(sim, '/api/dostk/stkinfo', 'ka10001', { stk_cd: '005930' }, token)).text);
    out.push((await tr(sim, '/api/dostk/stkinfo', 'ka90003', program, token)).text);
    out.push((await tr(sim, '/api/dostk/sect', 'ka20002', { mrkt_tp: '0', inds_cd: '001', stex_tp: '1' }, token)).text);
    const kis = await kisToken(sim);
    out.push(kis.text);
    const q = new URLSearchParams({ TYPE: '1', FID_ETC_CLS_CODE: '00', USER_ID: SIM_KIS_HTS_ID });
    out.push((await get(`${sim.url}/uapi/domestic-stock/v1/quotations/intstock-grouplist?${q.toString()}`, kisHeaders(kis.json.access_token as string, 'HHKCM113004C7'))).text);
  } finally {
    await sim.close();
  }
  return out.join('\n');
}

describe('sim determinism', () => {
  it('same seed + same requests + same virtual clock = byte-identical answers', async () => {
    const a = await scriptedRun(42);
    const b = await scriptedRun(42);
    expect(a.length).toBeGreaterThan(100_000);
    expect(a.includes('"trnm":"REAL"')).toBe(true);
    expect(a.includes('"type":"0A"')).toBe(true);
    expect(b).toBe(a);
    const c = await scriptedRun(43);
    expect(c).not.toBe(a);
  });
});
