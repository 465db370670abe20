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
  /** Why the lease is not held (null while held). */
  waiting(): string | null;
  /** Releases the lease if held (call after the key's socket and token are closed). */
  stop(): Promise<void>;
}

/**
 * Takes a key's lease (`acquire`: free, or already ours), retrying on a full-jitter backoff while
 * another node holds it or the bus is unreachable; once held, `keepLease` renews it and reports a loss
 * before the TTL ends. `onHeld` starts using the key; `onLost` must stop using it at once; the gate
 * then takes the lease again.
 */
export function createKeyLeaseGate(o: { readonly key: string; readonly lease: KeyLeaseOptions; readonly clock: Clock; readonly log: Logger; readonly onHeld: () => void; readonly onLost: (reason: string) => void; readonly onWaiting: () => void }): KeyLeaseGate {
  const { key, lease, clock, log } = o;
  const name = lease.nameOf(key);
  let keeper: LeaseKeeper | null = null;
  let waiting: string | null = 'not yet taken';
  let attempts = 0;
  let timer: TimerHandle | undefined;
  let stopped = false;

  const take = (): void => {
    timer = undefined;
    if (stopped) return;
    lease.store.acquire(name, lease.owner, lease.ttlMs).then(
      (ok) => (ok ? onAcquired() : retry('another node holds it')),
      (err: unknown) => retry(`the bus is unreachable (${errorMessage(err)})`),
    );
  };
  const retry = (why: string): void => {
    if (stopped) return;
    attempts++;
    waiting = why;
    const delay = fullJitter({ baseMs: lease.retryBaseMs, capMs: lease.retryCapMs }, attempts, lease.random.next());
    log.warn({ event: 'key.lease-waiting', code: 'E_KEY_LEASE', key, reason: why, retryInMs: delay, attempt: attempts }, `kiwoom key ${key} not used: its lease is not held (${why}); retrying in ${Math.round(delay / 1000)} s`);
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
        keeper = null;
        waiting = `lost: ${reason}`;
        o.onLost(reason);
        retry(`lease lost (${reason})`);
      },
    });
    o.onHeld();
  };

  return {
    start: take,
    held: () => keeper !== null,
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
