/**
 * Which app key holds which symbol (issue 19 item 1): the universe sharded across the keys, each key
 * within its item budget (connection.maxItems). Pure state, no I/O.
 *
 * Stable: a symbol stays on its key until that key fails (is marked unusable) or leaves the
 * universe. A new symbol goes to the usable key with the most room (ties: the key listed first),
 * so a fresh universe spreads evenly. A failed key's symbols go to the others while they have room,
 * static symbols (strategy-required, config extras) first, then in the order they entered the
 * universe; what does not fit is left out (no key) and placed as soon as room appears (a key
 * recovers, a symbol leaves). A recovered key takes new and left-out symbols; nothing moves back.
 */
export interface KeyDiff {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

export interface KeyShards {
  /** Applies a universe change; returns the change per key (keys without one are absent). */
  applyUniverse(diff: { readonly add: readonly string[]; readonly remove: readonly string[] }): Map<string, KeyDiff>;
  /** Marks a key usable or not; returns the moves that follow, per key. */
  setUsable(key: string, usable: boolean): Map<string, KeyDiff>;
  isUsable(key: string): boolean;
  /** The key holding `symbol`; null when left out; undefined when not in the universe. */
  ownerOf(symbol: string): string | null | undefined;
  /** The symbols a key holds, sorted. */
  symbolsOf(key: string): string[];
  /** Universe symbols no key holds (every usable key full), in placement order. */
  leftOut(): string[];
  /** Symbols moved to another key because their key failed, since the start. */
  readonly moved: number;
}

export function createKeyShards(options: { readonly keys: readonly string[]; readonly budget: number; readonly staticSymbols?: readonly string[] }): KeyShards {
  const keys = [...options.keys];
  if (keys.length === 0 || new Set(keys).size !== keys.length) throw new Error(`key shards need distinct keys (got ${JSON.stringify(keys)})`);
  const budget = Math.max(0, Math.floor(options.budget));
  const fixed = new Set(options.staticSymbols ?? []);
  const usable = new Map(keys.map((k) => [k, true]));
  /** Every universe symbol in arrival order -> its key (null: left out). */
  const owner = new Map<string, string | null>();
  const held = new Map(keys.map((k) => [k, new Set<string>()]));
  let moved = 0;

  const roomiest = (): string | null => {
    let best: string | null = null;
    let bestRoom = 0;
    for (const k of keys) {
      if (!usable.get(k)) continue;
      const room = budget - (held.get(k) as Set<string>).size;
      if (room > bestRoom) {
        best = k;
        bestRoom = room;
      }
    }
    return best;
  };

  /** Static symbols first, then arrival order. */
  const byPriority = (symbols: Iterable<string>): string[] => {
    const list = [...symbols];
    return [...list.filter((s) => fixed.has(s)), ...list.filter((s) => !fixed.has(s))];
  };

  const changes = (): { add: Map<string, string[]>; remove: Map<string, string[]> } => ({ add: new Map(), remove: new Map() });
  const push = (m: Map<string, string[]>, key: string, symbol: string): void => {
    const list = m.get(key);
    if (list) list.push(symbol);
    else m.set(key, [symbol]);
  };
  const assign = (symbol: string, c: ReturnType<typeof changes>): void => {
    const to = roomiest();
    owner.set(symbol, to);
    if (to === null) return;
    (held.get(to) as Set<string>).add(symbol);
    push(c.add, to, symbol);
  };
  /** Places every left-out symbol that now fits. */
  const placeLeftOut = (c: ReturnType<typeof changes>): void => {
    for (const symbol of byPriority([...owner].filter(([, k]) => k === null).map(([s]) => s))) {
      if (roomiest() === null) return;
      assign(symbol, c);
    }
  };
  const result = (c: ReturnType<typeof changes>): Map<string, KeyDiff> => {
    const out = new Map<string, KeyDiff>();
    for (const k of keys) {
      const add = (c.add.get(k) ?? []).sort();
      const remove = (c.remove.get(k) ?? []).sort();
      if (add.length > 0 || remove.length > 0) out.set(k, { add, remove });
    }
    return out;
  };

  return {
    applyUniverse(diff) {
      const c = changes();
      for (const symbol of diff.remove) {
        const k = owner.get(symbol);
        owner.delete(symbol);
        if (k === undefined || k === null) continue;
        (held.get(k) as Set<string>).delete(symbol);
        push(c.remove, k, symbol);
      }
      placeLeftOut(c);
      for (const symbol of byPriority(diff.add)) {
        if (owner.has(symbol)) continue;
        assign(symbol, c);
      }
      return result(c);
    },
    setUsable(key, isUsable) {
      if (!usable.has(key)) throw new Error(`unknown key ${key}`);
      const c = changes();
      if (usable.get(key) === isUsable) return result(c);
      usable.set(key, isUsable);
      if (!isUsable) {
        const mine = held.get(key) as Set<string>;
        const orphans = byPriority([...owner].filter(([, k]) => k === key).map(([s]) => s));
        for (const symbol of orphans) {
          mine.delete(symbol);
          push(c.remove, key, symbol);
          owner.set(symbol, null);
        }
        for (const symbol of orphans) {
          assign(symbol, c);
          if (owner.get(symbol) !== null) moved++;
        }
      }
      placeLeftOut(c);
      return result(c);
    },
    isUsable: (key) => usable.get(key) === true,
    ownerOf: (symbol) => owner.get(symbol),
    symbolsOf: (key) => [...(held.get(key) ?? [])].sort(),
    leftOut: () => byPriority([...owner].filter(([, k]) => k === null).map(([s]) => s)),
    get moved() {
      return moved;
    },
  };
}
