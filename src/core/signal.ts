import type { Exchange } from './market.js';

/**
 * Signals are what krx-signals produces. It never places orders.
 */
export type SignalKind = 'BUY' | 'SELL' | 'EXIT' | 'ALERT';

/** What a strategy emits; the host stamps the rest. */
export interface SignalDraft {
  readonly symbol: string;
  /**
   * The instrument's venue. Default: the venue of the event that caused the signal when it is about
   * the same symbol, else the venue the book last saw the symbol on, else KRX.
   */
  readonly venue?: Exchange;
  readonly kind: SignalKind;
  /** The price the signal refers to; null when it has none. */
  readonly price?: number | null;
  /** Free-form, JSON-serialisable context (levels, ranks, reasons). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Signal {
  /** Derived deterministically from the strategy, the triggering event and an ordinal: replays reproduce it. */
  readonly id: string;
  readonly sessionId: string;
  readonly strategy: string;
  readonly strategyVersion: string;
  readonly symbol: string;
  /** The instrument's venue (KRX, NXT, SOR): part of the id. */
  readonly venue: Exchange;
  readonly kind: SignalKind;
  readonly price: number | null;
  /** Taken from the event that caused the signal, never from "now". */
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly details: Readonly<Record<string, unknown>>;
}
