import type { AggregateRow } from './aggregate.js';
import { aggregatesTable, alignTable, horizonLabel } from './format-report.js';
import type { SweepCombination, SweepResult } from './sweep.js';
import { csvCell } from '../adapters/store/index.js';

export const SWEEP_SORT_KEYS = ['params', 'mean', 'median', 'hit', 'n', 'ci-low'] as const;
export type SweepSortKey = (typeof SWEEP_SORT_KEYS)[number];

export interface SweepFormatOptions {
  readonly sort: SweepSortKey;
  /** The horizon the ranking reads (ms); default the first. */
  readonly horizonMs: number;
  readonly format: 'table' | 'json' | 'csv';
  /** Per-symbol rows in each combination's table. */
  readonly bySymbol?: boolean;
}

/** The 'all' row of a combination at a horizon. */
function overall(c: SweepCombination, horizonMs: number): AggregateRow | undefined {
  return c.aggregates.find((a) => a.dimension === 'all' && a.horizonMs === horizonMs);
}

function metric(row: AggregateRow | undefined, key: SweepSortKey): number | null {
  if (!row) return null;
  switch (key) {
    case 'mean':
      return row.mean;
    case 'median':
      return row.median;
    case 'hit':
      return row.hitRate;
    case 'n':
      return row.n;
    case 'ci-low':
      return row.ciLow;
    case 'params':
      return null;
  }
}

/** Best first (descending), combinations without a value last, ties in parameter-set order. */
export function rankCombinations(combinations: readonly SweepCombination[], key: SweepSortKey, horizonMs: number): SweepCombination[] {
  if (key === 'params') return [...combinations];
  return [...combinations].sort((a, b) => {
    const x = metric(overall(a, horizonMs), key);
    const y = metric(overall(b, horizonMs), key);
    if (x === null || y === null) return x === null && y === null ? a.index - b.index : x === null ? 1 : -1;
    return y - x || a.index - b.index;
  });
}

export function formatSweep(result: SweepResult, strategyId: string, options: SweepFormatOptions): string {
  const ranked = rankCombinations(result.combinations, options.sort, options.horizonMs);
  if (options.format === 'json') {
    return `${JSON.stringify({ strategy: strategyId, sessions: result.sessions, sort: options.sort, horizon: horizonLabel(options.horizonMs), combinations: ranked.map((c) => ({ index: c.index, params: Object.fromEntries(c.params), signals: c.signals, db: c.dbFile, aggregates: c.aggregates })) }, null, 2)}\n`;
  }
  const header = ['RANK', '#', 'PARAMS', 'SIGNALS', 'N', 'HIT%', 'MEAN%', 'MEDIAN%', 'CI95% LOW', 'CI95% HIGH', 'CUT'];
  const rows = ranked.map((c, i) => {
    const a = overall(c, options.horizonMs);
    return [String(i + 1), String(c.index), c.label, String(c.signals), String(a?.n ?? 0), pct(a?.hitRate ?? null, false), pct(a?.mean ?? null), pct(a?.median ?? null), pct(a?.ciLow ?? null), pct(a?.ciHigh ?? null), String(a?.cut ?? 0)];
  });
  if (options.format === 'csv') {
    const csvHeader = ['rank', 'index', 'params', 'signals', 'n', 'hitRate', 'mean', 'median', 'ciLow', 'ciHigh', 'cut'];
    const lines = ranked.map((c, i) => {
      const a = overall(c, options.horizonMs);
      return [String(i + 1), String(c.index), c.label, String(c.signals), String(a?.n ?? 0), num(a?.hitRate), num(a?.mean), num(a?.median), num(a?.ciLow), num(a?.ciHigh), String(a?.cut ?? 0)];
    });
    return `${[csvHeader, ...lines].map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
  }
  const sections = ranked.map((c) => {
    const rowsOf = c.aggregates.filter((a) => options.bySymbol === true || a.dimension !== 'symbol');
    return `#${c.index} ${c.label}: ${c.signals} signal${c.signals === 1 ? '' : 's'} (${c.dbFile})\n${aggregatesTable(rowsOf)}`;
  });
  const by = options.sort === 'params' ? 'in parameter-set order' : `by ${options.sort} at ${horizonLabel(options.horizonMs)}, best first`;
  return (
    `Sweep of ${strategyId} over ${result.sessions} session${result.sessions === 1 ? '' : 's'} and ${result.combinations.length} parameter set${result.combinations.length === 1 ? '' : 's'}; returns in % signed by the signal's direction\n\n` +
    `${sections.join('\n')}\nRanking ${by} (all signals at ${horizonLabel(options.horizonMs)}):\n${alignTable(header, rows, new Set([0, 1, 3, 4, 5, 6, 7, 8, 9, 10]))}`
  );
}

function pct(x: number | null, signed = true): string {
  if (x === null) return '-';
  const v = (x * 100).toFixed(2);
  return v === '0.00' || v === '-0.00' ? '0.00' : signed && x > 0 ? `+${v}` : v;
}

function num(x: number | null | undefined): string {
  return x === null || x === undefined ? '' : String(x);
}
