import { formatCount } from '../report.js';
import type { MsHistogram } from './ms-histogram.js';

/** p50 / p99 / p99.9 in ms; null where the sample is too small to carry that percentile. */
export interface LatencySummary {
  readonly n: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly max: number | null;
}

/** The fewest samples a percentile rests on honestly: 100 for p99, 1,000 for p99.9. */
export function minSamplesFor(p: number): number {
  return p >= 100 ? Number.POSITIVE_INFINITY : Math.ceil(Math.round((100 / (100 - p)) * 1e6) / 1e6);
}

export function summarizeLatency(h: MsHistogram): LatencySummary {
  const at = (p: number): number | null => (h.count >= minSamplesFor(p) ? h.percentile(p) : null);
  return { n: h.count, p50: at(50), p99: at(99), p999: at(99.9), max: h.count > 0 ? h.max() : null };
}

/** "1 / 3 / n too small ms (n = 512)". */
export function formatLatency(s: LatencySummary): string {
  const f = (v: number | null): string => (v === null ? 'n too small' : String(v));
  return `${f(s.p50)} / ${f(s.p99)} / ${f(s.p999)} ms (n = ${formatCount(s.n)})`;
}
