import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/core/errors.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { backoffDelay, type ConnectionNotice } from '../../../state/connection.machine.js';
import { CONNECTION_DEFAULTS, startedConnection } from '../../support/connection.js';

const flush = async (clock: VirtualClock): Promise<void> => clock.tickAsync(0);
const settings = CONNECTION_DEFAULTS;

describe('connection machine', () => {
  it('logs in before it registers, and goes live only when every REG is acked', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    expect(actor.getSnapshot().hasTag('opening')).toBe(true);
    sockets.current?.send({ type: 'socket.opened' });
    expect(sockets.commands).toEqual([{ type: 'login', token: 'token-1' }]);
    sockets.current?.send({ type: 'login.ok' });
    expect(sockets.commands[1]).toEqual({ type: 'sync' });
    sockets.current?.send({ type: 'reg.sent', messages: 2 });
    sockets.current?.send({ type: 'reg.ack' });
    expect(actor.getSnapshot().matches({ open: 'subscribing' })).toBe(true);
    sockets.current?.send({ type: 'reg.ack' });
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
    actor.send({ type: 'wanted.changed' });
    expect(sockets.commands.filter((c) => c.type === 'sync')).toHaveLength(3);
  });

  it('goes live at once when there is nothing to register', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.goLive(0);
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
  });

  it('backs off with full jitter from the seeded Random, one socket at a time', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock, 99);
    const expected = createRandom(99);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      sockets.current?.send({ type: 'socket.closed', code: 1006, reason: '' });
      expect(actor.getSnapshot().hasTag('retrying')).toBe(true);
      const delay = actor.getSnapshot().context.nextDelayMs;
      delays.push(delay);
      expect(delay).toBe(backoffDelay(settings, attempt, expected.next()));
      expect(delay).toBeLessThan(Math.min(30_000, 500 * 2 ** attempt));
      await clock.tickAsync(delay);
      expect(actor.getSnapshot().hasTag('opening')).toBe(true);
    }
    expect(delays).toEqual([427, 536, 376, 2, 1662]);
    expect(sockets.maxOpen).toBe(1);
    expect(sockets.opened).toBe(6);
    expect(sockets.closed).toBe(5);
  });

  it('never makes more attempts per minute than the budget, even in a storm', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock, 3);
    const attemptTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      attemptTimes.push(clock.now());
      sockets.current?.send({ type: 'socket.closed', code: 1006, reason: '' });
      await clock.tickAsync(actor.getSnapshot().context.nextDelayMs);
    }
    for (const t of attemptTimes) expect(attemptTimes.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(6);
    expect(actor.getSnapshot().context.budgetWaits).toBeGreaterThan(0);
  });

  it('reconnects when the feed goes silent, and stays while frames arrive', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.goLive();
    for (let i = 0; i < 10; i++) {
      await clock.tickAsync(20_000);
      sockets.current?.send({ type: 'activity' });
    }
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
    await clock.tickAsync(29_999);
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
    await clock.tickAsync(1);
    expect(actor.getSnapshot().hasTag('retrying')).toBe(true);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_WS_WATCHDOG');
    expect(sockets.open).toBe(0);
  });

  it('invalidates a token rejected by LOGIN and reconnects with a fresh one', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.current?.send({ type: 'socket.opened' });
    sockets.current?.send({ type: 'login.failed', returnCode: '1', message: 'CODE=8005', tokenRejected: true });
    expect(sockets.invalidated).toEqual(['token-1']);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_AUTH_TOKEN');
    await clock.tickAsync(actor.getSnapshot().context.nextDelayMs);
    await flush(clock);
    sockets.current?.send({ type: 'socket.opened' });
    expect(sockets.commands.at(-1)).toEqual({ type: 'login', token: 'token-2' });
  });

  it('times out a LOGIN that is never acknowledged', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.current?.send({ type: 'socket.opened' });
    await clock.tickAsync(10_000);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_WS_LOGIN_TIMEOUT');
  });

  it('does not fight a duplicate login: long backoff, counted', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.goLive();
    sockets.current?.send({ type: 'system.duplicate', code: 'R10001', message: '동일한 App key로 접속이 되었습니다' });
    const ctx = actor.getSnapshot().context;
    expect(ctx.nextDelayMs).toBe(60_000);
    expect(ctx.duplicateLogins).toBe(1);
    await clock.tickAsync(59_999);
    expect(actor.getSnapshot().hasTag('retrying')).toBe(true);
  });

  it('resets the attempt counter after a stable live period', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    for (let i = 0; i < 3; i++) {
      sockets.current?.send({ type: 'socket.closed', code: 1006, reason: '' });
      await clock.tickAsync(actor.getSnapshot().context.nextDelayMs);
    }
    expect(actor.getSnapshot().context.attempt).toBe(3);
    sockets.goLive();
    for (let i = 0; i < 4; i++) {
      await clock.tickAsync(20_000);
      sockets.current?.send({ type: 'activity' });
    }
    expect(actor.getSnapshot().context.attempt).toBe(0);
  });

  it('bad credentials (8001) do not park the connection forever: failed, announced, asked again after credentialsRetryMs', async () => {
    const clock = createVirtualClock(0);
    let calls = 0;
    const { actor } = await startedConnection(clock, 1, {
      fetchToken: async () => {
        calls++;
        if (calls < 3) throw new AuthError('E_AUTH_CREDENTIALS', '8001');
        return 'token-ok';
      },
    });
    const notices: ConnectionNotice[] = [];
    actor.on('connection.failed', (e) => notices.push(e));
    expect(actor.getSnapshot().hasTag('failed')).toBe(true);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_AUTH_CREDENTIALS');
    await clock.tickAsync(settings.credentialsRetryMs - 1);
    expect(calls).toBe(1);
    await clock.tickAsync(1);
    expect(calls).toBe(2);
    expect(notices).toEqual([{ type: 'connection.failed', code: 'E_AUTH_CREDENTIALS', reason: expect.any(String), retryInMs: settings.credentialsRetryMs }]);
    await clock.tickAsync(settings.credentialsRetryMs);
    expect(calls).toBe(3);
    expect(actor.getSnapshot().hasTag('opening')).toBe(true);
  });

  it('the rest of the class (unregistered IP 8010, real/mock mismatch 8030) waits in failed too, with its code', async () => {
    for (const code of ['E_AUTH_DEVICE', 'E_AUTH_MODE'] as const) {
      const clock = createVirtualClock(0);
      const { actor } = await startedConnection(clock, 1, { fetchToken: async () => Promise.reject(new AuthError(code, 'operator needed')) });
      expect(actor.getSnapshot().hasTag('failed')).toBe(true);
      expect(actor.getSnapshot().context.lastError?.code).toBe(code);
    }
  });

  it('gives up on a token that never comes (tokenTimeoutMs) and backs off', async () => {
    const clock = createVirtualClock(0);
    const { actor } = await startedConnection(clock, 1, { fetchToken: () => new Promise<string>(() => undefined) });
    expect(actor.getSnapshot().hasTag('connecting')).toBe(true);
    await clock.tickAsync(settings.tokenTimeoutMs);
    expect(actor.getSnapshot().hasTag('backoff')).toBe(true);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_TIMEOUT');
  });

  it('announces backoff and live as typed emitted events', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock, 99);
    const notices: ConnectionNotice[] = [];
    actor.on('*', (e) => notices.push(e));
    sockets.current?.send({ type: 'socket.closed', code: 1006, reason: '' });
    const delay = actor.getSnapshot().context.nextDelayMs;
    await clock.tickAsync(delay);
    sockets.goLive();
    expect(notices).toEqual([
      { type: 'connection.backoff', delayMs: delay, attempt: 1, code: 'E_WS_CLOSED', reason: 'socket closed (1006)' },
      { type: 'connection.live' },
    ]);
  });

  it('handles a rejected REG once, while subscribing or live: counted, announced, and it still answers its message', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    const rejected: ConnectionNotice[] = [];
    actor.on('registration.rejected', (e) => rejected.push(e));
    sockets.current?.send({ type: 'socket.opened' });
    sockets.current?.send({ type: 'login.ok' });
    sockets.current?.send({ type: 'reg.sent', messages: 2 });
    sockets.current?.send({ type: 'reg.rejected', returnCode: '105110', message: 'rate' });
    expect(actor.getSnapshot().matches({ open: 'subscribing' })).toBe(true);
    sockets.current?.send({ type: 'reg.ack' });
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
    sockets.current?.send({ type: 'reg.sent', messages: 1 });
    sockets.current?.send({ type: 'reg.rejected', returnCode: '105118', message: 'group full' });
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
    expect(actor.getSnapshot().context.regRejections).toBe(2);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_WS_REG_REJECTED');
    expect(rejected).toEqual([
      { type: 'registration.rejected', returnCode: '105110', message: 'rate' },
      { type: 'registration.rejected', returnCode: '105118', message: 'group full' },
    ]);
  });

  it('a wall-clock step (NTP) either way changes neither the attempt budget nor the watchdog', async () => {
    const clock = createVirtualClock(Date.UTC(2026, 10, 20));
    const { actor, sockets } = await startedConnection(clock, 3);
    const gaps: number[] = [];
    for (let i = 0; i < 12; i++) {
      clock.stepWall(i % 2 === 0 ? -3 * 3600_000 : 5 * 3600_000);
      sockets.current?.send({ type: 'socket.closed', code: 1006, reason: '' });
      const delay = actor.getSnapshot().context.nextDelayMs;
      gaps.push(delay);
      expect(delay).toBeLessThanOrEqual(60_000 + settings.backoffCapMs);
      await clock.tickAsync(delay);
    }
    const times = actor.getSnapshot().context.attemptTimes;
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    sockets.goLive();
    clock.stepWall(-6 * 3600_000);
    await clock.tickAsync(settings.watchdogMs - 1);
    expect(actor.getSnapshot().hasTag('connected')).toBe(true);
    await clock.tickAsync(1);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_WS_WATCHDOG');
  });

  it('paced REG answers keep subscribing alive past regAckTimeoutMs; no answer for that long backs off', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.current?.send({ type: 'socket.opened' });
    sockets.current?.send({ type: 'login.ok' });
    sockets.current?.send({ type: 'reg.sent', messages: 5 });
    for (let i = 0; i < 4; i++) {
      await clock.tickAsync(settings.regAckTimeoutMs - 1);
      sockets.current?.send({ type: 'reg.ack' });
    }
    expect(actor.getSnapshot().hasTag('subscribing')).toBe(true);
    await clock.tickAsync(settings.regAckTimeoutMs);
    expect(actor.getSnapshot().hasTag('backoff')).toBe(true);
    expect(actor.getSnapshot().context.lastError).toEqual({ code: 'E_TIMEOUT', message: 'no REG answer in time' });
  });

  it('closes the socket on stop', async () => {
    const clock = createVirtualClock(0);
    const { actor, sockets } = await startedConnection(clock);
    sockets.goLive();
    actor.send({ type: 'stop' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(sockets.open).toBe(0);
  });
});

