import { describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { createTokenMachine } from '../../../state/token.machine.js';
import { AuthError, TransientError } from '../../../src/core/errors.js';
import type { IssuedToken } from '../../../src/core/ports/token-issuer.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

type Step = { ok: number } | { fail: Error };

/** Drives the machine with a scripted issueToken actor (xstate's own .provide mechanism). */
function harness(steps: Step[], input: Record<string, unknown> = {}, clock: VirtualClock = createVirtualClock(T0)) {
  const calls: number[] = [];
  const revoked: string[] = [];
  let n = 0;
  const machine = createTokenMachine({ clock, random: createRandom(7) }).provide({
    actors: {
      issueToken: fromPromise<IssuedToken>(async () => {
        calls.push(clock.now());
        const step = steps[Math.min(n, steps.length - 1)] as Step;
        n++;
        if ('fail' in step) throw step.fail;
        return { token: `tok-${n}`, expiresAt: clock.now() + step.ok };
      }),
      revokeToken: fromPromise<void, { token: string }>(async ({ input: i }) => {
        revoked.push(i.token);
      }),
    },
  });
  const actor = createActor(machine, { clock, input });
  actor.start();
  return { actor, clock, calls, revoked };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('token machine', () => {
  it('issues on the first get, then refreshes at expiry minus the margin, on the clock', async () => {
    const { actor, clock, calls } = harness([{ ok: 24 * H }]);
    expect(actor.getSnapshot().matches('idle')).toBe(true);
    actor.send({ type: 'token.get' });
    await settle();
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
    expect(actor.getSnapshot().context.token).toBe('tok-1');
    await clock.tickAsync(24 * H - 600_000 - 1);
    expect(calls).toHaveLength(1);
    await clock.tickAsync(1);
    await settle();
    expect(calls).toEqual([T0, T0 + 24 * H - 600_000]);
    expect(actor.getSnapshot().context.token).toBe('tok-2');
  });

  it('ignores an invalidation of a token that is no longer current (no double refresh)', async () => {
    const { actor, calls } = harness([{ ok: 24 * H }]);
    actor.send({ type: 'token.get' });
    await settle();
    actor.send({ type: 'token.invalidate', token: 'tok-1', reason: 'rejected' });
    actor.send({ type: 'token.invalidate', token: 'tok-1', reason: 'rejected' });
    await settle();
    expect(calls).toHaveLength(2);
    expect(actor.getSnapshot().context.token).toBe('tok-2');
    actor.send({ type: 'token.invalidate', token: 'tok-1', reason: 'rejected' });
    await settle();
    expect(calls).toHaveLength(2);
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
  });

  it('backs off exponentially with seeded jitter on transient failures, then recovers', async () => {
    const fail = new TransientError('E_NETWORK', 'down');
    const run = async () => {
      const h = harness([{ fail }, { fail }, { fail }, { ok: 24 * H }], { backoffBaseMs: 1000, backoffCapMs: 60_000 });
      h.actor.send({ type: 'token.get' });
      await h.clock.tickAsync(20_000);
      return h;
    };
    const a = await run();
    expect(a.calls).toHaveLength(4);
    expect(a.actor.getSnapshot().hasTag('valid')).toBe(true);
    const gaps = a.calls.slice(1).map((t, i) => t - (a.calls[i] as number));
    // equal jitter: attempt k waits in [base*2^(k-1)/2, base*2^(k-1))
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[0]).toBeLessThan(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeLessThan(2000);
    expect(gaps[2]).toBeGreaterThanOrEqual(2000);
    expect(gaps[2]).toBeLessThan(4000);
    const b = await run();
    expect(b.calls).toEqual(a.calls); // same seed, same schedule
  });

  it('caps the backoff', async () => {
    const { actor, clock, calls } = harness([{ fail: new TransientError('E_HTTP_STATUS', '503') }], {
      backoffBaseMs: 1000,
      backoffCapMs: 4000,
    });
    actor.send({ type: 'token.get' });
    await clock.tickAsync(60_000);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4000);
    expect(calls.length).toBeGreaterThan(10);
  });

  it('one 8001 answer no longer parks it forever: failed, retried on a long capped backoff, recovers', async () => {
    const bad = new AuthError('E_AUTH_CREDENTIALS', '8001 App Key/Secret 검증 실패');
    const { actor, clock, calls } = harness([{ fail: bad }, { fail: bad }, { fail: bad }, { fail: bad }, { fail: bad }, { ok: 24 * H }], {
      credentialsRetryBaseMs: 60_000,
      credentialsRetryCapMs: 300_000,
    });
    actor.send({ type: 'token.get' });
    await settle();
    expect(actor.getSnapshot().hasTag('rejected')).toBe(true);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_AUTH_CREDENTIALS');
    expect(actor.getSnapshot().context.rejectedSince).toBe(clock.monotonic());
    await clock.tickAsync(30 * 60_000);
    expect(calls).toHaveLength(6);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] as number));
    // equal jitter over 60 s doubling: [30, 60), [60, 120), [120, 240), then capped at [150, 300) s
    expect(gaps[0]).toBeGreaterThanOrEqual(30_000);
    expect(gaps[0]).toBeLessThan(60_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(60_000);
    expect(gaps[2]).toBeGreaterThanOrEqual(120_000);
    for (const g of gaps) expect(g).toBeLessThanOrEqual(300_000);
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
    expect(actor.getSnapshot().context.rejectedSince).toBeNull();
  });

  it('an issuance that never answers times out and is retried (issueTimeoutMs)', async () => {
    const clock = createVirtualClock(T0);
    let n = 0;
    const machine = createTokenMachine({ clock, random: createRandom(7) }).provide({
      actors: {
        issueToken: fromPromise<IssuedToken>(async () => {
          n++;
          if (n === 1) return new Promise<IssuedToken>(() => undefined);
          return { token: 'tok-late', expiresAt: clock.now() + 24 * H };
        }),
      },
    });
    const actor = createActor(machine, { clock, input: { issueTimeoutMs: 5_000, backoffBaseMs: 1000 } }).start();
    actor.send({ type: 'token.get' });
    await clock.tickAsync(4_999);
    expect(actor.getSnapshot().hasTag('issuing')).toBe(true);
    await clock.tickAsync(1);
    expect(actor.getSnapshot().context.lastError?.code).toBe('E_TIMEOUT');
    await clock.tickAsync(1_000);
    expect(actor.getSnapshot().context.token).toBe('tok-late');
  });

  it('a wall-clock step (NTP) back or forward by hours neither freezes nor opens the issue gate', async () => {
    for (const step of [-5 * H, 5 * H]) {
      const { actor, clock, calls } = harness([{ ok: 24 * H }], { minIssueIntervalMs: 61_000 });
      actor.send({ type: 'token.get' });
      await settle();
      clock.stepWall(step);
      actor.send({ type: 'token.invalidate', token: 'tok-1', reason: 'rejected' });
      expect(actor.getSnapshot().matches({ fetching: 'gate' })).toBe(true);
      await clock.tickAsync(60_999);
      expect(calls).toHaveLength(1);
      await clock.tickAsync(1);
      await settle();
      expect(calls).toHaveLength(2);
      expect(actor.getSnapshot().hasTag('valid')).toBe(true);
    }
  });

  it('waits out EGW00133 (retryAfterMs) instead of looping', async () => {
    const throttled = new TransientError('E_TOKEN_THROTTLED', '1 per minute', { details: { retryAfterMs: 61_000 } });
    const { actor, clock, calls } = harness([{ fail: throttled }, { ok: 24 * H }]);
    actor.send({ type: 'token.get' });
    await clock.tickAsync(60_999);
    expect(calls).toHaveLength(1);
    await clock.tickAsync(1);
    await settle();
    expect(calls).toEqual([T0, T0 + 61_000]);
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
  });

  it('never issues twice within minIssueIntervalMs (KIS one a minute), even when invalidated at once', async () => {
    const { actor, clock, calls } = harness([{ ok: 24 * H }], { minIssueIntervalMs: 61_000 });
    actor.send({ type: 'token.get' });
    await settle();
    await clock.tickAsync(5_000);
    actor.send({ type: 'token.invalidate', token: 'tok-1', reason: 'rejected' });
    expect(actor.getSnapshot().matches({ fetching: 'gate' })).toBe(true);
    await clock.tickAsync(55_999);
    expect(calls).toHaveLength(1);
    await clock.tickAsync(1);
    await settle();
    expect(calls).toEqual([T0, T0 + 61_000]);
  });

  it('adopts a cached token valid beyond the margin, and ignores one within it', async () => {
    const fresh = harness([{ ok: 24 * H }], { cached: { token: 'cached', expiresAt: T0 + 2 * H, issuedAt: T0 - 22 * H } });
    expect(fresh.actor.getSnapshot().hasTag('valid')).toBe(true);
    expect(fresh.actor.getSnapshot().context.token).toBe('cached');
    await fresh.clock.tickAsync(2 * H - 600_000);
    await settle();
    expect(fresh.calls).toEqual([T0 + 2 * H - 600_000]);

    const stale = harness([{ ok: 24 * H }], { cached: { token: 'cached', expiresAt: T0 + 599_000, issuedAt: T0 - 24 * H } });
    expect(stale.actor.getSnapshot().matches('idle')).toBe(true);
    stale.actor.send({ type: 'token.get' });
    await settle();
    expect(stale.actor.getSnapshot().context.token).toBe('tok-1');
  });

  it('refreshes short-lived tokens at half their lifetime instead of looping', async () => {
    const { actor, clock, calls } = harness([{ ok: 5 * 60_000 }]);
    actor.send({ type: 'token.get' });
    await clock.tickAsync(10 * 60_000);
    expect(calls).toEqual([T0, T0 + 150_000, T0 + 300_000, T0 + 450_000, T0 + 600_000]);
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
  });

  it('treats an already-expired issued token as a transient failure', async () => {
    const { actor, clock, calls } = harness([{ ok: 0 }, { ok: 24 * H }], { backoffBaseMs: 1000 });
    actor.send({ type: 'token.get' });
    await clock.tickAsync(2000);
    expect(calls).toHaveLength(2);
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
  });

  it('revokes on shutdown when configured, and not otherwise', async () => {
    const a = harness([{ ok: 24 * H }], { revokeOnShutdown: true });
    a.actor.send({ type: 'token.get' });
    await settle();
    a.actor.send({ type: 'token.shutdown' });
    await settle();
    expect(a.revoked).toEqual(['tok-1']);
    expect(a.actor.getSnapshot().status).toBe('done');

    const b = harness([{ ok: 24 * H }]);
    b.actor.send({ type: 'token.get' });
    await settle();
    b.actor.send({ type: 'token.shutdown' });
    expect(b.revoked).toEqual([]);
    expect(b.actor.getSnapshot().status).toBe('done');
  });

  it('keeps timers under the setTimeout limit for very long tokens (3-month KIS corporate tokens)', async () => {
    const { actor, clock, calls } = harness([{ ok: 90 * 24 * H }]);
    actor.send({ type: 'token.get' });
    await clock.tickAsync(89 * 24 * H);
    expect(calls).toHaveLength(1);
    expect(actor.getSnapshot().hasTag('valid')).toBe(true);
    await clock.tickAsync(24 * H);
    expect(calls).toHaveLength(2);
  });
});
