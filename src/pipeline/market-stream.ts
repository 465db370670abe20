import { Observable, defer, map, merge, share, tap } from 'rxjs';
import type { Clock } from '../core/clock.js';
import type { MarketCalendar } from '../core/calendar.js';
import type { MarketEvent, PollEvent, RealtimeEvent } from '../core/market.js';
import { VENUES, isAuctionPrint, type SessionSchedule, type TradingPhase } from '../core/market-sessions.js';
import { pollEvery } from './poll.js';
import { createUniverseTracker, type UniverseBudget, type UniverseDiff } from './universe.js';

/**
 * When a poll runs: 'session' = whenever the calendar is open (some venue in some phase), or named
 * trading phases (src/core/market-sessions.ts), met when any venue is in one of them. Without a
 * schedule (the simulator's always-open calendar, the fixed `krx` calendar) every list means 'session'.
 */
export type SessionPhase = 'session' | TradingPhase;

/** One poll of the merged stream: a fetcher on a schedule. */
export interface PollSource {
  /** Names the poll in error logs ('ranking:P00101', 'watchlist'). */
  readonly name: string;
  readonly periodMs: number;
  /** The phases in which it runs; ticks outside them send no request at all. */
  readonly phases: readonly SessionPhase[];
  readonly fetch: () => Promise<PollEvent>;
}

export interface MarketStreamOptions {
  readonly clock: Clock;
  /** Says when the session is open (the `session` phase). */
  readonly calendar: Pick<MarketCalendar, 'isOpen'>;
  /** Decoded real-time events from the connection (trade, indicative, raw). */
  readonly realtime$: Observable<RealtimeEvent>;
  /**
   * The phases per venue: polls run in the phases their row names, and a trade printed in an auction
   * is marked `auction: true`. Null: polls follow the calendar, no trade is marked.
   */
  readonly sessions?: Pick<SessionSchedule, 'phaseAt'> | null;
  /** The polls to run, in this order at each instant (default none). */
  readonly polls?: readonly PollSource[];
  /** Always in the universe: config extras plus the strategies' needs. */
  readonly staticSymbols?: readonly string[];
  /** The socket's item budget (connection.maxItems): the universe keeps the most important symbols. */
  readonly universeBudget?: UniverseBudget;
  /** Receives each universe change (the connection's wanted set), first the static symbols. */
  readonly onUniverseDiff: (diff: UniverseDiff) => void;
  /** A failed poll or a throwing universe observer; the stream continues. */
  readonly onError: (source: string, err: unknown) => void;
}

/**
 * The one merged stream of market events: real-time events and poll results in arrival order. The
 * universe diff of a poll result is handed to `onUniverseDiff` before the event goes downstream. The
 * stream is hot and shared: subscribe the strategy host (and the recorder) to the same instance.
 * Snapshots are not updated here: the strategy host applies each event to its MarketBook, after
 * firing timers due before it and before strategies see it.
 */
export function createMarketStream(options: MarketStreamOptions): Observable<MarketEvent> {
  const { clock, calendar, onError } = options;
  const inSession = (ms: number): boolean => calendar.isOpen(ms);
  const sessions = options.sessions ?? null;
  const inPhases = (phases: readonly SessionPhase[]): ((ms: number) => boolean) => {
    if (sessions === null || phases.includes('session')) return inSession;
    const wanted = new Set<string>(phases);
    return (ms) => VENUES.some((v) => wanted.has(sessions.phaseAt(v, ms)));
  };
  return defer(() => {
    const universe = createUniverseTracker(options.staticSymbols ?? [], options.universeBudget);
    const publish = (diff: UniverseDiff | null): void => {
      if (diff === null) return;
      try {
        options.onUniverseDiff(diff);
      } catch (err) {
        onError('universe', err);
      }
    };
    publish(universe.refresh());

    const polls = (options.polls ?? []).map((poll) =>
      pollEvery<MarketEvent>({
        clock,
        isOpen: inPhases(poll.phases),
        periodMs: poll.periodMs,
        fetch: poll.fetch,
        onError: (err) => onError(poll.name, err),
      }),
    );
    const realtime$ = sessions === null ? options.realtime$ : options.realtime$.pipe(map((e) => markAuction(sessions, e)));
    return merge(realtime$, ...polls).pipe(tap((event) => publish(universe.apply(event))));
  }).pipe(share());
}

/**
 * Marks a trade stamped in (or the second after) an auction phase of the venue that printed it as an
 * auction print: FID 9081 when sent (an `_AL` item streams both venues), else the item's venue.
 */
function markAuction(sessions: Pick<SessionSchedule, 'phaseAt'>, event: RealtimeEvent): RealtimeEvent {
  if (event.kind !== 'trade' || event.auction === true) return event;
  const printedOn = event.tradeVenue ?? (event.venue === 'NXT' ? 'NXT' : 'KRX');
  return isAuctionPrint(sessions, printedOn, event.tsEvent) ? { ...event, auction: true as const } : event;
}
