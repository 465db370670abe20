import type { DriftTracker } from '../adapters/kiwoom/drift.js';
import type { KiwoomRest } from '../adapters/kiwoom/rest-client.js';
import { TransientError } from '../core/errors.js';
import type { TrSpec } from '../adapters/kiwoom/tr-spec.js';

/** One app key's REST client, drawing on that key's own limiter and token. */
export interface KeyRest {
  readonly name: string;
  readonly rest: KiwoomRest;
  /** Requests waiting for the key's limiter (its rate budget). */
  readonly pending: () => number;
}

/**
 * REST calls spread over the app keys' rate budgets (issue 19 item 1): each call goes to the usable
 * key with the fewest calls in flight or waiting for its limiter (ties: the next in turn), so N keys
 * give N times one key's 5 requests/s and a failed or unleased key gets none. A call (with its
 * continuation pages) stays on one key.
 */
export function spreadKiwoomRest(keys: readonly KeyRest[], usable: (name: string) => boolean): KiwoomRest {
  if (keys.length === 0) throw new Error('spreadKiwoomRest needs at least one key');
  const inFlight = new Map(keys.map((k) => [k.name, 0]));
  let turn = 0;
  const pick = (): KeyRest => {
    let best: KeyRest | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(turn + i) % keys.length] as KeyRest;
      if (!usable(k.name)) continue;
      const load = (inFlight.get(k.name) ?? 0) + k.pending();
      if (load < bestLoad) {
        best = k;
        bestLoad = load;
      }
    }
    if (!best) throw new TransientError('E_KEY_UNAVAILABLE', 'no Kiwoom app key is usable (failed, or waiting for its lease)');
    turn = (keys.indexOf(best) + 1) % keys.length;
    return best;
  };
  const drift: DriftTracker = {
    check: (tr, body) => keys[0]?.rest.drift().check(tr, body),
    counts: () => {
      const all = new Map<string, number>();
      for (const k of keys) for (const [field, n] of k.rest.drift().counts()) all.set(field, (all.get(field) ?? 0) + n);
      return all;
    },
  };
  return {
    async call<Req, Res>(tr: TrSpec<Req, Res>, body: Req, options?: { maxPages?: number }) {
      const k = pick();
      inFlight.set(k.name, (inFlight.get(k.name) ?? 0) + 1);
      try {
        return await k.rest.call(tr, body, options);
      } finally {
        inFlight.set(k.name, (inFlight.get(k.name) ?? 1) - 1);
      }
    },
    drift: () => drift,
    close: async () => {
      await Promise.all(keys.map((k) => k.rest.close()));
    },
  };
}
