/**
 * Counts of integer-millisecond samples: exact nearest-rank percentiles without keeping every
 * sample (a 20,000 events/s run yields hundreds of thousands).
 */
export interface MsHistogram {
  record(ms: number): void;
  readonly count: number;
  /** Nearest rank, as `percentile` in bench/stats.ts; NaN when empty. */
  percentile(p: number): number;
  max(): number;
}

export function createMsHistogram(): MsHistogram {
  const counts: number[] = [];
  let count = 0;
  return {
    record(ms) {
      // A sample below 0 can only be a clock step; it is kept as 0 rather than lost.
      const i = Math.max(0, Math.round(ms));
      counts[i] = (counts[i] ?? 0) + 1;
      count++;
    },
    get count() {
      return count;
    },
    percentile(p) {
      if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100] (got ${p})`);
      if (count === 0) return Number.NaN;
      const rank = Math.max(1, Math.ceil(Math.round((p / 100) * count * 1e6) / 1e6));
      let seen = 0;
      for (let i = 0; i < counts.length; i++) {
        seen += counts[i] ?? 0;
        if (seen >= rank) return i;
      }
      return counts.length - 1;
    },
    max() {
      return count === 0 ? Number.NaN : counts.length - 1;
    },
  };
}
