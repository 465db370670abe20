import type { z } from 'zod';
import { intervalMs, type Bar } from './bars.js';
import { ConfigError } from './errors.js';
import type { Logger } from './logger.js';
import type { EventNeed, Exchange, MarketEvent } from './market.js';
import type { SignalDraft } from './signal.js';
import type { SymbolSnapshot } from './snapshot.js';
import type { Phase, Venue } from './market-sessions.js';

/**
 * The strategy SDK: what a plug-in may see and do. A strategy gets a context (time, signals, timers,
 * a logger, a seeded random, its params, read-only market views) and nothing else: no sockets, no
 * database, no globals. Plug-ins import only from src/core (and zod).
 */

/**
 * The plug-in interface version. A plug-in built for another major version is rejected at boot.
 * 2.0.0: `needs.events` names event kinds; `needs.realtime` and `needs.data` remain as aliases.
 */
export const STRATEGY_API_VERSION = '2.0.0';

/** A strategy's life in the host; metrics label by these. */
export const STRATEGY_STATES = ['idle', 'running', 'quarantined', 'stopped'] as const;
export type StrategyState = (typeof STRATEGY_STATES)[number];

/** What a strategy consumes: the host routes events by it and the app subscribes to the union. */
export interface StrategyNeeds {
  /**
   * Event kinds the strategy receives, real-time or polled: 'trade', 'indicative', 'ranking',
   * 'watchlist', 'program-trading', 'phase' (a venue's phase changed), or `raw:<type>` for an undecoded real-time type.
   */
  readonly events?: readonly EventNeed[];
  /**
   * @deprecated API 1 alias, kept through API 2: Kiwoom real-time type codes ('0B' is 'trade', '0A'
   * 'indicative', any other code `raw:<code>`), resolved by the broker adapter's type table.
   */
  readonly realtime?: readonly string[];
  /** @deprecated API 1 alias, kept through API 2: poll kinds, the same as naming them in `events`. */
  readonly data?: readonly ('ranking' | 'watchlist')[];
  /** Symbols to add to the universe (subscribed even when not ranked or watched). */
  readonly symbols?: readonly string[];
  /**
   * Bars the host aggregates from trades and hands to `onBar` at each boundary (closed by a timer
   * even when no trade comes): `[{ interval: '1m' }]`, intervals from 1s to 1d that divide a day.
   * Implies the `trade` events.
   */
  readonly bars?: readonly { readonly interval: string }[];
  /**
   * How often a polled source runs for this strategy: `[{ source: 'investor-flow', everySeconds: 120 }]`.
   * Implies the source's events. Sources: 'program-trading' (ka90004, one request per market and
   * page), 'investor-flow' (ka10059) and 'investor-totals' (ka10061), one request per universe
   * symbol. All share one REST budget (5 requests/s): when strategies ask for more than it carries,
   * polls run late (reported in /healthz), they never burst. The shortest period any strategy asks
   * for wins.
   */
  readonly polls?: readonly PollNeed[];
}

/** Polled sources a strategy may put on its own schedule. */
export const SCHEDULED_POLL_SOURCES = ['program-trading', 'investor-flow', 'investor-totals'] as const;
export type ScheduledPollSource = (typeof SCHEDULED_POLL_SOURCES)[number];

/** Bounds of `needs.polls[].everySeconds`: a whole number of seconds, at least 5, at most a day. */
export const POLL_EVERY_SECONDS = { min: 5, max: 86_400 } as const;

export interface PollNeed {
  readonly source: ScheduledPollSource;
  /** Whole seconds between runs, 5 to 86400. */
  readonly everySeconds: number;
}

/** A strategy's needs with the aliases resolved: what the host routes by. */
export interface ResolvedNeeds {
  readonly events: readonly EventNeed[];
  readonly symbols: readonly string[];
  /** Bar intervals, sorted and unique. */
  readonly bars: readonly string[];
  /** Poll schedules by source (sorted by source; the shortest period where one source is named twice). */
  readonly polls: readonly PollNeed[];
}

/** Resolves API 1's `needs.realtime` codes; the app passes the broker adapter's table. */
export type WireTypeAlias = (code: string) => EventNeed;

export interface TimerOptions {
  /** Re-arm after each firing, `delayMs` after the due time (not after the handler ran). */
  readonly repeat?: boolean;
}

/** A timer firing, passed to `onTimer`. */
export interface TimerFire {
  readonly name: string;
  /** When it was due; also the time signals emitted from `onTimer` are stamped with. */
  readonly dueMs: number;
}

