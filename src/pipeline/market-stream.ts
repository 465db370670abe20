import { EMPTY, Observable, catchError, concatMap, defer, finalize, from, map, merge, tap } from 'rxjs';
import { hotShare } from './hot-share.js';
import type { Clock } from '../core/clock.js';
import type { MarketCalendar } from '../core/calendar.js';
import type { MarketEvent, PollEvent, RealtimeEvent, StockMasterEvent } from '../core/market.js';
import { VENUES, isAuctionPrint, type SessionSchedule, type TradingPhase } from '../core/market-sessions.js';
import type { ExponentialPolicy } from '../core/backoff.js';
import { createEntryQueue } from './entry-queue.js';
import { pollEvery } from './poll.js';
import type { PollBoard } from './poll-board.js';
import { createUniverseTracker, type UniverseBudget, type UniverseDiff, type UniverseExclusion } from './universe.js';

/**
 * When a poll runs: 'session' = whenever the calendar is open (some venue in some phase), or named
 * trading phases (src/core/market-sessions.ts), met when any venue is in one of them; 'always' = day and night. Without a
 * schedule (the simulator's always-open calendar, the fixed `krx` calendar) every list means 'session'.
 */
export type SessionPhase = 'session' | 'always' | TradingPhase;

interface PollCommon {
  /** Names the poll in error logs ('ranking:P00101', 'watchlist'). */
  readonly name: string;
  readonly periodMs: number;
  /** The phases in which it runs; ticks outside them send no request at all. */
  readonly phases: readonly SessionPhase[];
  /**
   * Runs a tick only when this says so (the stock master: at start, then once a KST day), given the
   * time of the last run that delivered. Default: every tick.
   */
  readonly due?: (nowMs: number, lastOkAt: number | null) => boolean;
  /** How old its last answer may grow before /healthz calls it late (default two periods). */
  readonly staleAfterMs?: number;
}

/**
 * One poll of the merged stream: a fetcher on a schedule, or a sweep that fetches each universe
 * symbol in turn (one request at a time: the ticks of a sweep that outlasts its period are skipped
 * and reported late).
 */
export type PollSource = PollCommon & ({ readonly fetch: () => Promise<PollEvent> } | { readonly fetchEach: (symbol: string) => Promise<PollEvent> });

/** A fetch per symbol when it enters the universe (ka10001), queued and retried. */
export interface EntrySource {
  readonly name: string;
  readonly fetch: (symbol: string) => Promise<PollEvent>;
  /** Attempts per symbol (first try included). */
  readonly attempts: number;
  readonly backoff: ExponentialPolicy;
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
  /** Ranked and watched symbols the stock master says to leave out. */
  readonly universeExclusion?: UniverseExclusion;
  /** Fetched once per symbol when it enters the universe (default none). */
  readonly entries?: readonly EntrySource[];
  /** Each poll's last delivery and late ticks (/healthz, /metrics). */
  readonly board?: PollBoard;
  /** Receives each universe change (the connection's wanted set), first the static symbols. */
  readonly onUniverseDiff: (diff: UniverseDiff) => void;
  /** A failed poll or a throwing universe observer; the stream continues. */
  readonly onError: (source: string, err: unknown) => void;
  /** A poll tick skipped because its previous run is still going. */
  readonly onLate?: (source: string) => void;
  /** Each stock master, before the universe applies it (so the diff it causes can be logged with names). */
  readonly onMaster?: (event: StockMasterEvent) => void;
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
    if (phases.includes('always')) return () => true;
    if (sessions === null || phases.includes('session')) return inSession;
    const wanted = new Set<string>(phases);
    return (ms) => VENUES.some((v) => wanted.has(sessions.phaseAt(v, ms)));
  };
  return defer(() => {
    const universe = createUniverseTracker(options.staticSymbols ?? [], options.universeBudget, options.universeExclusion);
    const board = options.board;
    const queues = (options.entries ?? []).map((source) =>
      createEntryQueue<MarketEvent>({
        clock,
        fetch: source.fetch,
        isMember: (symbol) => universe.current().includes(symbol),
        attempts: source.attempts,
        backoff: source.backoff,
        onError: (symbol, err, final) => onError(`${source.name}:${symbol}${final ? '' : ' (retrying)'}`, err),
      }),
    );
    const publish = (diff: UniverseDiff | null): void => {
      if (diff === null) return;
      try {
        options.onUniverseDiff(diff);
      } catch (err) {
        onError('universe', err);
      }
      if (diff.add.length > 0) for (const q of queues) q.add(diff.add);
    };
    publish(universe.refresh());

    // Sweeps subscribe first, so at an instant where several polls tick their timers fire before any
    // other poll's request goes out: a sweep's symbol list never depends on an answer stamped at the
    // same instant (which live could process between two timers and a replay only after them all).
    const all = options.polls ?? [];
    const ordered = [...all.filter((p) => 'fetchEach' in p), ...all.filter((p) => !('fetchEach' in p))];
    const polls = ordered.map((poll) => {
      board?.register(poll.name, poll.staleAfterMs ?? 2 * poll.periodMs);
      const open = inPhases(poll.phases);
      const due = poll.due;
      let lastOkAt: number | null = null;
      const delivered = (): void => {
        lastOkAt = clock.now();
        board?.delivered(poll.name, lastOkAt);
      };
      const run = (): Observable<MarketEvent> | Promise<MarketEvent> => {
        if ('fetch' in poll) return poll.fetch().then((e) => (delivered(), e));
        // A sweep over the universe as it is now, one symbol at a time; one symbol's failure is reported, the sweep goes on.
        let answered = 0;
        return from([...universe.current()]).pipe(
          concatMap((symbol) =>
            defer(() => poll.fetchEach(symbol)).pipe(
              tap(() => answered++),
              catchError((err: unknown) => {
                onError(`${poll.name}:${symbol}`, err);
                return EMPTY;
              }),
            ),
          ),
          finalize(() => {
            if (answered > 0 || universe.current().length === 0) delivered();
          }),
        );
      };
      return pollEvery<MarketEvent>({
        clock,
        isOpen: due === undefined ? open : (ms) => open(ms) && due(ms, lastOkAt),
        periodMs: poll.periodMs,
        fetch: run,
        onError: (err) => onError(poll.name, err),
        onLate: () => {
          board?.late(poll.name);
          options.onLate?.(poll.name);
        },
      });
    });
    const realtime$ = sessions === null ? options.realtime$ : options.realtime$.pipe(map((e) => markAuction(sessions, e)));
    return merge(realtime$, ...polls, ...queues.map((q) => q.events$)).pipe(
      tap((event) => {
        if (event.kind === 'stock-master') {
          try {
            options.onMaster?.(event);
          } catch (err) {
            onError('stock-master', err);
          }
        }
        publish(universe.apply(event));
      }),
      finalize(() => {
        for (const q of queues) q.stop();
      }),
    );
  }).pipe(hotShare);
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
