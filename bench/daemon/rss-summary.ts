/** One memory sample, `atMs` after the daemon went live. */
export interface RssSample {
  readonly atMs: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** C++ objects bound to JS, Buffers included (what is neither heap nor native code). */
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface RssSummary {
  readonly rssEnd: number;
  /** The first sample at or after `settleMs` (minute 1). */
  readonly rssAtSettle: number;
  /** rssEnd - rssAtSettle. */
  readonly growthAfterSettle: number;
  /** Least-squares slopes over the samples from `settleMs` on, bytes per minute. */
  readonly heapSlopePerMinute: number;
  readonly rssSlopePerMinute: number;
  /** Samples the slopes rest on. */
  readonly settledSamples: number;
}

/** Slope of y over x by ordinary least squares; NaN for fewer than two distinct x. */
export function leastSquaresSlope(points: readonly { readonly x: number; readonly y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den > 0 ? num / den : Number.NaN;
}

/** RSS at the end and at minute 1, growth since, and heap/RSS slopes after it. Throws when empty. */
export function summarizeRss(samples: readonly RssSample[], settleMs: number): RssSummary {
  const last = samples[samples.length - 1];
  if (last === undefined) throw new Error('no memory samples');
  const settled = samples.filter((s) => s.atMs >= settleMs);
  const atSettle = settled[0] ?? last;
  const perMinute = (key: 'rss' | 'heapUsed'): number => leastSquaresSlope(settled.map((s) => ({ x: s.atMs / 60_000, y: s[key] })));
  return {
    rssEnd: last.rss,
    rssAtSettle: atSettle.rss,
    growthAfterSettle: last.rss - atSettle.rss,
    heapSlopePerMinute: perMinute('heapUsed'),
    rssSlopePerMinute: perMinute('rss'),
    settledSamples: settled.length,
  };
}
