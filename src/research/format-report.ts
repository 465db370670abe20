import { csvCell } from '../adapters/store/index.js';
import { formatKstDashed } from '../core/kst.js';
import type { AggregateRow } from './aggregate.js';
import type { HorizonOutcome, SignalOutcome } from './forward-returns.js';
import type { Report } from './report.js';

export type ReportFormat = 'table' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'csv'];

export interface FormatOptions {
  /** Table and CSV: one row per signal instead of the aggregates (JSON always has both). */
  readonly perSignal?: boolean;
}

/** `60000` -> `1m`, `30000` -> `30s`, `7200000` -> `120m`. */
export function horizonLabel(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** `1m,5m,15m,60m` (also `30s`, `2h`) -> ascending ms; null on a bad list. */
export function parseHorizons(text: string): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*([smh])\s*$/.exec(part);
    if (!m) return null;
    const ms = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000);
    if (ms <= 0) return null;
    out.add(ms);
  }
  return [...out].sort((a, b) => a - b);
}

export function formatReport(report: Report, format: ReportFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(reportJson(report), null, 2)}\n`;
    case 'csv':
      return options.perSignal ? signalsCsv(report) : aggregatesCsv(report.aggregates);
    case 'table':
      return options.perSignal ? signalsTable(report) : `${headline(report)}\n${aggregatesTable(report.aggregates)}`;
  }
}

function headline(r: Report): string {
  const sessions = new Set(r.outcomes.map((o) => o.signal.sessionId)).size;
  return (
    `Forward returns of ${r.outcomes.length} signal${r.outcomes.length === 1 ? '' : 's'} in ${sessions} session${sessions === 1 ? '' : 's'}, ` +
    `horizons ${r.horizonsMs.map(horizonLabel).join(' ')}; returns in % signed by the signal's direction (an EXIT is right when the price falls); ` +
    `HIT = BUY went up / EXIT went down; CUT = horizons cut at the close or the recording's end`
  );
}

export function reportJson(r: Report): unknown {
  return {
    horizons: r.horizonsMs.map(horizonLabel),
    signals: r.outcomes.map((o) => ({
      id: o.signal.id,
      sessionId: o.signal.sessionId,
      strategy: o.signal.strategy,
      kind: o.signal.kind,
      symbol: o.signal.symbol,
      venue: o.signal.venue,
      phase: o.signal.phase,
      tsEvent: o.signal.tsEvent,
      entryPrice: o.entryPrice,
      hasTrades: o.hasTrades,
      mfe: o.mfe,
      mae: o.mae,
      horizons: Object.fromEntries(o.horizons.map((h) => [horizonLabel(h.horizonMs), { ret: h.ret, signed: h.signed, hit: h.hit, cut: h.cut, exitAt: h.exitAt }])),
    })),
    aggregates: r.aggregates.map((a) => ({ ...a, horizon: horizonLabel(a.horizonMs) })),
  };
}

const AGG_HEADER = ['DIMENSION', 'VALUE', 'HORIZON', 'SIGNALS', 'N', 'HIT%', 'MEAN%', 'MEDIAN%', 'CI95% LOW', 'CI95% HIGH', 'CUT'];

function aggregateCells(a: AggregateRow): string[] {
  return [a.dimension, a.value, horizonLabel(a.horizonMs), String(a.signals), String(a.n), pct(a.hitRate, false), pct(a.mean), pct(a.median), pct(a.ciLow), pct(a.ciHigh), String(a.cut)];
}

export function aggregatesTable(rows: readonly AggregateRow[]): string {
  return alignTable(AGG_HEADER, rows.map(aggregateCells), new Set([3, 4, 5, 6, 7, 8, 9, 10]));
}

function aggregatesCsv(rows: readonly AggregateRow[]): string {
  const header = ['dimension', 'value', 'horizon', 'signals', 'n', 'hitRate', 'mean', 'median', 'ciLow', 'ciHigh', 'cut'];
  const lines = rows.map((a) => [a.dimension, a.value, horizonLabel(a.horizonMs), String(a.signals), String(a.n), num(a.hitRate), num(a.mean), num(a.median), num(a.ciLow), num(a.ciHigh), String(a.cut)]);
  return csv(header, lines);
}

function signalsTable(r: Report): string {
  const header = ['TIME (KST)', 'STRATEGY', 'KIND', 'SYMBOL', 'VENUE', 'PHASE', 'ENTRY', ...r.horizonsMs.map((h) => `${horizonLabel(h)}%`), 'MFE%', 'MAE%', 'ID'];
  const rows = r.outcomes.map((o) => [
    kstTime(o.signal.tsEvent),
    o.signal.strategy,
    o.signal.kind,
    o.signal.symbol,
    o.signal.venue ?? '-',
    o.signal.phase ?? '-',
    o.entryPrice === null ? '-' : String(o.entryPrice),
    ...o.horizons.map(horizonCell),
    pct(o.mfe),
    pct(o.mae),
    o.signal.id,
  ]);
  const right = new Set<number>([6, ...r.horizonsMs.map((_, i) => 7 + i), 7 + r.horizonsMs.length, 8 + r.horizonsMs.length]);
  return `${alignTable(header, rows, right)}(returns in % of the entry price, unsigned; c = cut at the close, e = cut at the recording's end, - = no trade after the signal)\n`;
}

function signalsCsv(r: Report): string {
  const header = ['id', 'sessionId', 'strategy', 'kind', 'symbol', 'venue', 'phase', 'tsEvent', 'timeKst', 'entryPrice', ...r.horizonsMs.flatMap((h) => [`ret${horizonLabel(h)}`, `cut${horizonLabel(h)}`]), 'mfe', 'mae'];
  const lines = r.outcomes.map((o) => [
    o.signal.id,
    o.signal.sessionId,
    o.signal.strategy,
    o.signal.kind,
    o.signal.symbol,
    o.signal.venue ?? '',
    o.signal.phase ?? '',
    String(o.signal.tsEvent),
    kstTime(o.signal.tsEvent),
    o.entryPrice === null ? '' : String(o.entryPrice),
    ...o.horizons.flatMap((h) => [num(h.ret), h.cut ?? '']),
    num(o.mfe),
    num(o.mae),
  ]);
  return csv(header, lines);
}

function horizonCell(h: HorizonOutcome): string {
  const mark = h.cut === 'close' ? 'c' : h.cut === 'eof' ? 'e' : ' ';
  return `${pct(h.ret)}${mark}`;
}

function pct(x: number | null, signed = true): string {
  if (x === null) return '-';
  const v = (x * 100).toFixed(2);
  return v === '0.00' || v === '-0.00' ? '0.00' : signed && x > 0 ? `+${v}` : v;
}

function num(x: number | null): string {
  return x === null ? '' : String(x);
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${[header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function alignTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const all = [header, ...rows].map((cells) => cells.map((c) => c.replace(/[\r\n\t]/g, ' ')));
  const widths = header.map((_, i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  return all
    .map((cells) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .map((l) => `${l}\n`)
    .join('');
}

function kstTime(ms: number): string {
  return `${formatKstDashed(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
}
