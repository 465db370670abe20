import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKiwoomApi } from '../../../src/adapters/kiwoom/api.js';
import { createKiwoomRest } from '../../../src/adapters/kiwoom/rest-client.js';
import type { TokenSource } from '../../../src/core/ports/token-source.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

/** A scripted HTTP server on 127.0.0.1:0: each request gets the next reply; requests are recorded. */
type Reply = { status?: number; headers?: Record<string, string>; body: unknown };
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function scripted(replies: Reply[]) {
  const seen: { headers: IncomingHttpHeaders; body: string; path: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body, path: req.url ?? '' });
      const r = replies[Math.min(seen.length - 1, replies.length - 1)] as Reply;
      for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
      res.statusCode = r.status ?? 200;
      res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens: TokenSource = { getToken: async () => 'T', invalidate: () => {} };
  const rest = createKiwoomRest({ baseUrl: url, tokens, clock: createVirtualClock(0), requestsPerSecond: 1000 });
  return { seen, api: createKiwoomApi(rest), rest };
}

const row = (code: string) => ({ code, name: `n${code}`, group: '1' });
const ok = { return_code: 0, return_msg: '정상적으로 처리되었습니다' };

describe('kiwoom REST client (scripted server)', () => {
  it('sends the documented headers; continuation headers only on follow-ups; reads capitalised response headers', async () => {
    const { seen, api, rest } = await scripted([
      { headers: { 'Cont-Yn': 'Y', 'Next-Key': 'K1' }, body: { list: [row('001')], ...ok } },
      { headers: { 'cont-yn': 'Y', 'next-key': 'K2' }, body: { list: [row('002')], ...ok } },
      { headers: { 'cont-yn': 'N', 'next-key': '' }, body: { list: [row('003')], ...ok } },
    ]);
    const r = await api.ka10101({ mrkt_tp: '0' });
    expect(r.data.list.map((x) => x.code)).toEqual(['001', '002', '003']);
    expect(r).toMatchObject({ pages: 3, stop: 'end' });
    expect(seen[0]!.path).toBe('/api/dostk/stkinfo');
    expect(seen[0]!.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(seen[0]!.headers['api-id']).toBe('ka10101');
    expect(seen[0]!.headers['authorization']).toBe('Bearer T');
    expect(seen[0]!.headers['cont-yn']).toBeUndefined();
    expect(seen[0]!.headers['next-key']).toBeUndefined();
    expect(seen[1]!.headers).toMatchObject({ 'cont-yn': 'Y', 'next-key': 'K1' });
    expect(seen[2]!.headers).toMatchObject({ 'cont-yn': 'Y', 'next-key': 'K2' });
    expect(seen.every((s) => s.body === '{"mrkt_tp":"0"}')).toBe(true);
    await rest.close();
  });

  it('stops on a repeated next-key instead of looping', async () => {
    const { api, seen, rest } = await scripted([{ headers: { 'cont-yn': 'Y', 'next-key': 'SAME' }, body: { list: [row('001')], ...ok } }]);
    const r = await api.ka10101({ mrkt_tp: '0' });
    expect(r.stop).toBe('repeated-key');
    expect(seen).toHaveLength(2);
    await rest.close();
  });

  it('a missing required field is a DecodeError naming the TR and the path', async () => {
    const { api, rest } = await scripted([{ body: { list: [{ name: 'x', group: '1' }], ...ok } }]);
    await expect(api.ka10101({ mrkt_tp: '0' })).rejects.toMatchObject({
      code: 'E_DECODE_SHAPE',
      category: 'decode',
      details: { apiId: 'ka10101', path: 'list.0.code' },
    });
    await rest.close();
  });

  it('an unreadable value is a DecodeError E_DECODE_VALUE with the path; empty reads as null', async () => {
    const base = { rank: '1', stk_cd: '005930', stk_nm: 'x', flu_sig: '2', pred_pre: '+1', flu_rt: '+0.1', acc_trde_qty: '1', prm_sell_amt: '1', prm_buy_amt: '1', prm_netprps_amt: '' };
    const { api, rest } = await scripted([
      { body: { prm_netprps_upper_50: [{ ...base, cur_prc: ' 67300' }], ...ok } },
      { body: { prm_netprps_upper_50: [{ ...base, cur_prc: '67,300' }], ...ok } },
    ]);
    const good = await api.ka90003({ trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' });
    expect(good.data.prm_netprps_upper_50[0]).toMatchObject({ cur_prc: 67300, prm_netprps_amt: null, flu_sig: 2 });
    await expect(api.ka90003({ trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' })).rejects.toMatchObject({
      code: 'E_DECODE_VALUE',
      details: { apiId: 'ka90003', path: 'prm_netprps_upper_50.0.cur_prc' },
    });
    await rest.close();
  });

  it('a body that is not JSON is E_DECODE_JSON', async () => {
    const { api, rest } = await scripted([{ body: '<html>gateway</html>' }]);
    await expect(api.ka10100({ stk_cd: '005930' })).rejects.toMatchObject({ code: 'E_DECODE_JSON' });
    await rest.close();
  });
});
