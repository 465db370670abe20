import { createRandom } from '../core/random.js';
import type { SignalOutcome } from './forward-returns.js';

/** The dimensions a report groups by, in the order it prints them. */
export const DIMENSIONS = ['all', 'strategy', 'kind', 'phase', 'venue', 'symbol'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface AggregateRow {
  readonly dimension: Dimension;
  /** The group's value ('-' when unknown, e.g. the phase without a session schedule). */
  readonly value: string;
  readonly horizonMs: number;
  /** Signals in the group. */
  readonly signals: number;
  /** Signals with a return at this horizon. */
  readonly n: number;
  /** Hits over the signals that take a side and have a return; null when none do. */
  readonly hitRate: number | null;
  /** Of the signed returns (see forward-returns.ts). */
  readonly mean: number | null;
  readonly median: number | null;
  /** Bootstrap 95 % interval of the mean; null below two returns. */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** Returns whose horizon was cut (at the close or the recording's end). */
  readonly cut: number;
}

export interface AggregateOptions {
  readonly horizonsMs: readonly number[];
  /** Bootstrap resamples per group and horizon. */
  readonly resamples?: number;
  /** Seeds the bootstrap: the same input and seed give the same intervals. */
  readonly seed?: string;
}

export const DEFAULT_RESAMPLES = 1000;

function valueOf(o: SignalOutcome, d: Dimension): string {
  const s = o.signal;
  switch (d) {
    case 'all':
      return 'all';
    case 'strategy':
      return s.strategy;
    case 'kind':
      return s.kind;
    case 'phase':
      return s.phase ?? '-';
    case 'venue':
      return s.venue ?? '-';
    case 'symbol':
      return s.symbol;
  }
}

/** Rows ordered by dimension, then value (code-point order), then horizon: a total, stable order. */
export function aggregate(outcomes: readonly SignalOutcome[], options: AggregateOptions): AggregateRow[] {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? 'krx-signals/report';
  const rows: AggregateRow[] = [];
  for (const dimension of DIMENSIONS) {
    const groups = new Map<string, SignalOutcome[]>();
    for (const o of outcomes) {
      const v = valueOf(o, dimension);
      let g = groups.get(v);
      if (!g) groups.set(v, (g = []));
      g.push(o);
    }
    for (const value of [...groups.keys()].sort(byCodePoint)) {
      const group = groups.get(value)!;
      options.horizonsMs.forEach((horizonMs, hi) => {
        const returns: number[] = [];
        let hits = 0;
        let sided = 0;
        let cut = 0;
        for (const o of group) {
          const h = o.horizons[hi]!;
          if (h.signed === null) continue;
          returns.push(h.signed);
          if (h.cut !== null) cut++;
          if (h.hit !== null) {
            sided++;
            if (h.hit) hits++;
          }
        }
        const ci = bootstrapMean(returns, resamples, `${seed}|${dimension}=${value}|${horizonMs}`);
        rows.push({
          dimension,
          value,
          horizonMs,
          signals: group.length,
          n: returns.length,
          hitRate: sided > 0 ? hits / sided : null,
          mean: returns.length > 0 ? sum(returns) / returns.length : null,
          median: median(returns),
          ciLow: ci?.[0] ?? null,
          ciHigh: ci?.[1] ?? null,
          cut,
        });
      });
    }
  }
  return rows;
}

/** The 2.5th and 97.5th percentiles of the means of `resamples` resamples (with replacement). */
export function bootstrapMean(xs: readonly number[], resamples: number, seed: string): [number, number] | null {
  if (xs.length < 2 || resamples < 1) return null;
  const random = createRandom(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < xs.length; i++) total += xs[random.int(xs.length)]!;
    means[r] = total / xs.length;
  }
  means.sort();
  return [quantile(means, 0.025), quantile(means, 0.975)];
}

/** Linear interpolation between closest ranks (the usual "type 7"). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Summation in a fixed order: the same returns in the same order give the same bits. */
function sum(xs: readonly number[]): number {
  let total = 0;
  for (const x of xs) total += x;
  return total;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
