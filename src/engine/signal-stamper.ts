import { StrategyError } from '../core/errors.js';
import type { Exchange } from '../core/market.js';
import type { Signal, SignalDraft, SignalKind } from '../core/signal.js';
import { signalId } from '../core/signal-id.js';

const KINDS: ReadonlySet<SignalKind> = new Set(['BUY', 'SELL', 'EXIT', 'ALERT']);
const VENUES: ReadonlySet<string> = new Set<Exchange>(['KRX', 'NXT', 'SOR']);
const SYMBOL_RE = /^[0-9A-Z]{6}$/;
const ORDINAL_MEMORY = 4096;
/** Past this many cooldown entries, the expired ones (which can no longer swallow a signal) are dropped. */
const COOLDOWN_MEMORY = 4096;

/**
 * What a signal takes from the event (or timer, bar) that caused it: its times, and the instrument
 * when the cause is about one (a market event or a bar; a phase event's venue is not an instrument's).
 */
export interface Stamp {
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly symbol?: string;
  readonly venue?: string;
}

export interface SignalStamperOptions {
  readonly strategy: string;
  readonly strategyVersion: string;
  readonly sessionId: string;
  /** Minimum engine time between two accepted signals of one instrument (symbol and venue) and kind; 0 = off. */
  readonly cooldownMs: number;
  /** The venue the market was last seen on for a symbol (the book's); KRX when absent or unknown. */
  readonly venueOf?: (symbol: string) => Exchange | undefined;
}

/**
 * Turns one strategy's drafts into signals: checks the draft, applies the per-symbol-and-kind
 * cooldown, numbers signals sharing a tsEvent and derives the id. Pure: time comes in as arguments.
 * Cooldown entries taken during a call are undone by `rollback()` (the call threw) or kept by
 * `commit()`. Ordinals are not rolled back, so an id is never reused within a session.
 */
export class SignalStamper {
  private readonly cooldown = new Map<string, number>();
  /** Signals so far per tsEvent (insertion-ordered, pruned): the ordinal part of signal ids. */
  private readonly ordinals = new Map<number, number>();
  /** Cooldown entries changed by the current call: key and previous value. */
  private undo: { key: string; previous: number | undefined }[] = [];

  constructor(private readonly options: SignalStamperOptions) {}

  /** The signal, or null when the cooldown swallowed it. Throws a StrategyError on an invalid draft. */
  stamp(draft: SignalDraft, stamp: Stamp, nowMs: number): Signal | null {
    const { strategy, strategyVersion, cooldownMs } = this.options;
    checkDraft(strategy, draft);
    const venue = this.venueFor(draft, stamp);
    const key = `${draft.symbol}|${venue}|${draft.kind}`;
    const previous = this.cooldown.get(key);
    if (cooldownMs > 0 && previous !== undefined && nowMs - previous < cooldownMs) return null;
    this.cooldown.set(key, nowMs);
    this.undo.push({ key, previous });
    if (this.cooldown.size > COOLDOWN_MEMORY) this.forgetExpired(nowMs);
    const { tsEvent, tsRecv } = stamp;
    const ordinal = this.ordinals.get(tsEvent) ?? 0;
    this.ordinals.set(tsEvent, ordinal + 1);
    if (this.ordinals.size > ORDINAL_MEMORY) this.ordinals.delete(this.ordinals.keys().next().value as number);
    return Object.freeze({
      id: signalId({ strategy, strategyVersion, symbol: draft.symbol, venue, kind: draft.kind, tsEvent, ordinal }),
      sessionId: this.options.sessionId,
      strategy,
      strategyVersion,
      symbol: draft.symbol,
      venue,
      kind: draft.kind,
      price: draft.price ?? null,
      tsEvent,
      tsRecv,
      details: Object.freeze({ ...(draft.details ?? {}) }),
    });
  }

  /** The draft's venue, else its cause's when about the same symbol, else the book's, else KRX. */
  private venueFor(draft: SignalDraft, stamp: Stamp): Exchange {
    if (draft.venue !== undefined) return draft.venue;
    if (stamp.symbol === draft.symbol && stamp.venue !== undefined && VENUES.has(stamp.venue)) return stamp.venue as Exchange;
    return this.options.venueOf?.(draft.symbol) ?? 'KRX';
  }

  /** Cooldown entries are bounded by the symbols still cooling down, not by every symbol ever seen. */
  private forgetExpired(nowMs: number): void {
    for (const [key, at] of this.cooldown) if (nowMs - at >= this.options.cooldownMs) this.cooldown.delete(key);
  }

  /** The call returned: its cooldown entries stand. */
  commit(): void {
    if (this.undo.length > 0) this.undo = [];
  }

  /** The call threw: its cooldown entries are undone, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const { key, previous } = this.undo[i]!;
      if (previous === undefined) this.cooldown.delete(key);
      else this.cooldown.set(key, previous);
    }
    this.undo = [];
  }
}

function checkDraft(strategy: string, draft: SignalDraft): void {
  const bad = (why: string): never => {
    throw new StrategyError('E_STRATEGY_BAD_SIGNAL', `${strategy}: invalid signal: ${why}`);
  };
  if (draft === null || typeof draft !== 'object') bad('not an object');
  if (typeof draft.symbol !== 'string' || !SYMBOL_RE.test(draft.symbol)) bad(`symbol ${JSON.stringify(draft.symbol)}`);
  if (!KINDS.has(draft.kind)) bad(`kind ${JSON.stringify(draft.kind)}`);
  if (draft.venue !== undefined && !VENUES.has(draft.venue)) bad(`venue ${JSON.stringify(draft.venue)} (KRX, NXT or SOR)`);
  const price = draft.price;
  if (price !== undefined && price !== null && !(typeof price === 'number' && Number.isFinite(price) && price >= 0)) bad(`price ${String(price)}`);
  const details = draft.details;
  if (details !== undefined && (details === null || typeof details !== 'object' || Array.isArray(details))) bad('details must be an object');
}
