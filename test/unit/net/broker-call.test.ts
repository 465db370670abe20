import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KIWOOM_PROTOCOL } from '../../../src/adapters/kiwoom/errors.js';
import type { KiwoomOutcome } from '../../../src/adapters/kiwoom/return-code.js';
import { silentLog } from '../../../src/core/ports/log-sink.js';
import type { TokenSource } from '../../../src/core/ports/token-source.js';
import { createRateLimiter } from '../../../src/core/rate-limiter.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { createBrokerCall, type RetryPolicy } from '../../../src/net/broker-call.js';
import { createHttpTransport } from '../../../src/net/http-transport.js';

type Reply = { status?: number; headers?: Record<string, string>; body: unknown };
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A scripted broker on 127.0.0.1:0: request n gets reply n (the last one repeats); arrivals on the virtual clock. */
async function scripted(clock: VirtualClock, replies: Reply[]) {
  const seen: { at: number; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ at: clock.monotonic(), authorization: req.headers.authorization });
      const r = replies[Math.min(seen.length - 1, replies.length - 1)] as Reply;
      for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
      res.statusCode = r.status ?? 200;
      res.end(JSON.stringify(r.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const transport = createHttpTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clock, timeoutMs: 3_600_000 });
  return { seen, transport };
}

/** Settles `p` while virtual time moves in `stepMs` steps, with real I/O between steps. */
async function drive<T>(clock: VirtualClock, p: Promise<T>, stepMs = 50): Promise<T> {
  let done = false;
  const guarded = p.finally(() => (done = true));
  guarded.catch(() => undefined);
  for (let i = 0; i < 20_000 && !done; i++) {
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setImmediate(r));
    if (!done) await clock.tickAsync(stepMs);
  }
  return guarded;
}

function rotatingTokens(): TokenSource & { invalidated: string[] } {
  let n = 1;
  const invalidated: string[] = [];
  return {
    invalidated,
    getToken: async () => `T${n}`,
    invalidate: (token) => {
      invalidated.push(token);
      if (token === `T${n}`) n++;
    },
  };
}

const ok = { return_code: 0, return_msg: 'ok' };
const net = (clock: VirtualClock, waitTimeoutMs = 60_000) => ({
  clock,
  limiter: createRateLimiter({ clock, ratePerSecond: 100 }),
  log: silentLog,
  waitTimeoutMs,
});

describe('the one retry loop (src/net/broker-call.ts)', () => {
  it('a token error refreshes the token once and retries once; a second one is final', async () => {
    const clock = createVirtualClock(0);
    const tokens = rotatingTokens();
    const { seen, transport } = await scripted(clock, [{ body: { return_code: 3, return_msg: '[8005:Token이 유효하지 않습니다]' } }]);
    const outcomes: KiwoomOutcome[] = [];
    const policy: RetryPolicy<KiwoomOutcome> = { tokens, rateRetries: 3, backoff: { baseMs: 100, capMs: 1000 }, onOutcome: (o) => outcomes.push(o) };
    const call = createBrokerCall(KIWOOM_PROTOCOL, net(clock), policy);
    await expect(drive(clock, call('ka10001', (t) => transport.post('/x', { authorization: `Bearer ${t}` }, {})))).rejects.toMatchObject({
      code: 'E_AUTH_TOKEN',
      message: expect.stringContaining('after one refresh'),
    });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer T1', 'Bearer T2']);
    expect(tokens.invalidated).toEqual(['T1']);
    expect(outcomes.map((o) => o.kind)).toEqual(['token', 'token']);
    await transport.close();
  });

  it("a rate limit waits the broker's Retry-After when it is longer than the backoff, then succeeds; onOutcome sees each answer", async () => {
    const clock = createVirtualClock(0);
    const { seen, transport } = await scripted(clock, [{ status: 429, headers: { 'retry-after': '7' }, body: {} }, { body: ok }]);
    const outcomes: string[] = [];
    const call = createBrokerCall(KIWOOM_PROTOCOL, net(clock), {
      tokens: rotatingTokens(),
      rateRetries: 2,
      backoff: { baseMs: 100, capMs: 1000 },
      onOutcome: (o) => outcomes.push(o.kind),
    });
    const answer = await drive(clock, call('ka90003', (t) => transport.post('/x', { authorization: `Bearer ${t}` }, {})));
    expect(answer.status).toBe(200);
    expect(outcomes).toEqual(['rate', 'ok']);
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(7_000);
    await transport.close();
  });

  it('rate-limit retries are bounded: after the budget, E_RATE_LIMITED with the broker wait as retryAfterMs', async () => {
    const clock = createVirtualClock(0);
    const { seen, transport } = await scripted(clock, [{ body: { return_code: 5, return_msg: '[1700:허용된 요청 개수를 초과하였습니다]' } }]);
    const call = createBrokerCall(KIWOOM_PROTOCOL, net(clock), { tokens: rotatingTokens(), rateRetries: 2, backoff: { baseMs: 100, capMs: 1000 } });
    await expect(drive(clock, call('ka90003', () => transport.post('/x', {}, {})))).rejects.toMatchObject({
      code: 'E_RATE_LIMITED',
      details: { apiId: 'ka90003', brokerCode: 1700, retryAfterMs: 1000 },
    });
    expect(seen).toHaveLength(3);
    await transport.close();
  });

  it('waiting for a token that never comes ends with E_TIMEOUT on the clock, not a hang', async () => {
    const clock = createVirtualClock(0);
    const never: TokenSource = { getToken: () => new Promise<string>(() => undefined), invalidate: () => undefined };
    const call = createBrokerCall(KIWOOM_PROTOCOL, net(clock, 30_000), { tokens: never, rateRetries: 0, backoff: { baseMs: 1, capMs: 1 } });
    let sent = 0;
    const p = call('ka90003', async () => {
      sent++;
      throw new Error('unreachable');
    });
    p.catch(() => undefined);
    await clock.tickAsync(29_999);
    await clock.tickAsync(1);
    await expect(p).rejects.toMatchObject({ code: 'E_TIMEOUT', details: { wait: 'token', timeoutMs: 30_000 } });
    expect(sent).toBe(0);
  });

  it('waiting for a paused limiter ends with E_TIMEOUT and leaves the limiter queue', async () => {
    const clock = createVirtualClock(0);
    const n = net(clock, 30_000);
    n.limiter.pauseFor(10 * 60_000);
    const call = createBrokerCall(KIWOOM_PROTOCOL, n);
    const p = call('au10001', async () => {
      throw new Error('unreachable');
    });
    p.catch(() => undefined);
    await clock.tickAsync(1);
    expect(n.limiter.pending()).toBe(1);
    await clock.tickAsync(30_000);
    await expect(p).rejects.toMatchObject({ code: 'E_TIMEOUT', details: { wait: 'limiter' } });
    expect(n.limiter.pending()).toBe(0);
  });
});
