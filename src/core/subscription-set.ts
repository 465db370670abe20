import { doubling, type ExponentialPolicy } from './backoff.js';

/**
 * The wanted subscription set is the truth (style.md example 5). The connection never rebuilds
 * subscriptions from a memory of past messages: after a reconnect it registers the whole wanted set
 * again, and while live each change becomes the minimal REG (refresh "1") or REMOVE.
 *
 * A pair counts as subscribed only once the broker acknowledged its REG: the broker answers every
 * REG/REMOVE in the order sent, so the messages in flight are a queue and each answer settles the
 * head. A rejected REG is kept with its code and retried on a doubling backoff. The set never holds
 * more than `maxItems` items (Kiwoom: 200 per connection); items beyond are refused and counted.
 */
export interface RegistrationMessage {
  readonly trnm: 'REG' | 'REMOVE';
  readonly grp_no: string;
  /** REG only; always "1" (keep existing registrations): "0" would drop everything else. */
  readonly refresh?: '1';
  readonly data: ReadonlyArray<{ readonly item: readonly string[]; readonly type: readonly string[] }>;
}

export interface SubscriptionPlan {
  readonly messages: readonly RegistrationMessage[];
  readonly registered: number;
  readonly removed: number;
}

/** What one broker answer settled. */
export interface RegistrationAnswer {
  readonly message: RegistrationMessage;
  /** `item|type` pairs the answer applies to (still wanted, for a REG). */
  readonly pairs: readonly string[];
  /** For a rejected REG: when its pairs are tried again (monotonic ms). */
  readonly retryAt?: number;
}

export interface RejectedPair {
  readonly pair: string;
  readonly code: string;
  readonly attempts: number;
  readonly retryAt: number;
}

export interface SubscriptionOptions {
  readonly groupNo?: string;
  readonly chunkSize?: number;
  /** Most distinct items wanted at once (default: no limit). */
  readonly maxItems?: number;
  /** Backoff of a rejected REG's pairs (default 2 s doubling to 2 min). */
  readonly retry?: ExponentialPolicy;
  /** Whether the item-less item ("") counts against `maxItems` (default true: the broker's unit is [U], protocol.md 10.7). */
  readonly itemlessCountsAsItem?: boolean;
}

/**
 * The item of a market-wide registration (`item: [""]`, protocol.md 10.4): 0s 장시작시간 and 1h VI for
 * every stock. Its pairs are registered, acknowledged, rejected and retried like any other.
 */
export const ITEMLESS = '';

const SEP = '|';
export const pairKey = (item: string, type: string): string => `${item}${SEP}${type}`;
const itemOf = (key: string): string => key.slice(0, key.indexOf(SEP));

/** Codes after which a retry can succeed soon: REG rate (105110), group and connection capacity (105118, 105115). */
const RETRY_SOON: ReadonlySet<string> = new Set(['105110', '105115', '105118']);

export class SubscriptionSet {
  /** item -> wanted real-time types */
  private readonly wanted = new Map<string, Set<string>>();
  /** `item|type` pairs REGistered on the current connection: false while unanswered, true once acknowledged. */
  private readonly active = new Map<string, boolean>();
  /** Pairs whose REG was rejected, waiting for their retry. */
  private readonly rejected = new Map<string, RejectedPair>();
  /** Pairs a rejected REMOVE left on the broker: removed again at their retry instant. */
  private readonly leftOnServer = new Map<string, number>();
  /** Messages sent (or queued to send) and not answered yet, oldest first. */
  private readonly inFlight: Array<{ message: RegistrationMessage; pairs: string[] }> = [];
  private readonly refused = new Set<string>();
  private readonly groupNo: string;
  private readonly chunkSize: number;
  private readonly maxItems: number;
  private readonly retry: ExponentialPolicy;
  private readonly itemlessCounts: boolean;
  /** Items refused for the budget, ever. */
  refusedTotal = 0;

  constructor(options: SubscriptionOptions = {}) {
    this.groupNo = options.groupNo ?? '1';
    this.chunkSize = options.chunkSize ?? 100;
    this.maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    this.retry = options.retry ?? { baseMs: 2_000, capMs: 120_000 };
    this.itemlessCounts = options.itemlessCountsAsItem ?? true;
    if (this.chunkSize < 1) throw new RangeError('chunkSize must be at least 1');
  }

