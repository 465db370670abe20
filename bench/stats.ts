/** Small statistics helpers for the benchmarks (pure; unit-tested in test/unit/bench). */

/** The median; the mean of the two middle values for an even count. NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The nearest-rank percentile (p in [0, 100]): the smallest value with at least p % of the values at
 * or below it, so p99.9 of 1,000 samples is the largest. p = 0 gives the minimum. NaN when empty.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100] (got ${p})`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

/** `percentile` on an already ascending list (no copy: for large latency samples). */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Rounded first: (99.9 / 100) * 1000 is 999.0000000000001 in binary floating point.
  const rank = Math.max(1, Math.ceil(Math.round((p / 100) * sorted.length * 1e6) / 1e6));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Items per second from a count and elapsed milliseconds, rounded. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((count * 1000) / elapsedMs) : Number.NaN;
}
