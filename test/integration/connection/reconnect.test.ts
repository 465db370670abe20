import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../state/connection.machine.js';
import { createRandom } from '../../../src/core/random.js';
import { backoffDelays, regsOnlyAfterLogin, startRealtimeHarness, TEST_SETTINGS, type RealtimeHarness } from '../../support/realtime-harness.js';

let h: RealtimeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The schedule the seeded Random must produce for consecutive failed attempts. */
const expectedSchedule = (seed: string, n: number): number[] => {
  const r = createRandom(seed);
  return Array.from({ length: n }, (_, attempt) => backoffDelay(TEST_SETTINGS, attempt, r.next()));
};

/** Goes silent the first time LOGIN is acked, so the REG that follows is never answered. */
const silenceOnceSubscribing = (harness: RealtimeHarness): void => {
  let done = false;
  harness.conn.status$.subscribe((s) => {
    if (!done && s.phase === 'subscribing') {
      done = true;
      harness.sim.faults.setSilent(true);
    }
  });
};

const invariants = (harness: RealtimeHarness): void => {
  expect(harness.conn.stats.maxOpenSockets).toBe(1);
  expect(regsOnlyAfterLogin(harness.timeline)).toBe(true);
  expect(harness.serverPairs()).toEqual(harness.conn.subscriptions.wantedPairs());
};

