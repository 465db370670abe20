import type { SignalRecord } from '../adapters/store/index.js';
import type { Exchange } from '../core/market.js';
import { aggregate, type AggregateRow } from './aggregate.js';
import { forwardOutcome, type ReportSignal, type SignalOutcome } from './forward-returns.js';
import { readRecordedMarket, tradeKey, type RecordedMarket } from './recorded-market.js';
import { calendarSchedule, recordedCalendar, type SessionSchedule } from './session-schedule.js';

/** A line the report prints on stderr beside its output: data it could not use, with a stable code. */
export interface ReportWarning {
  readonly code: 'E_REPORT_NO_TRADES';
  readonly message: string;
}

export interface Report {
  readonly horizonsMs: readonly number[];
  readonly outcomes: readonly SignalOutcome[];
  readonly aggregates: readonly AggregateRow[];
  readonly warnings: readonly ReportWarning[];
}

export interface ReportOptions {
  readonly horizonsMs: readonly number[];
  /** The recording of a session (the caller has found every one before calling). */
  readonly recordingOf: (sessionId: string) => string;
  /** A session's market the caller already holds (read from its recording, all symbols); else it is read here. */
  readonly marketOf?: (sessionId: string) => RecordedMarket | undefined;
  /** The schedule of a recorded session; default: the calendar its run used. */
  readonly schedule?: (market: RecordedMarket) => SessionSchedule;
  readonly resamples?: number;
  readonly seed?: string;
}

export const DEFAULT_HORIZONS_MS: readonly number[] = [60_000, 300_000, 900_000, 3_600_000];

/**
 * The forward-return report of stored signals. Sessions are read one at a time, each recording's
 * trades kept only for the symbols its signals name. The output depends only on the signals and
 * the recordings: the report of a replay equals the report of the live run it replays.
 */
export function buildReport(records: readonly SignalRecord[], options: ReportOptions): Report {
  const horizonsMs = [...options.horizonsMs].sort((a, b) => a - b);
  const bySession = new Map<string, SignalRecord[]>();
  for (const r of sortedSignals(records)) {
    let list = bySession.get(r.sessionId);
    if (!list) bySession.set(r.sessionId, (list = []));
    list.push(r);
  }
  const outcomes: SignalOutcome[] = [];
  const warnings: ReportWarning[] = [];
  for (const sessionId of [...bySession.keys()].sort()) {
    const list = bySession.get(sessionId)!;
    const market = options.marketOf?.(sessionId) ?? readRecordedMarket(options.recordingOf(sessionId), { symbols: new Set(list.map((r) => r.symbol)) });
    const schedule = options.schedule?.(market) ?? calendarSchedule(recordedCalendar(market.meta.config));
    const missing = new Map<string, number>();
    for (const r of list) {
      const signal = toReportSignal(r, schedule);
      const key = tradeKey(signal.symbol, signal.venue ?? 'KRX');
      const outcome = forwardOutcome(signal, market.trades.get(key), { horizonsMs, sessionEnd: schedule.sessionEnd, dataEnd: market.dataEnd });
      if (!outcome.hasTrades) missing.set(key, (missing.get(key) ?? 0) + 1);
      outcomes.push(outcome);
    }
    for (const [key, count] of [...missing].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [symbol, venue] = key.split('|');
      warnings.push({
        code: 'E_REPORT_NO_TRADES',
        message: `session ${sessionId}: the recording ${market.file} holds no trades of ${symbol} (${venue}): ${count} signal${count === 1 ? '' : 's'} without forward returns`,
      });
    }
  }
  const aggregates = aggregate(outcomes, { horizonsMs, ...(options.resamples !== undefined ? { resamples: options.resamples } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  return { horizonsMs, outcomes, aggregates, warnings };
}

/** (tsEvent, id), the store's order, whatever order the rows came in. */
function sortedSignals(records: readonly SignalRecord[]): SignalRecord[] {
  return [...records].sort((a, b) => a.tsEvent - b.tsEvent || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function toReportSignal(r: SignalRecord, schedule: SessionSchedule): ReportSignal {
  const details = parseDetails(r.detailsJson);
  // The signal's own venue (schema 4; rows written before it read KRX, all the daemon subscribed then).
  const venue = r.venue;
  const phase = typeof details.phase === 'string' ? details.phase : schedule.phaseAt(r.symbol, r.tsEvent);
  return { id: r.id, sessionId: r.sessionId, strategy: r.strategy, kind: r.kind, symbol: r.symbol, price: r.price, tsEvent: r.tsEvent, venue, phase };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
