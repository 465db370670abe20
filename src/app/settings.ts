import type { Config } from '../config/schema.js';
import { loadMarketSessions } from '../config/market-sessions.js';
import { alwaysOpenCalendar, createKrxCalendar, type MarketCalendar } from '../core/calendar.js';
import { deepFreeze } from '../core/deep-freeze.js';
import { pollVenue } from '../core/venue-choice.js';
import { createSessionSchedule, type MarketSessionsFile, type SessionSchedule } from '../core/market-sessions.js';

const SECOND_MS = 1000;

/**
 * The config as the kernel and the broker clients read it, computed once per run: every duration in
 * milliseconds, the calendar resolved for the mode (always open on the simulator under `auto`).
 * Nothing below this point multiplies by 1000 or reads a `*Seconds` key.
 */
export function kernelSettings(config: Config) {
  const u = config.universe;
  const { calendar, sessions } = resolveCalendar(config);
  return deepFreeze({
    mode: config.mode,
    calendar,
    /** The phases per venue when the calendar is `sessions` (live); null on the simulator and `krx`. */
    sessions,
    strategies: config.strategies,
    universe: {
      realtimeTypes: u.realtimeTypes,
      programTopMarkets: u.programTopMarkets,
      programTopN: u.programTopN,
      programTopPollMs: u.programTopPollSeconds * SECOND_MS,
      watchlistPollMs: u.watchlistPollSeconds * SECOND_MS,
      extraSymbols: u.extraSymbols,
      venue: u.venue,
      pollVenue: u.pollVenue ?? pollVenue(u.venue),
      excludeOrderWarning: u.exclude.orderWarning,
      masterMarkets: u.stockMaster.markets,
      masterRefreshAt: u.stockMaster.refreshAt,
      basicInfo: u.basicInfo,
      investorFlowPollMs: u.investorFlowPollSeconds * SECOND_MS,
      investorTotalsDays: u.investorTotalsDays,
    },
    kiwoom: config.kiwoom,
    kis: config.kis,
    tokens: {
      refreshMarginMs: config.tokens.refreshMarginSeconds * SECOND_MS,
      revokeOnShutdown: config.tokens.revokeOnShutdown,
      cache: config.tokens.cache,
      issueTimeoutMs: config.tokens.issueTimeoutMs,
      credentialsRetryBaseMs: config.tokens.credentialsRetryBaseMs,
      credentialsRetryCapMs: config.tokens.credentialsRetryCapMs,
      credentialsExitAfterMs: config.tokens.credentialsExitAfterMs,
    },
    connection: config.connection,
    store: config.store,
    dataSilenceMs: config.alarms.dataSilenceSeconds * SECOND_MS,
    http: config.http,
  });
}

export type KernelSettings = ReturnType<typeof kernelSettings>;

function resolveCalendar(config: Config): { calendar: MarketCalendar; sessions: SessionSchedule | null } {
  const { kind, open, close, holidays, profiles } = config.calendar;
  const resolved = kind === 'auto' ? (config.mode === 'sim' ? 'always-open' : 'sessions') : kind;
  if (resolved === 'always-open') return { calendar: alwaysOpenCalendar, sessions: null };
  if (resolved === 'krx') return { calendar: createKrxCalendar({ open, close, holidays: [...holidays] }), sessions: null };
  const sessions = createSessionSchedule(shippedSessions(), { extraClosures: holidays, ...(profiles ? { knownProfiles: profiles } : {}) });
  return { calendar: sessions.calendar, sessions };
}

let shipped: MarketSessionsFile | undefined;
/** config/market-sessions.json, read once per process. */
function shippedSessions(): MarketSessionsFile {
  return (shipped ??= loadMarketSessions());
}
