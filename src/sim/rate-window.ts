/**
 * A one-second sliding window per key on the sim clock: `tryAcquire` admits a request when fewer
 * than `limit` were admitted in the last 1000 ms. Rejected requests do not count.
 */
export class RateWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(public limit: number, private readonly windowMs = 1000) {}

  tryAcquire(key: string, nowMs: number): boolean {
    let list = this.hits.get(key);
    if (list === undefined) {
      list = [];
      this.hits.set(key, list);
    }
    const from = nowMs - this.windowMs;
    let drop = 0;
    while (drop < list.length && (list[drop] ?? 0) <= from) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length >= this.limit) return false;
    list.push(nowMs);
    return true;
  }

  reset(): void {
    this.hits.clear();
  }
}