export interface StrategyContext<P> {
  readonly id: string;
  readonly version: string;
  /** The parsed (defaulted, validated, frozen) params. */
  readonly params: Readonly<P>;
  /** A child logger bound to this strategy: `ctx.log.info({ symbol }, 'breakout')`. */
  readonly log: Logger;
  /**
   * Engine time: the `tsRecv` of the event being handled, the due time of the timer firing, or the
   * clock's time in `onStart`/`onStop`. The same live and in replay.
   */
  now(): number;
  /** A float in [0, 1) from a stream seeded per session and strategy. */
  random(): number;
  /**
   * Emits a signal stamped with the triggering event's time. Returns false when the per-symbol
   * cooldown swallowed it. Throws (a fault) on an invalid draft. Signals of a call that throws are
   * discarded.
   */
  emit(draft: SignalDraft): boolean;
  /** Arms (or re-arms) the timer `name` to fire `delayMs` (integer >= 1) from `now()`. */
  setTimer(name: string, delayMs: number, options?: TimerOptions): void;
  clearTimer(name: string): void;
  /**
   * The symbol's frozen snapshot, already updated with the event being handled: on `venue` when
   * given, else on the symbol's primary venue (the one its market events come from).
   */
  snapshot(symbol: string, venue?: Exchange): SymbolSnapshot | undefined;
  /** The universe, sorted and frozen. */
  universe(): readonly string[];
  /** Symbols in a program net-buy top list, sorted and frozen. */
  programTop(): readonly string[];
  /** Symbols in a followed watchlist, sorted and frozen. */
  watchlist(): readonly string[];
  /**
   * The venue's trading phase at `now()` (default venue 'KRX'): 'continuous', 'closing-auction',
   * 'nxt-main', 'closed', ... (src/core/market-sessions.ts). On the simulator's always-open calendar
   * (and the fixed `krx` calendar) it is always 'continuous'. Need `phase` in `needs.events` to be
   * told of each change.
   */
  phase(venue?: Venue): Phase;
  /**
   * The last `n` closed bars of a symbol at an interval the strategy declared in `needs.bars`,
   * oldest first (empty when none closed yet); bars are per symbol and venue: any venue's unless
   * `venue` is given (one per symbol when the universe picks one venue a stock).
   */
  bars(symbol: string, interval: string, n: number, venue?: Exchange): readonly Bar[];
}

/**
 * Handlers a strategy returns from `create`. Calls are synchronous and never overlap; an exception
 * is a fault (logged, counted; repeated faults quarantine the strategy). Events arrive frozen.
 */
export interface StrategyHandlers {
  onEvent(event: MarketEvent): void;
  onStart?(): void;
  onTimer?(timer: TimerFire): void;
  /** A bar closed at its boundary (`bar.end`, also `now()` and the stamp of signals emitted here). */
  onBar?(bar: Bar): void;
  onStop?(): void;
}

export interface StrategyDefinition<P = unknown> {
  /** Kebab-case, unique in the manifest; config refers to it. */
  readonly id: string;
  /** The strategy's own version (part of every signal id). */
  readonly version: string;
  /** The SDK version it was written for (`STRATEGY_API_VERSION` at the time). */
  readonly apiVersion: string;
  readonly description?: string;
  /** A strict zod object schema; `parse({})` must succeed (every param has a default). */
  readonly params: z.ZodType<P>;
  /** Static, or computed from the parsed params. */
  readonly needs: StrategyNeeds | ((params: P) => StrategyNeeds);
  create(ctx: StrategyContext<P>): StrategyHandlers;
}

/** A definition of any params type (the registry's element type). */
export type AnyStrategyDefinition = StrategyDefinition<any>;

/**
 * Declares a strategy plug-in. Checks its shape at import time, so a malformed plug-in fails at boot.
 *
 * @example
 * export default defineStrategy({
 *   id: 'big-move',
 *   version: '1.0.0',
 *   apiVersion: STRATEGY_API_VERSION,
 *   params: z.strictObject({ minChangeRate: z.number().default(5) }),
 *   needs: { events: ['trade'] },
 *   create: (ctx) => ({
 *     onEvent(e) {
 *       if (e.kind === 'trade' && e.changeRate >= ctx.params.minChangeRate) {
 *         ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price });
 *       }
 *     },
 *   }),
 * });
 */
export function defineStrategy<S extends z.ZodType>(definition: {
  readonly id: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly description?: string;
  readonly params: S;
  readonly needs: StrategyNeeds | ((params: z.output<S>) => StrategyNeeds);
  create(ctx: StrategyContext<z.output<S>>): StrategyHandlers;
}): StrategyDefinition<z.output<S>> {
  const def = definition as StrategyDefinition<z.output<S>>;
  checkStrategyDefinition(def);
  return Object.freeze({ ...def });
}

/** True when a plug-in's `apiVersion` has the host's major version. */
export function isCompatibleApiVersion(apiVersion: string, hostVersion: string = STRATEGY_API_VERSION): boolean {
  const major = (v: string): string | undefined => /^(\d+)\.\d+(?:\.\d+)?$/.exec(v)?.[1];
  const theirs = major(apiVersion);
  return theirs !== undefined && theirs === major(hostVersion);
}

