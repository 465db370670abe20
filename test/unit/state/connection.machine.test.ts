import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, type Actor } from 'xstate';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import {
  backoffDelay,
  budgetWait,
  connectionMachine,
  type ConnectionSettings,
  type SocketCommand,
  type SocketEvent,
} from '../../../state/connection.machine.js';

const settings: ConnectionSettings = {
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  stableResetMs: 60_000,
  maxAttemptsPerMinute: 6,
  loginTimeoutMs: 10_000,
  regAckTimeoutMs: 10_000,
  watchdogMs: 30_000,
  duplicateLoginBackoffMs: 60_000,
};

/** A scripted socket: the test plays the server's part through `current.send`. */
class ScriptedSockets {
  opened = 0;
  closed = 0;
  open = 0;
  maxOpen = 0;
  commands: SocketCommand[] = [];
  current: { send: (e: SocketEvent) => void } | null = null;
  invalidated: Array<string | null> = [];
  tokens = 0;

  harness(clock: VirtualClock, seed = 7): Actor<typeof connectionMachine> {
    const machine = connectionMachine.provide({
      actors: {
        fetchToken: fromPromise(async () => `token-${++this.tokens}`),
        socket: fromCallback<SocketCommand>(({ sendBack, receive }) => {
          this.opened++;
          this.open++;
          this.maxOpen = Math.max(this.maxOpen, this.open);
          const me = { send: (e: SocketEvent) => sendBack(e) };
          this.current = me;
          receive((cmd) => this.commands.push(cmd));
          return () => {
            this.open--;
            this.closed++;
            if (this.current === me) this.current = null;
          };
        }),
      },
      actions: {
        invalidateToken: (_, params) => {
          this.invalidated.push(params.token);
        },
      },
    });
    return createActor(machine, { clock, input: { settings, random: createRandom(seed), now: () => clock.now() } });
  }

  /** The server accepts the socket and the LOGIN, and acks `messages` REG messages. */
  goLive(messages = 1): void {
    this.current?.send({ type: 'socket.opened' });
    this.current?.send({ type: 'login.ok' });
    this.current?.send({ type: 'reg.sent', messages });
    for (let i = 0; i < messages; i++) this.current?.send({ type: 'reg.ack' });
  }
}

const flush = async (clock: VirtualClock): Promise<void> => clock.tickAsync(0);
const stateOf = (actor: Actor<typeof connectionMachine>): string => JSON.stringify(actor.getSnapshot().value);

describe('connection machine', () => {
  it('logs in before it registers, and goes live only when every REG is acked', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
    expect(stateOf(actor)).toBe('{"open":"opening"}');
    sockets.current?.send({ type: 'socket.opened' });
    expect(sockets.commands).toEqual([{ type: 'login', token: 'token-1' }]);
    sockets.current?.send({ type: 'login.ok' });
    expect(sockets.commands[1]).toEqual({ type: 'sync' });
    sockets.current?.send({ type: 'reg.sent', messages: 2 });
    sockets.current?.send({ type: 'reg.ack' });
    expect(stateOf(actor)).toBe('{"open":"subscribing"}');
    sockets.current?.send({ type: 'reg.ack' });
    expect(stateOf(actor)).toBe('{"open":{"live":"watching"}}');
    actor.send({ type: 'wanted.changed' });
    expect(sockets.commands.filter((c) => c.type === 'sync')).toHaveLength(3);
  });

  it('goes live at once when there is nothing to register', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
    sockets.goLive(0);
    expect(stateOf(actor)).toBe('{"open":{"live":"watching"}}');
  });

  it('backs off with full jitter from the seeded Random, one socket at a time', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock, 99).start();
    actor.send({ type: 'start' });
    await flush(clock);
    const expected = createRandom(99);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      sockets.current?.send({ type: 'socket.closed', code: 1006, reason: '' });
      expect(stateOf(actor)).toBe('"backoff"');
      const delay = actor.getSnapshot().context.nextDelayMs;
      delays.push(delay);
      expect(delay).toBe(backoffDelay(settings, attempt, expected.next()));
      expect(delay).toBeLessThan(Math.min(30_000, 500 * 2 ** attempt));
      await clock.tickAsync(delay);
      expect(stateOf(actor)).toBe('{"open":"opening"}');
    }
    expect(delays).toEqual([427, 536, 376, 2, 1662]);
    expect(sockets.maxOpen).toBe(1);
    expect(sockets.opened).toBe(6);
    expect(sockets.closed).toBe(5);
  });

  it('never makes more attempts per minute than the budget, even in a storm', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock, 3).start();
    actor.send({ type: 'start' });
    await flush(clock);
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
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
    sockets.goLive();
    for (let i = 0; i < 10; i++) {
      await clock.tickAsync(20_000);
      sockets.current?.send({ type: 'activity' });
    }
    expect(stateOf(actor)).toBe('{"open":{"live":"watching"}}');
    await clock.tickAsync(29_999);
    expect(stateOf(actor)).toBe('{"open":{"live":"watching"}}');
    await clock.tickAsync(1);
    expect(stateOf(actor)).toBe('"backoff"');
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_WS_WATCHDOG');
    expect(sockets.open).toBe(0);
  });

  it('invalidates a token rejected by LOGIN and reconnects with a fresh one', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
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
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
    sockets.current?.send({ type: 'socket.opened' });
    await clock.tickAsync(10_000);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_WS_LOGIN_TIMEOUT');
  });

  it('does not fight a duplicate login: long backoff, counted', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
    sockets.goLive();
    sockets.current?.send({ type: 'system.duplicate', code: 'R10001', message: '동일한 App key로 접속이 되었습니다' });
    const ctx = actor.getSnapshot().context;
    expect(ctx.nextDelayMs).toBe(60_000);
    expect(ctx.duplicateLogins).toBe(1);
    await clock.tickAsync(59_999);
    expect(stateOf(actor)).toBe('"backoff"');
  });

  it('resets the attempt counter after a stable live period', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
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

  it('ends in failed on bad credentials without retrying', async () => {
    const clock = createVirtualClock(0);
    const machine = connectionMachine.provide({
      actors: {
        fetchToken: fromPromise<string>(async () => {
          throw Object.assign(new Error('8001'), { code: 'E_AUTH_CREDENTIALS' });
        }),
      },
    });
    const actor = createActor(machine, { clock, input: { settings, random: createRandom(1), now: () => clock.now() } }).start();
    actor.send({ type: 'start' });
    await flush(clock);
    expect(stateOf(actor)).toBe('"failed"');
    await clock.tickAsync(600_000);
    expect(stateOf(actor)).toBe('"failed"');
  });

  it('closes the socket on stop', async () => {
    const clock = createVirtualClock(0);
    const sockets = new ScriptedSockets();
    const actor = sockets.harness(clock).start();
    actor.send({ type: 'start' });
    await flush(clock);
    sockets.goLive();
    actor.send({ type: 'stop' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(sockets.open).toBe(0);
  });
});

describe('budgetWait', () => {
  it('waits until the oldest attempt in the window ages out', () => {
    expect(budgetWait([0, 1000, 2000], 3000, 3)).toBe(57_000);
    expect(budgetWait([0, 1000, 2000], 3000, 4)).toBe(0);
    expect(budgetWait([0, 1000, 2000], 61_000, 3)).toBe(0);
  });
});
