import type { Random } from '../core/random.js';
import type { SimStock } from './universe.js';

export interface WatchGroup {
  code: string;
  name: string;
  stocks: string[];
}

/** KIS 관심종목 groups: seeded at start, editable at run time through the fault API. */
export class Watchlists {
  private readonly groups = new Map<string, WatchGroup>();

  constructor(random: Random, stocks: readonly SimStock[]) {
    const names = ['관심1', '반도체', '2차전지', '바이오', '단타'];
    const count = 3 + random.int(2);
    const pool = stocks.map((s) => s.code);
    for (let g = 0; g < count; g++) {
      const code = String(g + 1).padStart(3, '0');
      const size = 5 + random.int(26);
      const picked = new Set<string>(g === 0 ? ['005930', '000660'] : []);
      while (picked.size < size) picked.add(pool[random.int(pool.length)] ?? '005930');
      this.groups.set(code, { code, name: names[g] ?? `그룹${g + 1}`, stocks: [...picked] });
    }
  }

  list(): WatchGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.code < b.code ? -1 : 1)).map((g) => ({ ...g, stocks: [...g.stocks] }));
  }

  get(code: string): WatchGroup | undefined {
    return this.groups.get(code);
  }

  /** Creates or replaces a group. */
  set(code: string, stocks: readonly string[], name?: string): void {
    const prev = this.groups.get(code);
    this.groups.set(code, { code, name: name ?? prev?.name ?? `그룹${code}`, stocks: [...stocks] });
  }

  remove(code: string): boolean {
    return this.groups.delete(code);
  }
}
