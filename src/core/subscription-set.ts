/**
 * The wanted subscription set is the truth (style.md example 5). The connection never rebuilds
 * subscriptions from a memory of past messages: after a reconnect it registers the whole wanted set
 * again, and while live each change becomes the minimal REG (refresh "1") or REMOVE.
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

const SEP = '|';
export const pairKey = (item: string, type: string): string => `${item}${SEP}${type}`;

export class SubscriptionSet {
  /** item -> wanted real-time types */
  private readonly wanted = new Map<string, Set<string>>();
  /** `item|type` pairs registered on the current connection */
  private readonly active = new Set<string>();

  constructor(
    private readonly groupNo = '1',
    private readonly chunkSize = 100,
  ) {
    if (chunkSize < 1) throw new RangeError('chunkSize must be at least 1');
  }

  /** Adds (item, type) pairs for every item; returns how many pairs were new. */
  add(items: Iterable<string>, types: readonly string[]): number {
    let added = 0;
    for (const item of items) {
      let set = this.wanted.get(item);
      if (!set) this.wanted.set(item, (set = new Set()));
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
      const set = this.wanted.get(item);
      if (!set) continue;
      for (const type of types ?? [...set]) if (set.delete(type)) removed++;
      if (set.size === 0) this.wanted.delete(item);
    }
    return removed;
  }

  /** Wanted pairs as sorted `item|type` keys. */
  wantedPairs(): string[] {
    const out: string[] = [];
    for (const [item, types] of this.wanted) for (const t of types) out.push(pairKey(item, t));
    return out.sort();
  }

  /** Items with at least one wanted type. */
  wantedItems(): string[] {
    return [...this.wanted.keys()];
  }

  /** Pairs registered on the current connection, sorted. */
  activePairs(): string[] {
    return [...this.active].sort();
  }

  get wantedCount(): number {
    let n = 0;
    for (const types of this.wanted.values()) n += types.size;
    return n;
  }

  /** A new connection starts with nothing registered. */
  resetConnection(): void {
    this.active.clear();
  }

  /**
   * The messages that bring the current connection to the wanted set, marked as applied. Items are
   * grouped by identical type sets (one REG registers items x types) and chunked. Deterministic order.
   */
  plan(): SubscriptionPlan {
    const toRegister = new Map<string, string[]>();
    const toRemove = new Map<string, string[]>();
    for (const [item, types] of this.wanted) {
      for (const type of types) if (!this.active.has(pairKey(item, type))) push(toRegister, item, type);
    }
    for (const key of this.active) {
      const [item, type] = key.split(SEP) as [string, string];
      if (!this.wanted.get(item)?.has(type)) push(toRemove, item, type);
    }
    const messages = [...this.messagesFor('REMOVE', toRemove), ...this.messagesFor('REG', toRegister)];
    let registered = 0;
    let removed = 0;
    for (const [item, types] of toRemove) for (const t of types) {
      this.active.delete(pairKey(item, t));
      removed++;
    }
    for (const [item, types] of toRegister) for (const t of types) {
      this.active.add(pairKey(item, t));
      registered++;
    }
    return { messages, registered, removed };
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
        const data = [{ item: items.slice(i, i + this.chunkSize), type }];
        out.push(trnm === 'REG' ? { trnm, grp_no: this.groupNo, refresh: '1', data } : { trnm, grp_no: this.groupNo, data });
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