/**
 * Throws a ConfigError (E_STRATEGY_API_VERSION or E_STRATEGY_DEFINITION) if the definition is not
 * a usable plug-in. The host runs it again on everything in the manifest.
 */
export function checkStrategyDefinition(def: AnyStrategyDefinition): void {
  const id = typeof def?.id === 'string' ? def.id : '?';
  const bad = (why: string): never => {
    throw new ConfigError([`strategy "${id}": ${why}`], 'E_STRATEGY_DEFINITION');
  };
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) bad('id must be kebab-case');
  if (typeof def.version !== 'string' || !/^\d+\.\d+\.\d+/.test(def.version)) bad('version must be semver (1.2.3)');
  if (typeof def.apiVersion !== 'string' || !isCompatibleApiVersion(def.apiVersion)) {
    throw new ConfigError(
      [`strategy "${id}": built for strategy API ${String(def.apiVersion)}, this host runs ${STRATEGY_API_VERSION}`],
      'E_STRATEGY_API_VERSION',
    );
  }
  if (typeof def.create !== 'function') bad('create must be a function');
  if (typeof def.needs !== 'function' && (typeof def.needs !== 'object' || def.needs === null)) bad('needs must be an object or a function');
  const schemaDef = (def.params as { _zod?: { def?: { type?: string; catchall?: { _zod?: { def?: { type?: string } } } } } })?._zod?.def;
  if (schemaDef?.type !== 'object') bad('params must be a zod object schema');
  if (schemaDef?.catchall?._zod?.def?.type !== 'never') bad('params must be strict (z.strictObject) so typos in config are rejected');
  if (!def.params.safeParse({}).success) bad('every param needs a default (params.parse({}) failed)');
}

/**
 * The needs of a definition for the given parsed params, aliases resolved, sorted and deduplicated.
 * Throws a ConfigError (E_STRATEGY_DEFINITION) when `needs.realtime` is used and no `wireAlias` is given.
 */
export function resolveNeeds<P>(def: StrategyDefinition<P>, params: P, wireAlias?: WireTypeAlias): ResolvedNeeds {
  const needs = typeof def.needs === 'function' ? def.needs(params) : def.needs;
  const events = new Set<EventNeed>([...(needs.events ?? []), ...(needs.data ?? [])]);
  for (const code of needs.realtime ?? []) {
    if (wireAlias === undefined) {
      throw new ConfigError([`strategy "${def.id}": needs.realtime names wire codes; name event kinds in needs.events`], 'E_STRATEGY_DEFINITION');
    }
    events.add(wireAlias(code));
  }
  const bars = [...new Set((needs.bars ?? []).map((b) => b.interval))].sort();
  for (const interval of bars) {
    try {
      intervalMs(interval);
    } catch (err) {
      throw new ConfigError([`strategy "${def.id}": needs.bars: ${(err as ConfigError).problems?.[0] ?? String(err)}`], 'E_STRATEGY_DEFINITION');
    }
  }
  if (bars.length > 0) events.add('trade');
  const polls = resolvePollNeeds(def.id, needs.polls);
  for (const p of polls) events.add(p.source);
  return { events: [...events].sort(), symbols: [...new Set(needs.symbols ?? [])].sort(), bars, polls };
}

/** Checks `needs.polls` (ConfigError E_STRATEGY_DEFINITION naming the entry) and merges repeats. */
function resolvePollNeeds(id: string, declared: unknown): PollNeed[] {
  if (declared === undefined) return [];
  const bad = (why: string): never => {
    throw new ConfigError([`strategy "${id}": needs.polls${why}`], 'E_STRATEGY_DEFINITION');
  };
  if (!Array.isArray(declared)) bad(' must be an array of { source, everySeconds }');
  const every = new Map<ScheduledPollSource, number>();
  (declared as unknown[]).forEach((entry, i) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => k !== 'source' && k !== 'everySeconds');
    if (extra.length > 0) bad(`[${i}]: unknown key "${extra[0]}" (expected source, everySeconds)`);
    const source = e['source'];
    if (typeof source !== 'string' || !(SCHEDULED_POLL_SOURCES as readonly string[]).includes(source)) {
      bad(`[${i}].source: ${JSON.stringify(source)} is not a scheduled poll (${SCHEDULED_POLL_SOURCES.join(', ')})`);
    }
    const seconds = e['everySeconds'];
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < POLL_EVERY_SECONDS.min || seconds > POLL_EVERY_SECONDS.max) {
      bad(`[${i}].everySeconds: expected whole seconds from ${POLL_EVERY_SECONDS.min} to ${POLL_EVERY_SECONDS.max}, got ${JSON.stringify(seconds)}`);
    }
    const s = source as ScheduledPollSource;
    every.set(s, Math.min(every.get(s) ?? Infinity, seconds as number));
  });
  return [...every].sort(([a], [b]) => (a < b ? -1 : 1)).map(([source, everySeconds]) => ({ source, everySeconds }));
}
