// The table of market data sources: one row per event kind a strategy can need. A real-time row
// says which Kiwoom type carries it; a poll row says how often and when it runs and which adapter
// function turns the broker's answer into domain events. The kernel loops over the rows.
import { WIRE_TYPE } from '../adapters/kiwoom/realtime-types.js';
import { programTop, programTrading } from '../adapters/kiwoom/program-top.js';
import { basicInfo, investorFlow, investorTotals, stockMaster } from '../adapters/kiwoom/stock-data.js';
import { kstDayStart } from '../core/kst.js';
import type { EventNeed, PollEvent } from '../core/market.js';
import type { PollNeed } from '../core/strategy.js';
import type { EntrySource, PollSource, SessionPhase } from '../pipeline/market-stream.js';
import type { BrokerClients } from './broker-clients.js';
import type { KernelSettings } from './settings.js';

/** A fetch of one poll source, named for logs and for the recording's lifecycle. */
type PollFetcher = { readonly name: string } & ({ readonly fetch: () => Promise<PollEvent> } | { readonly fetchEach: (symbol: string) => Promise<PollEvent> });

interface PollSpec {
  readonly kind: 'poll';
  /** The period unless a strategy's `needs.polls` names this source. */
  readonly periodMs: (s: KernelSettings) => number;
  readonly phases: readonly SessionPhase[];
  /** The adapter calls; none when the broker is not configured. */
  readonly fetchers: (s: KernelSettings, b: BrokerClients) => readonly PollFetcher[];
  /** Ticks that run (default all): see PollSource.due. */
  readonly due?: (s: KernelSettings) => (nowMs: number, lastOkAt: number | null) => boolean;
  /** How old its answer may grow before it counts as late (default two periods). */
  readonly staleAfterMs?: (s: KernelSettings) => number;
  /** Replay serves the recorded REST answers page by page. */
  readonly recorded: 'rest';
}

/** Fetched once per symbol (and KST day) when it enters the universe, queued and retried. */
interface EntrySpec {
  readonly kind: 'entry';
  readonly fetch: (s: KernelSettings, b: BrokerClients) => ((symbol: string) => Promise<PollEvent>) | null;
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

export type SourceSpec = PollSpec | EntrySpec | RealtimeSpec | ScheduleSpec;

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
  'stock-master': {
    kind: 'poll',
    // Ticks every 5 minutes, runs when due: at start (retried each tick until loaded), then once a KST day.
    periodMs: () => MASTER_TICK_MS,
    phases: ['always'],
    fetchers: (s, b) => (s.universe.masterMarkets.length === 0 ? [] : [{ name: 'stock-master', fetch: () => stockMaster(b.kiwoom, s.universe.masterMarkets) }]),
    due: (s) => dailyAfter(s.universe.masterRefreshAt),
    staleAfterMs: () => DAY_MS + 2 * MASTER_TICK_MS,
    recorded: 'rest',
  },
  info: {
    kind: 'entry',
    fetch: (s, b) => (s.universe.basicInfo ? (symbol) => basicInfo(b.kiwoom, symbol) : null),
    recorded: 'rest',
  },
  'investor-flow': {
    kind: 'poll',
    periodMs: (s) => s.universe.investorFlowPollMs,
    phases: KRX_TRADING,
    fetchers: (_s, b) => [{ name: 'investor-flow', fetchEach: (symbol) => investorFlow(b.kiwoom, symbol, b.clock.now()) }],
    recorded: 'rest',
  },
  'investor-totals': {
    kind: 'poll',
    periodMs: (s) => s.universe.investorFlowPollMs,
    phases: KRX_TRADING,
    fetchers: (s, b) => [{ name: 'investor-totals', fetchEach: (symbol) => investorTotals(b.kiwoom, symbol, b.clock.now(), s.universe.investorTotalsDays) }],
    recorded: 'rest',
  },
} as const satisfies Record<Exclude<EventNeed, `raw:${string}`>, SourceSpec>;

const MASTER_TICK_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** Sources that retry ka10001 on entry: 3 attempts, 5 s then 10 s apart. */
const ENTRY_ATTEMPTS = 3;
const ENTRY_BACKOFF = { baseMs: 5_000, capMs: 60_000 } as const;

/** Due when never loaded, or when the last load is older than today's `hh:mm` KST and that time has come. */
function dailyAfter(hhmm: string): (nowMs: number, lastOkAt: number | null) => boolean {
  const offsetMs = (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * 60_000;
  return (now, last) => {
    if (last === null) return true;
    const refresh = kstDayStart(now) + offsetMs;
    return now >= refresh && last < refresh;
  };
}

type SourceKind = keyof typeof MARKET_SOURCES;

const isSourceKind = (need: EventNeed): need is SourceKind => Object.hasOwn(MARKET_SOURCES, need);

/** True when some source provides the need: a row of the table, or any `raw:<type>`. */
export function hasSource(need: EventNeed): boolean {
  return need.startsWith('raw:') ? need.length > 4 : isSourceKind(need);
}

/**
 * The polls the needs select, in table order, each on the period a strategy's `needs.polls` asked
 * for (else its default). `only` (a replay) keeps just the polls a recorded run had, by name.
 */
export function buildMarketSources(s: KernelSettings, b: BrokerClients, needs: readonly EventNeed[], only?: ReadonlySet<string>, schedules: readonly PollNeed[] = []): PollSource[] {
  const polls: PollSource[] = [];
  for (const [kind, spec] of Object.entries(MARKET_SOURCES) as [SourceKind, SourceSpec][]) {
    if (spec.kind !== 'poll' || !needs.includes(kind)) continue;
    const declared = schedules.find((p) => p.source === kind);
    const periodMs = declared ? declared.everySeconds * 1000 : spec.periodMs(s);
    for (const f of spec.fetchers(s, b)) {
      if (only !== undefined && !only.has(f.name)) continue;
      polls.push({
        ...f,
        periodMs,
        phases: spec.phases,
        ...(spec.due ? { due: spec.due(s) } : {}),
        ...(spec.staleAfterMs ? { staleAfterMs: spec.staleAfterMs(s) } : {}),
      });
    }
  }
  return polls;
}

/** The per-symbol fetches on universe entry the needs select (`only`: a replay's recorded names). */
export function buildEntrySources(s: KernelSettings, b: BrokerClients, needs: readonly EventNeed[], only?: ReadonlySet<string>): EntrySource[] {
  const out: EntrySource[] = [];
  for (const [kind, spec] of Object.entries(MARKET_SOURCES) as [SourceKind, SourceSpec][]) {
    if (spec.kind !== 'entry' || !needs.includes(kind) || (only !== undefined && !only.has(kind))) continue;
    const fetch = spec.fetch(s, b);
    if (fetch) out.push({ name: kind, fetch, attempts: ENTRY_ATTEMPTS, backoff: ENTRY_BACKOFF });
  }
  return out;
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
