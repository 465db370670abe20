import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { LeaseStore } from '../../core/ports/lease.js';

export type LeaseState = 'held' | 'lost' | 'released';

export interface LeaseKeeper {
  state(): LeaseState;
  /** Releases the lease if still ours and stops renewing. */
  release(): Promise<void>;
}

/**
 * Holds a lease taken with `acquire`: renews every third of the TTL; when a renewal is refused, or
 * none succeeded for two thirds of the TTL (the store unreachable), the lease counts as lost and
 * `onLost` runs before the TTL ends, so the caller stops using the resource before another node can
 * take it (two owners never overlap).
 */
export function keepLease(o: { store: LeaseStore; name: string; owner: string; ttlMs: number; clock: Clock; log: Logger; onLost: (reason: string) => void }): LeaseKeeper {
  const { store, name, owner, ttlMs, clock } = o;
  let state: LeaseState = 'held';
  let lastRenewed = clock.monotonic();
  let timer: TimerHandle | undefined;
  const lose = (reason: string): void => {
    if (state !== 'held') return;
    state = 'lost';
    o.log.error({ event: 'lease.lost', code: 'E_BUS_UNAVAILABLE', lease: name, reason }, `lease ${name} lost: ${reason}`);
    o.onLost(reason);
  };
  const tick = (): void => {
    timer = undefined;
    if (state !== 'held') return;
    store.renew(name, owner, ttlMs).then(
      (ok) => {
        if (state !== 'held') return;
        if (!ok) return lose('another node holds it, or it expired');
        lastRenewed = clock.monotonic();
        arm();
      },
      (err: unknown) => {
        if (state !== 'held') return;
        if (clock.monotonic() - lastRenewed >= (2 * ttlMs) / 3) return lose(`not renewed for ${Math.round((2 * ttlMs) / 3000)} s (${errorMessage(err)})`);
        arm();
      },
    );
  };
  const arm = (): void => {
    timer = clock.setTimeout(tick, Math.max(1, Math.floor(ttlMs / 3)));
  };
  arm();
  return {
    state: () => state,
    release: async () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      const was = state;
      state = 'released';
      if (was === 'held') await store.release(name, owner).catch(() => undefined);
    },
  };
}