  /** Adds (item, type) pairs for every item within the item budget; returns how many pairs were new. */
  add(items: Iterable<string>, types: readonly string[]): number {
    let added = 0;
    for (const item of items) {
      let set = this.wanted.get(item);
      if (!set) {
        const counted = item !== ITEMLESS || this.itemlessCounts;
        if (counted && this.itemsCounted() >= this.maxItems) {
          if (!this.refused.has(item)) this.refusedTotal++;
          this.refused.add(item);
          continue;
        }
        this.wanted.set(item, (set = new Set()));
      }
      for (const type of types) {
        if (!set.has(type)) {
          set.add(type);
          added++;
        }
      }
    }
    return added;
  }

  /** Removes pairs; with no types, every type of the item. Returns how many pairs went. */
  remove(items: Iterable<string>, types?: readonly string[]): number {
    let removed = 0;
    for (const item of items) {
      this.refused.delete(item);
      const set = this.wanted.get(item);
      if (!set) continue;
      for (const type of types ?? [...set]) if (set.delete(type)) removed++;
      if (set.size === 0) this.wanted.delete(item);
    }
    return removed;
  }

  /** Whether an item is wanted (entries for any other item are dropped at the connection's output). */
  hasItem(item: string): boolean {
    return this.wanted.has(item);
  }

  /** Wanted pairs as sorted `item|type` keys. */
  wantedPairs(): string[] {
    const out: string[] = [];
    for (const [item, types] of this.wanted) for (const t of types) out.push(pairKey(item, t));
    return out.sort();
  }

  /** Distinct items as the budget counts them (the item-less one per `itemlessCountsAsItem`). */
  itemsCounted(): number {
    return this.wanted.size - (!this.itemlessCounts && this.wanted.has(ITEMLESS) ? 1 : 0);
  }

  /** Items with at least one wanted type. */
  wantedItems(): string[] {
    return [...this.wanted.keys()];
  }

  /** Items the budget refused (still asked for), sorted. */
  refusedItems(): string[] {
    return [...this.refused].sort();
  }

  /** Pairs registered or being registered on the current connection, sorted. */
  activePairs(): string[] {
    return [...this.active.keys()].sort();
  }

  /** Pairs the broker acknowledged on the current connection, sorted. */
  ackedPairs(): string[] {
    const out: string[] = [];
    for (const [key, acked] of this.active) if (acked) out.push(key);
    return out.sort();
  }

  /** Items with at least one acknowledged pair. */
  ackedItems(): Set<string> {
    const out = new Set<string>();
    for (const [key, acked] of this.active) if (acked) out.add(itemOf(key));
    return out;
  }

  /** Rejected pairs still wanted, waiting for a retry, sorted by pair. */
  rejectedPairs(): RejectedPair[] {
    return [...this.rejected.values()].filter((r) => this.isWanted(r.pair)).sort((a, b) => (a.pair < b.pair ? -1 : 1));
  }

  /** The earliest retry instant of a rejected REG (pair still wanted) or REMOVE, or null. */
  nextRetryAt(): number | null {
    let next: number | null = null;
    for (const r of this.rejected.values()) if (this.isWanted(r.pair) && (next === null || r.retryAt < next)) next = r.retryAt;
    for (const at of this.leftOnServer.values()) if (next === null || at < next) next = at;
    return next;
  }

  get wantedCount(): number {
    let n = 0;
    for (const types of this.wanted.values()) n += types.size;
    return n;
  }

  get ackedCount(): number {
    let n = 0;
    for (const acked of this.active.values()) if (acked) n++;
    return n;
  }

  /** A new connection starts with nothing registered and nothing in flight (rejections keep their backoff). */
  resetConnection(): void {
    this.active.clear();
    this.leftOnServer.clear();
    this.inFlight.length = 0;
  }

