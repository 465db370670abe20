import { ATR, BollingerBands, EMA, MACD, RSI, SMA, VWAP } from 'trading-signals';
import type { Bar } from './bars.js';

// Indicators fed from closed bars, on trading-signals (streaming, number-based, no dependencies; see
// the README for why). Each one says whether it has warmed up, so a strategy never acts on a
// half-filled window.

export interface Indicator<R> {
  readonly name: string;
  /** Feed one closed bar; returns the new value (null while warming up). */
  update(bar: Bar): R | null;
  /** The latest value, null while warming up. */
  readonly value: R | null;
  /** True once enough bars arrived for a value. */
  readonly ready: boolean;
  /** Bars seen and bars needed before the first value. */
  readonly warmup: { readonly seen: number; readonly required: number };
}

export interface Bands {
  readonly lower: number;
  readonly middle: number;
  readonly upper: number;
}

export interface MacdValue {
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
}

interface Streaming<R, I> {
  update(input: I, replace: boolean): R | null;
  getRequiredInputs(): number;
}

function wrap<R, I>(name: string, inner: Streaming<R, I>, input: (bar: Bar) => I): Indicator<R> {
  let value: R | null = null;
  let seen = 0;
  const required = inner.getRequiredInputs();
  return {
    name,
    update(bar) {
      seen++;
      value = inner.update(input(bar), false) ?? null;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return value !== null;
    },
    get warmup() {
      return { seen, required };
    },
  };
}

const close = (bar: Bar): number => bar.close;
/** The bar field a single-series indicator reads (default the close). */
export type BarSource = 'close' | 'volume' | 'vwap';
const pick = (source: BarSource) => (bar: Bar): number => bar[source];
const hlc = (bar: Bar) => ({ high: bar.high, low: bar.low, close: bar.close });

/**
 * Streaming indicators over closed bars.
 *
 * @example
 * const ma = indicators.sma(20);
 * for (const bar of closedBars) ma.update(bar);
 * if (ma.ready && bar.close > ma.value!) ...
 */
export const indicators = {
  sma: (period: number, source: BarSource = 'close'): Indicator<number> => wrap(`sma(${period},${source})`, new SMA(period), pick(source)),
  ema: (period: number, source: BarSource = 'close'): Indicator<number> => wrap(`ema(${period},${source})`, new EMA(period), pick(source)),
  rsi: (period = 14): Indicator<number> => wrap(`rsi(${period})`, new RSI(period), close),
  macd: (fast = 12, slow = 26, signal = 9): Indicator<MacdValue> =>
    wrap(`macd(${fast},${slow},${signal})`, new MACD(new EMA(fast), new EMA(slow), new EMA(signal)), close),
  bollinger: (period = 20, deviations = 2): Indicator<Bands> => wrap(`bollinger(${period},${deviations})`, new BollingerBands(period, deviations), close),
  atr: (period = 14): Indicator<number> => wrap(`atr(${period})`, new ATR(period), hlc),
  /** Volume-weighted average of the bars' typical price since this indicator started (e.g. per day). */
  vwap: (): Indicator<number> => wrap('vwap', new VWAP(), (bar) => ({ high: bar.high, low: bar.low, close: bar.close, volume: bar.volume })),
} as const;
