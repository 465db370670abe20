import { Observable, defer, merge, share, tap } from 'rxjs';
import type { Clock } from '../core/clock.js';
import type { MarketCalendar } from '../core/calendar.js';
import type { MarketEvent, ProgramMarketCode, RankingEvent, RealtimeEvent, WatchlistEvent } from '../core/market.js';
import { pollEvery } from './poll.js';
import { createUniverseTracker, type UniverseBudget, type UniverseDiff } from './universe.js';

export interface MarketStreamOptions {
  readonly clock: Clock;
  /** Polls run only in session. */
  readonly calendar: Pick<MarketCalendar, 'isOpen'>;
  /** Decoded real-time events from the connection (0B, 0A, raw). */
  readonly realtime$: Observable<RealtimeEvent>;
  /** ka90003 program net-buy top 50, one poll stream per market. */
  readonly ranking?: {
    readonly markets: readonly ProgramMarketCode[];
    /** Default 30 s. */
    readonly periodMs?: number;
    readonly fetch: (market: ProgramMarketCode) => Promise<RankingEvent>;
  };
  /** KIS watchlist groups. */
  readonly watchlist?: {
    /** Default 300 s. */
    readonly periodMs?: number;
    readonly fetch: () => Promise<WatchlistEvent>;
  };
  /** Always in the universe: config extras plus the strategies' needs. */
  readonly staticSymbols?: readonly string[];
  /** The socket's item budget (connection.maxItems): the universe keeps the most important symbols. */
  readonly universeBudget?: UniverseBudget;
  /** Receives each universe change (the connection's wanted set), first the static symbols. */
  readonly onUniverseDiff: (diff: UniverseDiff) => void;
  /** A failed poll or a throwing universe observer; the stream continues. */
  readonly onError: (source: string, err: unknown) => void;
}

export const DEFAULT_RANKING_PERIOD_MS = 30_000;
export const DEFAULT_WATCHLIST_PERIOD_MS = 300_000;

/**
 * The one merged stream of market events: real-time events and poll results in arrival order. The
 * universe diff of a poll result is handed to `onUniverseDiff` before the event goes downstream. The
 * stream is hot and shared: subscribe the strategy host (and the recorder) to the same instance.
 * Snapshots are not updated here: the strategy host applies each event to its MarketBook, after
 * firing timers due before it and before strategies see it.
 */
export function createMarketStream(options: MarketStreamOptions): Observable<MarketEvent> {
  const { clock, calendar, onError } = options;
  const isOpen = (ms: number): boolean => calendar.isOpen(ms);
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

    const polls: Observable<MarketEvent>[] = [];
    const ranking = options.ranking;
    if (ranking !== undefined) {
      for (const market of ranking.markets) {
        polls.push(
          pollEvery({
            clock,
            isOpen,
            periodMs: ranking.periodMs ?? DEFAULT_RANKING_PERIOD_MS,
            fetch: () => ranking.fetch(market),
            onError: (err) => onError(`ranking:${market}`, err),
          }),
        );
      }
    }
    const watchlist = options.watchlist;
    if (watchlist !== undefined) {
      polls.push(
        pollEvery({
          clock,
          isOpen,
          periodMs: watchlist.periodMs ?? DEFAULT_WATCHLIST_PERIOD_MS,
          fetch: () => watchlist.fetch(),
          onError: (err) => onError('watchlist', err),
        }),
      );
    }
    return merge(options.realtime$, ...polls).pipe(tap((event) => publish(universe.apply(event))));
  }).pipe(share());
}
