import { fullJitter } from '../core/backoff.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LeaseStore } from '../core/ports/lease.js';
import type { Random } from '../core/random.js';
import { keepLease, type LeaseKeeper } from './bus/lease-keeper.js';

/** How app keys are leased (bus.leases): one lease per key on the bus's Redis. */
export interface KeyLeaseOptions {
  readonly store: LeaseStore;
  /** This node, as the lease's value. */
  readonly owner: string;
  readonly ttlMs: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly random: Random;
  /** The lease's name for a key: an alias or a hash, never the app key. */
  readonly nameOf: (key: string) => string;
}

/** One key's lease: taken with backoff until held, kept, and taken again after a loss. */
export interface KeyLeaseGate {
  start(): void;
  held(): boolean;
  /** `held`; `unverified` (in use while the bus is unreachable: fail-open); `waiting` (not in use). */
  state(): 'held' | 'unverified' | 'waiting';
  /** Why the lease is not held (null while held). */
  waiting(): string | null;
  /** Releases the lease if held (call after the key's socket and token are closed). */
  stop(): Promise<void>;
}

/**
 * Takes a key's lease (`acquire`: free, or already ours) and keeps it (`keepLease` renews it and
 * reports a loss before the TTL ends). Only another node holding the lease stops the key: `onLost`
 * must stop using it at once, and the gate takes the lease again with backoff. An unreachable bus
 * fails open: the key stays (or comes) in use, reported `unverified`, and the lease is taken as soon
 * as the bus answers, so a Redis outage never stops the feed (issue 19's must-hold); a key not yet in
 * use waits a third of the TTL of silence before failing open. The price: two
 * nodes that both start while Redis is down can share a key until it is back (the broker's R10001
 * then moves one of them; docs/bus.md).
 */
export function createKeyLeaseGate(o: { readonly key: string; readonly lease: KeyLeaseOptions; readonly clock: Clock; readonly log: Logger; readonly onHeld: () => void; readonly onLost: (reason: string) => void; readonly onWaiting: () => void }): KeyLeaseGate {
  const { key, lease, clock, log } = o;
  const name = lease.nameOf(key);
  let keeper: LeaseKeeper | null = null;
  let inUse = false;
  let waiting: string | null = 'not yet taken';
  let attempts = 0;
  let timer: TimerHandle | undefined;
  let stopped = false;
  /** Since when (monotonic) the bus has not answered; null once it answers. */
  let unreachableSince: number | null = null;

  const use = (): void => {
    if (inUse) return;
    inUse = true;
    o.onHeld();
  };
  const take = (): void => {
    timer = undefined;
    if (stopped) return;
    lease.store.acquire(name, lease.owner, lease.ttlMs).then(
      (ok) => {
        unreachableSince = null;
        if (ok) onAcquired();
        else refused();
      },
      (err: unknown) => unreachable(errorMessage(err)),
    );
  };
  /** Another node holds the lease: stop using the key (if in use) and wait for it. */
  const refused = (): void => {
    if (stopped) return;
    if (inUse) {
      inUse = false;
      o.onLost('another node holds it');
    }
    retry('another node holds it');
  };
  /**
   * The bus did not answer: fail open (the key in use, unverified) and try again. A key not yet in use
   * waits a third of the TTL (one renewal period) first, so a bus client still connecting at start
   * never lets two nodes in at once.
   */
  const unreachable = (message: string): void => {
    if (stopped) return;
    unreachableSince ??= clock.monotonic();
    if (!inUse && clock.monotonic() - unreachableSince < lease.ttlMs / 3) return retry(`the bus is unreachable (${message})`);
    if (!inUse) log.warn({ event: 'key.lease-unverified', code: 'E_KEY_LEASE', key, reason: message }, `kiwoom key ${key} used without its lease: the bus is unreachable (${message}); the lease is taken once it answers`);
    use();
    retry(`unverified: the bus is unreachable (${message})`);
  };
  const retry = (why: string): void => {
    if (stopped) return;
    attempts++;
    waiting = why;
    const delay = fullJitter({ baseMs: lease.retryBaseMs, capMs: lease.retryCapMs }, attempts, lease.random.next());
    const using = inUse ? 'still in use' : 'not used';
    log.warn({ event: 'key.lease-waiting', code: 'E_KEY_LEASE', key, reason: why, inUse, retryInMs: delay, attempt: attempts }, `kiwoom key ${key} ${using}: its lease is not held (${why}); retrying in ${Math.round(delay / 1000)} s`);
    timer = clock.setTimeout(take, Math.max(1, delay));
    o.onWaiting();
  };
  const onAcquired = (): void => {
    if (stopped) {
      void lease.store.release(name, lease.owner).catch(() => undefined);
      return;
    }
    attempts = 0;
    waiting = null;
    log.info({ event: 'key.lease-held', key }, `kiwoom key ${key}: lease held`);
    keeper = keepLease({
      store: lease.store,
      name,
      owner: lease.owner,
      ttlMs: lease.ttlMs,
      clock,
      log,
      onLost: (reason) => {
        // Refused renewal or an unreachable bus: take it again at once; only a refusal stops the key.
        keeper = null;
        waiting = `lost: ${reason}`;
        take();
      },
    });
    use();
  };

  return {
    start: take,
    held: () => keeper !== null,
    state: () => (keeper !== null ? 'held' : inUse ? 'unverified' : 'waiting'),
    waiting: () => waiting,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      const k = keeper;
      keeper = null;
      await k?.release();
    },
  };
}