describe('the real-time connection against the simulator', () => {
  it('logs in, registers the wanted set and streams decoded events', async () => {
    h = await startRealtimeHarness();
    h.conn.start();
    await h.settled();
    expect(h.serverPairs()).toEqual(['000660|0A', '000660|0B', '005930|0A', '005930|0B', '035420|0A', '035420|0B']);
    await h.clock.tickAsync(5_000);
    await h.until(() => h!.events.length > 20, 'trades');
    expect(h.events.every((e) => ['005930', '000660', '035420'].includes(e.symbol))).toBe(true);
    expect(h.events.some((e) => e.kind === 'trade')).toBe(true);
    invariants(h);
  });

  it('echoes every PING and is never kicked for silence of its own', async () => {
    h = await startRealtimeHarness();
    h.conn.start();
    await h.settled();
    for (let i = 0; i < 12; i++) {
      await h.clock.tickAsync(10_000);
      await h.until(() => h!.sim.faults.counters().pingsEchoed === h!.sim.faults.counters().pingsSent, 'PING echoes');
    }
    const c = h.sim.faults.counters();
    expect(c.pingsSent).toBeGreaterThanOrEqual(12);
    expect(c.pingTimeouts).toBe(0);
    expect(c.connectionsOpened).toBe(1);
  });

  it('follows changes of the wanted set with minimal REG and REMOVE', async () => {
    h = await startRealtimeHarness();
    h.conn.start();
    await h.settled();
    const sentBefore = h.timeline.length;
    h.conn.applyDiff({ add: ['373220'], remove: ['000660'] });
    await h.settled();
    const sent = h.timeline.slice(sentBefore).filter((t) => 'sent' in t).map((t) => ('sent' in t ? t.sent : null));
    expect(sent).toEqual([
      { trnm: 'REMOVE', grp_no: '1', data: [{ item: ['000660'], type: ['0A', '0B'] }] },
      { trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: ['373220'], type: ['0A', '0B'] }] },
    ]);
    invariants(h);
  });

  for (const mode of ['close', 'terminate'] as const) {
    it(`reconnects after a drop while live (${mode}) and registers the whole set again`, async () => {
      h = await startRealtimeHarness({ seed: `live-${mode}` });
      h.conn.start();
      await h.settled();
      expect(h.sim.faults.dropConnections(mode)).toBe(1);
      await h.waitOutBackoff();
      await h.settled();
      expect(backoffDelays(h.logs)).toEqual(expectedSchedule(`live-${mode}`, 1));
      expect(h.sim.faults.counters().logins).toBe(2);
      invariants(h);
    });
  }

  it('recovers from a drop while connecting (handshake refused twice)', async () => {
    h = await startRealtimeHarness({ seed: 'connecting' });
    h.sim.faults.failPath('/api/dostk/websocket', { status: 503, count: 2 });
    h.conn.start();
    await h.waitOutBackoff();
    await h.waitOutBackoff();
    await h.settled();
    expect(backoffDelays(h.logs)).toEqual(expectedSchedule('connecting', 2));
    expect(h.sim.faults.counters().injectedFailures).toBe(2);
    invariants(h);
  });

  it('rides out faults that land during backoff', async () => {
    h = await startRealtimeHarness({ seed: 'during-backoff' });
    h.conn.start();
    await h.settled();
    h.sim.faults.dropConnections('terminate');
    await h.until(() => h!.conn.status().phase === 'backoff', 'backoff');
    // While we wait: the server refuses the next handshake and expires every token.
    h.sim.faults.failPath('/api/dostk/websocket', { status: 500, count: 1 });
    expect(h.sim.faults.dropConnections('terminate')).toBe(0);
    h.sim.faults.expireTokens('kiwoom');
    await h.clock.tickAsync(h.conn.status().nextRetryInMs ?? 0);
    await h.waitOutBackoff(); // the refused handshake
    await h.waitOutBackoff(); // LOGIN with the expired token: refused, token invalidated
    await h.settled();
    expect(backoffDelays(h.logs)).toEqual(expectedSchedule('during-backoff', 3));
    expect(h.sim.faults.counters().loginFailures).toBe(1);
    invariants(h);
  });

  it('recovers from a drop before the LOGIN ack', async () => {
    h = await startRealtimeHarness({ seed: 'before-login' });
    h.sim.faults.setSilent(true);
    h.conn.start();
    await h.until(() => h!.sim.faults.counters().logins === 1, 'LOGIN at the server');
    expect(h.conn.status().phase).toBe('authenticating');
    h.sim.faults.dropConnections('terminate');
    h.sim.faults.setSilent(false);
    await h.waitOutBackoff();
    await h.settled();
    expect(backoffDelays(h.logs)).toEqual(expectedSchedule('before-login', 1));
    invariants(h);
  });

  it('recovers from a drop before the REG acks', async () => {
    h = await startRealtimeHarness({ seed: 'before-reg' });
    const harness = h;
    silenceOnceSubscribing(harness);
    harness.conn.start();
    await harness.until(() => harness.sim.faults.counters().regs >= 1, 'REG at the server');
    expect(harness.conn.status().phase).toBe('subscribing');
    harness.sim.faults.dropConnections('close');
    harness.sim.faults.setSilent(false);
    await harness.waitOutBackoff();
    await harness.settled();
    expect(backoffDelays(harness.logs)).toEqual(expectedSchedule('before-reg', 1));
    invariants(harness);
  });

  it('times out an unanswered REG and reconnects', async () => {
    h = await startRealtimeHarness({ seed: 'reg-timeout' });
    const harness = h;
    silenceOnceSubscribing(harness);
    harness.conn.start();
    await harness.until(() => harness.sim.faults.counters().regs >= 1, 'REG at the server');
    harness.sim.faults.setSilent(false);
    await harness.clock.tickAsync(TEST_SETTINGS.regAckTimeoutMs);
    expect(harness.conn.status().lastError?.code).toBe('E_TIMEOUT');
    await harness.waitOutBackoff();
    await harness.settled();
    expect(backoffDelays(harness.logs)).toEqual(expectedSchedule('reg-timeout', 1));
    invariants(harness);
  });

  it('reconnects when the server goes silent (watchdog), and settles once it speaks again', async () => {
    h = await startRealtimeHarness({ seed: 'silent' });
    h.conn.start();
    await h.settled();
    h.sim.faults.setSilent(true);
    await h.clock.tickAsync(TEST_SETTINGS.watchdogMs);
    await h.until(() => h!.conn.status().phase === 'backoff', 'watchdog');
    expect(h.conn.status().lastError?.code).toBe('E_WS_WATCHDOG');
    h.sim.faults.setSilent(false);
    await h.waitOutBackoff();
    await h.settled();
    expect(backoffDelays(h.logs)).toEqual(expectedSchedule('silent', 1));
    invariants(h);
  });

  it('survives ten drops in a row with the exact backoff schedule and never exceeds the per-minute budget', async () => {
    h = await startRealtimeHarness({ seed: 'storm' });
    h.conn.start();
    await h.settled();
    const attemptTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      await h.until(() => h!.conn.status().phase === 'live' || h!.conn.status().phase === 'subscribing', 'connected');
      h.sim.faults.dropConnections('terminate');
      await h.waitOutBackoff();
      attemptTimes.push(h.clock.now());
    }
    await h.settled();
    const delays = backoffDelays(h.logs);
    expect(delays).toHaveLength(10);
    // The jitter part follows the seed; a budget wait may be added on top (at most 6 attempts a minute).
    const jitter = expectedSchedule('storm', 10);
    delays.forEach((d, i) => expect(d).toBeGreaterThanOrEqual(jitter[i] as number));
    for (const t of attemptTimes) expect(attemptTimes.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(6);
    invariants(h);
  });

  it('drops malformed frames, counts them, and keeps streaming', async () => {
    h = await startRealtimeHarness();
    h.conn.start();
    await h.settled();
    for (const kind of ['truncated-json', 'wrong-types', 'unknown-fids', 'unknown-type', 'invalid-utf8', 'non-object'] as const) {
      h.sim.faults.sendMalformed(kind, 2);
    }
    await h.until(() => h!.conn.stats.frames >= 12, 'malformed frames');
    await h.clock.tickAsync(2_000);
    const before = h.events.length;
    await h.clock.tickAsync(3_000);
    await h.until(() => h!.events.length > before, 'events after the malformed frames');
    expect(h.conn.stats.decodeErrors).toBeGreaterThanOrEqual(6);
    expect(h.conn.status().phase).toBe('live');
    expect(h.sim.faults.counters().connectionsOpened).toBe(1);
    const dropped = h.logs.filter((l) => l.msg === 'real-time frame dropped');
    expect(dropped.length).toBeGreaterThan(0);
    for (const l of dropped) expect(String(l.fields.code)).toMatch(/^E_DECODE_/);
  });

  it('backs off long on a duplicate login and does not fight it', async () => {
    h = await startRealtimeHarness();
    h.conn.start();
    await h.settled();
    // Another process logs in with the same key: the simulator kicks our session with R10001.
    const { WebSocket } = await import('ws');
    const intruder = new WebSocket(h.sim.wsUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve) => intruder.once('open', () => resolve()));
    const token = await h.tokens.getToken();
    intruder.send(JSON.stringify({ trnm: 'LOGIN', token }));
    await h.until(() => h!.conn.status().phase === 'backoff', 'the kick');
    expect(h.conn.status().lastError?.code).toBe('E_WS_DUPLICATE_LOGIN');
    expect(h.conn.status().nextRetryInMs).toBe(60_000);
    expect(h.conn.status().duplicateLogins).toBe(1);
    intruder.terminate();
    await h.clock.tickAsync(60_000);
    await h.settled();
    expect(backoffDelays(h.logs)).toEqual([60_000]);
    invariants(h);
  });

  it('refreshes a token rejected at LOGIN and never loops with a stale one', async () => {
    h = await startRealtimeHarness({ seed: 'stale' });
    h.conn.start();
    await h.settled();
    h.sim.faults.expireTokens('kiwoom');
    h.sim.faults.dropConnections('terminate');
    await h.waitOutBackoff();
    await h.until(() => h!.conn.status().phase === 'backoff', 'LOGIN refused');
    expect(h.conn.status().lastError?.code).toBe('E_AUTH_TOKEN');
    await h.waitOutBackoff();
    await h.settled();
    const c = h.sim.faults.counters();
    expect(c.loginFailures).toBe(1);
    expect(c.tokenIssuances.kiwoom).toBe(2);
    expect(backoffDelays(h.logs)).toEqual(expectedSchedule('stale', 2));
    invariants(h);
  });

  it('reconnects through a token refresh in progress', async () => {
    h = await startRealtimeHarness({ seed: 'refresh' });
    h.conn.start();
    await h.settled();
    h.sim.faults.setRestDelay(3_000);
    h.sim.faults.expireTokens('kiwoom');
    h.tokens.invalidate(await h.tokens.getToken(), 'rejected');
    h.sim.faults.dropConnections('terminate');
    await h.waitOutBackoff();
    await h.until(() => h!.conn.status().phase === 'connecting', 'waiting for the token');
    await h.clock.tickAsync(3_000);
    await h.settled();
    expect(h.sim.faults.counters().loginFailures).toBe(0);
    expect(backoffDelays(h.logs)).toEqual(expectedSchedule('refresh', 1));
    invariants(h);
  });
});
