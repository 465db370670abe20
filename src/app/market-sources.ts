// The table of market data sources: one row per event kind a strategy can need. A real-time row
// says which Kiwoom type carries it; a poll row says how often and when it runs and which adapter
// function turns the broker's answer into domain events. The kernel loops over the rows.
import { WIRE_TYPE } from '../adapters/kiwoom/realtime-types.js';
import { programTop, programTrading } from '../adapters/kiwoom/program-top.js';
import type { EventNeed, PollEvent } from '../core/market.js';
import type { PollSource, SessionPhase } from '../pipeline/market-stream.js';
import type { BrokerClients } from './broker-clients.js';
import type { KernelSettings } from './settings.js';

/** A fetch of one poll source, named for logs and for the recording's lifecycle. */
interface PollFetcher {
  readonly name: string;
  readonly fetch: () => Promise<PollEvent>;
}

interface PollSpec {
  readonly kind: 'poll';
  readonly periodMs: (s: KernelSettings) => number;
  readonly phases: readonly SessionPhase[];
  /** The adapter calls; none when the broker is not configured. */
  readonly fetchers: (s: KernelSettings, b: BrokerClients) => readonly PollFetcher[];
  /** Replay serves the recorded REST answers page by page. */
  readonly recorded: 'rest';
}

interface RealtimeSpec {
  readonly kind: 'realtime';
  /** The Kiwoom real-time type to REG. */
  readonly wireType: string;
  /** Replay feeds the recorded frames through the same decoder. */
  readonly recorded: 'ws.in';
}

/**
 * Generated from the session schedule at its instants on the engine clock (the strategy host's
 * timer queue), so a phase event is the same live and in replay; nothing to fetch or subscribe.
 */
interface ScheduleSpec {
  readonly kind: 'schedule';
  /** Replay regenerates them from the recording's profiles. */
  readonly recorded: 'profiles';
}

export type SourceSpec = PollSpec | RealtimeSpec | ScheduleSpec;

/**
 * KRX's program trading and its rankings move while KRX trades (not in the opening auction, when
 * nothing has printed yet, nor in NXT-only hours).
 */
const KRX_TRADING: readonly SessionPhase[] = ['continuous', 'closing-auction', 'after-hours-close-price', 'after-hours-single-price', 'after-market'];

/** Every source, by the need (event kind) that selects it. Row order is poll order at an instant. */
export const MARKET_SOURCES = {
  trade: { kind: 'realtime', wireType: WIRE_TYPE.trade, recorded: 'ws.in' },
  indicative: { kind: 'realtime', wireType: WIRE_TYPE.indicative, recorded: 'ws.in' },
  'program-flow': { kind: 'realtime', wireType: WIRE_TYPE['program-flow'], recorded: 'ws.in' },
  vi: { kind: 'realtime', wireType: WIRE_TYPE.vi, recorded: 'ws.in' },
  'stock-info': { kind: 'realtime', wireType: WIRE_TYPE['stock-info'], recorded: 'ws.in' },
  book: { kind: 'realtime', wireType: WIRE_TYPE.book, recorded: 'ws.in' },
  phase: { kind: 'schedule', recorded: 'profiles' },
  ranking: {
    kind: 'poll',
    periodMs: (s) => s.universe.programTopPollMs,
    phases: KRX_TRADING,
    fetchers: (s, b) => s.universe.programTopMarkets.map((m) => ({ name: `ranking:${m}`, fetch: () => programTop(b.kiwoom, m, s.universe.programTopN, s.universe.pollVenue) })),
    recorded: 'rest',
  },
  watchlist: {
    kind: 'poll',
    periodMs: (s) => s.universe.watchlistPollMs,
    // The user's lists matter the whole trading day, 08:00-20:00 on both venues.
    phases: ['session'],
    fetchers: (s, b) => {
      const kis = b.kis;
      if (kis === null) return [];
      const groups = s.kis.groups.length > 0 ? s.kis.groups : undefined;
      return [{ name: 'watchlist', fetch: async () => {
        const found = await kis.fetchWatchlist(groups);
        return { kind: 'watchlist', groups: found.groups, tsEvent: found.receivedAt, tsRecv: found.receivedAt };
      } }];
    },
    recorded: 'rest',
  },
  'program-trading': {
    kind: 'poll',
    periodMs: (s) => s.universe.programTopPollMs,
    phases: KRX_TRADING,
    fetchers: (s, b) => s.universe.programTopMarkets.map((m) => ({ name: `program-trading:${m}`, fetch: () => programTrading(b.kiwoom, m, b.clock.now(), s.universe.pollVenue) })),
    recorded: 'rest',
  },
} as const satisfies Record<Exclude<EventNeed, `raw:${string}`>, SourceSpec>;

type SourceKind = keyof typeof MARKET_SOURCES;

const isSourceKind = (need: EventNeed): need is SourceKind => Object.hasOwn(MARKET_SOURCES, need);

/** True when some source provides the need: a row of the table, or any `raw:<type>`. */
export function hasSource(need: EventNeed): boolean {
  return need.startsWith('raw:') ? need.length > 4 : isSourceKind(need);
}

/**
 * The polls the needs select, in table order. `only` (a replay) keeps just the polls a recorded
 * run had, by name.
 */
export function buildMarketSources(s: KernelSettings, b: BrokerClients, needs: readonly EventNeed[], only?: ReadonlySet<string>): PollSource[] {
  const polls: PollSource[] = [];
  for (const [kind, spec] of Object.entries(MARKET_SOURCES) as [SourceKind, SourceSpec][]) {
    if (spec.kind !== 'poll' || !needs.includes(kind)) continue;
    for (const f of spec.fetchers(s, b)) {
      if (only !== undefined && !only.has(f.name)) continue;
      polls.push({ name: f.name, periodMs: spec.periodMs(s), phases: spec.phases, fetch: f.fetch });
    }
  }
  return polls;
}

/** The real-time types the needs select: decoded kinds through the table, `raw:<type>` as is. */
export function realtimeTypesFor(needs: readonly EventNeed[]): string[] {
  const types: string[] = [];
  for (const need of needs) {
    if (need.startsWith('raw:')) types.push(need.slice(4));
    else if (isSourceKind(need)) {
      const spec: SourceSpec = MARKET_SOURCES[need];
      if (spec.kind === 'realtime') types.push(spec.wireType);
    }
  }
  return types;
}
