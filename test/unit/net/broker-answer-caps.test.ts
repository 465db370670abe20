import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKisWatchlist } from '../../../src/adapters/kis/watchlist.js';
import { createKiwoomApi } from '../../../src/adapters/kiwoom/api.js';
import { createKiwoomRest } from '../../../src/adapters/kiwoom/rest-client.js';
import type { TokenSource } from '../../../src/core/ports/token-source.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createHttpTransport, DEFAULT_MAX_BODY_BYTES } from '../../../src/net/http-transport.js';
import { ka90003Row } from '../../support/ka90003-rows.js';

/**
 * Issue 20 item 7: broker answers had no size limit (a 50 MB answer cost 1.1 GB RSS; a "top 50" of
 * 10,000 rows became 40,000 subscribed pairs). Hostile answers come from a real server on 127.0.0.1.
 */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

interface Served {
  url: string;
  requests: () => number;
  /** Bytes the server handed to the socket before the client went away (or finished). */
  sent: () => number;
  finished: () => boolean;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, count: (n: number) => void) => void): Promise<Served> {
  let requests = 0;
  let sent = 0;
  let finished = false;
  const server = createServer((req, res) => {
    requests++;
    res.on('finish', () => (finished = true));
    req.resume();
    req.on('end', () => handler(req, res, (n) => (sent += n)));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    sent: () => sent,
    finished: () => finished,
  };
}

const FIFTY_MB = 50 * 1024 * 1024;

/** Streams `total` bytes of a JSON-looking body in 64 KiB chunks, honouring backpressure. */
function streamHuge(res: ServerResponse, total: number, count: (n: number) => void, declareLength: boolean): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json;charset=UTF-8');
  if (declareLength) res.setHeader('content-length', String(total));
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = total;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(chunk.length, left);
      left -= n;
      count(n);
      const more = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
      if (left === 0) {
        res.end();
        return;
      }
      if (!more) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

const tokens: TokenSource = { getToken: async () => 'T', invalidate: () => {} };
const ka90003Req = { trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: 'P00101', stex_tp: '1' } as const;

describe('broker answers beyond their caps (issue 20 item 7)', () => {
  for (const declareLength of [false, true]) {
    it(`a 50 MB answer (${declareLength ? 'content-length declared' : 'chunked'}) is refused with E_BODY_TOO_LARGE, read no further than the cap, never retried`, async () => {
      const server = await serve((_req, res, count) => streamHuge(res, FIFTY_MB, count, declareLength));
      const rest = createKiwoomRest({ baseUrl: server.url, tokens, clock: createVirtualClock(0), requestsPerSecond: 1000 });
      const before = process.memoryUsage().arrayBuffers;
      await expect(createKiwoomApi(rest).ka90003(ka90003Req)).rejects.toMatchObject({
        code: 'E_BODY_TOO_LARGE',
        category: 'decode',
        details: { maxBytes: DEFAULT_MAX_BODY_BYTES },
      });
      const grown = process.memoryUsage().arrayBuffers - before;
      await rest.close();
      expect(server.requests()).toBe(1);
      expect(server.finished()).toBe(false);
      // The client hung up at the cap: what the server got out is the cap plus socket buffers.
      expect(server.sent()).toBeLessThan(DEFAULT_MAX_BODY_BYTES + 8 * 1024 * 1024);
      expect(grown).toBeLessThan(DEFAULT_MAX_BODY_BYTES + 16 * 1024 * 1024);
      if (declareLength) expect(server.sent()).toBeLessThan(DEFAULT_MAX_BODY_BYTES);
    });
  }

  it('the cap is the transport option: a small cap refuses a small answer, a larger one reads it', async () => {
    const body = JSON.stringify({ return_code: 0, pad: 'x'.repeat(4000) });
    const server = await serve((_req, res) => res.end(body));
    const clock = createVirtualClock(0);
    const small = createHttpTransport({ baseUrl: server.url, clock, timeoutMs: 60_000, maxBodyBytes: 1024 });
    await expect(small.post('/x', {}, {})).rejects.toMatchObject({ code: 'E_BODY_TOO_LARGE', details: { maxBytes: 1024 } });
    const large = createHttpTransport({ baseUrl: server.url, clock, timeoutMs: 60_000, maxBodyBytes: 8192 });
    await expect(large.post('/x', {}, {})).resolves.toMatchObject({ status: 200, text: body, json: { return_code: 0 } });
    await small.close();
    await large.close();
  });

  const rankingRow = (i: number) => ka90003Row(i + 1, String(100000 + i));

  it('a "top 50" of 10,000 rows is refused whole with E_TOO_MANY_ROWS: no entry reaches the caller, one request', async () => {
    const hostile = JSON.stringify({ return_code: 0, return_msg: 'ok', prm_netprps_upper_50: Array.from({ length: 10_000 }, (_, i) => rankingRow(i)) });
    const server = await serve((_req, res) => res.end(hostile));
    const rest = createKiwoomRest({ baseUrl: server.url, tokens, clock: createVirtualClock(0), requestsPerSecond: 1000 });
    const api = createKiwoomApi(rest);
    await expect(api.ka90003(ka90003Req)).rejects.toMatchObject({
      code: 'E_TOO_MANY_ROWS',
      category: 'decode',
      details: { apiId: 'ka90003', rows: 10_000, maxRows: 500 },
    });
    expect(server.requests()).toBe(1);
    await rest.close();
    // The cap is configuration: raised for this TR, the same answer is read.
    const lenient = createKiwoomRest({ baseUrl: server.url, tokens, clock: createVirtualClock(0), requestsPerSecond: 1000, maxRowsByTr: { ka90003: 10_000 } });
    const read = await createKiwoomApi(lenient).ka90003(ka90003Req);
    expect(read.data.prm_netprps_upper_50).toHaveLength(10_000);
    await lenient.close();
  });

  it('a KIS watchlist answer over its row cap is E_TOO_MANY_ROWS, never a trimmed watchlist', async () => {
    const groups = Array.from({ length: 3_000 }, (_, i) => ({ inter_grp_code: String(i % 1000).padStart(3, '0'), inter_grp_name: `g${i}` }));
    const server = await serve((_req, res) => res.end(JSON.stringify({ rt_cd: '0', msg_cd: 'MCA00000', msg1: 'ok', output2: groups })));
    const watchlist = createKisWatchlist({ baseUrl: server.url, appkey: 'K', appsecret: 'S', htsId: 'u', tokens, clock: createVirtualClock(0), requestsPerSecond: 1000 });
    await expect(watchlist.fetchWatchlist()).rejects.toMatchObject({ code: 'E_TOO_MANY_ROWS', details: { rows: 3_000, maxRows: 2_000 } });
    expect(server.requests()).toBe(1);
    await watchlist.close();
  });
});
