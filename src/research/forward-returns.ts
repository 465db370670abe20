import type { Exchange } from '../core/market.js';
import type { SignalKind } from '../core/signal.js';
import type { TradeSeries } from './recorded-market.js';

/**
 * Forward returns of signals from recorded trades: pure, no I/O, no clock. Times are venue times
 * (a trade's FID 20, to the second) against the signal's tsEvent; a trade counts as after a signal
 * when its time is later than the signal's. The closing auction's print, stamped at the close, is
 * the last price of a horizon cut at the close.
 */
export interface ReportSignal {
  readonly id: string;
  readonly sessionId: string;
  readonly strategy: string;
  readonly kind: SignalKind;
  readonly symbol: string;
  readonly price: number | null;
  readonly tsEvent: number;
  /** The signal's own venue (null only from callers without one); its trades are that venue's. */
  readonly venue: Exchange | null;
  readonly phase: string | null;
}

/** Why a horizon is shorter than asked: the venue's trading day ended, or the recording did. */
export type HorizonCut = 'close' | 'eof' | null;

export interface HorizonOutcome {
  readonly horizonMs: number;
  /** Last price in the window over the entry price, minus 1; null when no trade came after the signal. */
  readonly ret: number | null;
  /** `ret` in the signal's direction (an EXIT or SELL is right when the price falls). */
  readonly signed: number | null;
  /** A BUY went up / an EXIT or SELL went down; null for an ALERT or without a return. */
  readonly hit: boolean | null;
  readonly cut: HorizonCut;
  /** The time of the trade the return was taken at. */
  readonly exitAt: number | null;
}

export interface SignalOutcome {
  readonly signal: ReportSignal;
  readonly entryPrice: number | null;
  readonly horizons: readonly HorizonOutcome[];
  /** Maximum favourable / adverse excursion in the signal's direction within the longest horizon (>= 0 / <= 0). */
  readonly mfe: number | null;
  readonly mae: number | null;
  /** False when the recording holds no trade at all of the signal's symbol and venue. */
  readonly hasTrades: boolean;
}

export interface ForwardOptions {
  /** Ascending horizons, ms. */
  readonly horizonsMs: readonly number[];
  /** The end of the trading day in progress at `t` for `symbol` (epoch ms; Infinity when always open). */
  readonly sessionEnd: (symbol: string, t: number) => number;
  /** Where the recorded data ends (epoch ms). */
  readonly dataEnd: number;
}

/** +1 when the signal expects a rise, -1 a fall, 0 when it takes no side. */
export function directionOf(kind: SignalKind): 1 | -1 | 0 {
  if (kind === 'BUY') return 1;
  if (kind === 'EXIT' || kind === 'SELL') return -1;
  return 0;
}

export function forwardOutcome(signal: ReportSignal, trades: TradeSeries | undefined, options: ForwardOptions): SignalOutcome {
  const empty = (hasTrades: boolean, entryPrice: number | null): SignalOutcome => ({
    signal,
    entryPrice,
    horizons: options.horizonsMs.map((h) => ({ horizonMs: h, ret: null, signed: null, hit: null, cut: cutOf(signal, h, options), exitAt: null })),
    mfe: null,
    mae: null,
    hasTrades,
  });
  if (!trades || trades.t.length === 0) return empty(false, positive(signal.price));
  const t0 = signal.tsEvent;
  const first = upperBound(trades.t, t0);
  const entry = positive(signal.price) ?? (first > 0 ? trades.price[first - 1]! : null);
  if (entry === null) return empty(true, null);
  const dir = directionOf(signal.kind);
  const sign = dir === -1 ? -1 : 1;
  const horizons = options.horizonsMs.map((h): HorizonOutcome => {
    const cut = cutOf(signal, h, options);
    const last = upperBound(trades.t, windowEnd(signal, h, options)) - 1;
    if (last < first) return { horizonMs: h, ret: null, signed: null, hit: null, cut, exitAt: null };
    const ret = trades.price[last]! / entry - 1;
    const signed = sign * ret;
    return { horizonMs: h, ret, signed, hit: dir === 0 ? null : signed > 0, cut, exitAt: trades.t[last]! };
  });
  const longest = options.horizonsMs.at(-1) ?? 0;
  const last = upperBound(trades.t, windowEnd(signal, longest, options)) - 1;
  let mfe: number | null = null;
  let mae: number | null = null;
  if (last >= first) {
    mfe = 0;
    mae = 0;
    for (let i = first; i <= last; i++) {
      const move = sign * (trades.price[i]! / entry - 1);
      if (move > mfe) mfe = move;
      if (move < mae) mae = move;
    }
  }
  return { signal, entryPrice: entry, horizons, mfe, mae, hasTrades: true };
}

/** The horizon's last instant: the signal plus the horizon, cut at the session's end (its closing print included). */
function windowEnd(signal: ReportSignal, horizonMs: number, options: ForwardOptions): number {
  return Math.min(signal.tsEvent + horizonMs, options.sessionEnd(signal.symbol, signal.tsEvent));
}

function cutOf(signal: ReportSignal, horizonMs: number, options: ForwardOptions): HorizonCut {
  const want = signal.tsEvent + horizonMs;
  if (want > options.sessionEnd(signal.symbol, signal.tsEvent)) return 'close';
  if (want > options.dataEnd) return 'eof';
  return null;
}

function positive(price: number | null): number | null {
  return price !== null && Number.isFinite(price) && price > 0 ? price : null;
}

/** The first index whose time is later than `t` (times ascending). */
export function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
