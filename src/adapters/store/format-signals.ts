import { formatKstDashed } from '../../core/kst.js';
import { canonicalJson, type SignalRecord } from './signal-row.js';

export type SignalFormat = 'table' | 'jsonl' | 'csv';

export const SIGNAL_FORMATS: readonly SignalFormat[] = ['table', 'jsonl', 'csv'];

/**
 * Renders signals as text. The output depends only on the rows: `jsonl` (one object per line, fixed
 * key order, canonical details) is byte-identical for identical databases, which the replay
 * determinism contract compares; `csv` is RFC 4180 (CRLF, quoted where needed); `table` is for eyes.
 */
export function formatSignals(rows: readonly SignalRecord[], format: SignalFormat): string {
  switch (format) {
    case 'jsonl':
      return rows.map((r) => `${jsonLine(r)}\n`).join('');
    case 'csv':
      return formatCsv(rows);
    case 'table':
      return formatTable(rows);
  }
}

/**
 * Fixed key order, the Signal field names; details re-serialised canonically. The session mode is
 * left out on purpose: a replay must reproduce a live session's lines byte for byte.
 */
function jsonLine(r: SignalRecord): string {
  const s = JSON.stringify;
  return (
    `{"id":${s(r.id)},"sessionId":${s(r.sessionId)},"strategy":${s(r.strategy)},"strategyVersion":${s(r.strategyVersion)},` +
    `"symbol":${s(r.symbol)},"venue":${s(r.venue)},"kind":${s(r.kind)},"price":${s(r.price)},"tsEvent":${s(r.tsEvent)},"tsRecv":${s(r.tsRecv)},` +
    `"details":${canonicalDetails(r.detailsJson)}}`
  );
}

function canonicalDetails(text: string): string {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return JSON.stringify(text); // not JSON (written by another tool): keep it, as a string
  }
}

// `sessionMode`, then `venue` are appended last so existing column positions stay put.
const CSV_HEADER = ['id', 'sessionId', 'strategy', 'strategyVersion', 'symbol', 'kind', 'price', 'tsEvent', 'tsRecv', 'timeKst', 'details', 'sessionMode', 'venue'];

function formatCsv(rows: readonly SignalRecord[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    const cells = [r.id, r.sessionId, r.strategy, r.strategyVersion, r.symbol, r.kind, r.price === null ? '' : String(r.price), String(r.tsEvent), String(r.tsRecv), kstTime(r.tsEvent), canonicalDetails(r.detailsJson), r.sessionMode ?? '', r.venue];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function formatTable(rows: readonly SignalRecord[]): string {
  const header = ['TIME (KST)', 'STRATEGY', 'SYMBOL', 'VENUE', 'KIND', 'PRICE', 'SESSION', 'MODE', 'ID'];
  const body = rows.map((r) => [kstTime(r.tsEvent), `${r.strategy}@${r.strategyVersion}`, r.symbol, r.venue, r.kind, r.price === null ? '-' : String(r.price), r.sessionId, r.sessionMode ?? '-', r.id]);
  const all = [header, ...body].map((cells) => cells.map(oneLine));
  const widths = header.map((_, i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  const rightAligned = new Set([5]);
  return all
    .map((cells) => cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .map((l) => `${l}\n`)
    .join('');
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]/g, ' ');
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in KST. */
function kstTime(ms: number): string {
  return `${formatKstDashed(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
}