  /**
   * The messages that bring the current connection to the wanted set, queued as in flight. Items are
   * grouped by identical type sets (one REG registers items x types) and chunked; rejected pairs wait
   * for their retry instant (`now`, monotonic ms). Deterministic order.
   */
  plan(now = Number.POSITIVE_INFINITY): SubscriptionPlan {
    const toRegister = new Map<string, string[]>();
    const toRemove = new Map<string, string[]>();
    for (const [item, types] of this.wanted) {
      for (const type of types) {
        const key = pairKey(item, type);
        if (this.active.has(key)) continue;
        const rejection = this.rejected.get(key);
        if (rejection && rejection.retryAt > now) continue;
        push(toRegister, item, type);
      }
    }
    for (const key of this.active.keys()) {
      if (!this.isWanted(key)) push(toRemove, itemOf(key), key.slice(key.indexOf(SEP) + 1));
    }
    for (const [key, retryAt] of this.leftOnServer) {
      if (this.isWanted(key) || this.active.has(key)) this.leftOnServer.delete(key);
      else if (retryAt <= now) {
        this.leftOnServer.delete(key);
        push(toRemove, itemOf(key), key.slice(key.indexOf(SEP) + 1));
      }
    }
    for (const key of this.rejected.keys()) if (!this.isWanted(key)) this.rejected.delete(key);
    const messages = [...this.messagesFor('REMOVE', toRemove), ...this.messagesFor('REG', toRegister)];
    let registered = 0;
    let removed = 0;
    for (const [item, types] of toRemove) for (const t of types) {
      this.active.delete(pairKey(item, t));
      removed++;
    }
    for (const [item, types] of toRegister) for (const t of types) {
      this.active.set(pairKey(item, t), false);
      registered++;
    }
    return { messages, registered, removed };
  }

  /**
   * The broker answered the oldest message in flight: an acknowledged REG's pairs count as
   * subscribed; a rejected REG's pairs leave the connection and wait for a retry. Null when nothing
   * was in flight (an answer we did not ask for).
   */
  answer(outcome: { readonly ok: true } | { readonly ok: false; readonly code: string }, now: number): RegistrationAnswer | null {
    const head = this.inFlight.shift();
    if (!head) return null;
    if (head.message.trnm === 'REMOVE') {
      if (outcome.ok) return { message: head.message, pairs: head.pairs };
      // The broker still holds these pairs (its entries are dropped at the output meanwhile): REMOVE again later.
      const retryAt = now + (RETRY_SOON.has(outcome.code) ? this.retry.baseMs : this.retry.capMs);
      for (const key of head.pairs) if (!this.isWanted(key)) this.leftOnServer.set(key, retryAt);
      return { message: head.message, pairs: head.pairs, retryAt };
    }
    const pairs = head.pairs.filter((key) => this.active.get(key) === false);
    if (outcome.ok) {
      for (const key of pairs) {
        this.active.set(key, true);
        this.rejected.delete(key);
      }
      return { message: head.message, pairs };
    }
    let retryAt = now;
    for (const key of pairs) {
      this.active.delete(key);
      const attempts = (this.rejected.get(key)?.attempts ?? 0) + 1;
      // A code we cannot expect to clear soon is still retried, at the slowest pace.
      const wait = RETRY_SOON.has(outcome.code) ? doubling(this.retry, attempts - 1) : this.retry.capMs;
      retryAt = now + wait;
      this.rejected.set(key, { pair: key, code: outcome.code, attempts, retryAt });
    }
    return { message: head.message, pairs, retryAt };
  }

  private isWanted(key: string): boolean {
    return this.wanted.get(itemOf(key))?.has(key.slice(key.indexOf(SEP) + 1)) ?? false;
  }

  private messagesFor(trnm: 'REG' | 'REMOVE', byItem: Map<string, string[]>): RegistrationMessage[] {
    // Group items by their (sorted) type list so one data entry covers items x types exactly.
    const byTypes = new Map<string, string[]>();
    for (const [item, types] of byItem) {
      const key = types.sort().join(',');
      const items = byTypes.get(key);
      if (items) items.push(item);
      else byTypes.set(key, [item]);
    }
    const out: RegistrationMessage[] = [];
    for (const typesKey of [...byTypes.keys()].sort()) {
      const items = (byTypes.get(typesKey) as string[]).sort();
      const type = typesKey.split(',');
      for (let i = 0; i < items.length; i += this.chunkSize) {
        const chunk = items.slice(i, i + this.chunkSize);
        const data = [{ item: chunk, type }];
        const message: RegistrationMessage = trnm === 'REG' ? { trnm, grp_no: this.groupNo, refresh: '1', data } : { trnm, grp_no: this.groupNo, data };
        this.inFlight.push({ message, pairs: chunk.flatMap((item) => type.map((t) => pairKey(item, t))) });
        out.push(message);
      }
    }
    return out;
  }
}

function push(map: Map<string, string[]>, item: string, type: string): void {
  const list = map.get(item);
  if (list) list.push(type);
  else map.set(item, [type]);
}
