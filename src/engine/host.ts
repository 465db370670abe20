import type { Observable, Subscription } from 'rxjs';
import type { Bar, BarAggregator } from '../core/bars.js';
import type { Clock } from '../core/clock.js';
import { StrategyError, errorMessage, isKrxError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { eventNeedOf, type EventNeed, type Exchange, type MarketEvent, type PhaseEvent } from '../core/market.js';
import type { Phase, SessionSchedule, Venue } from '../core/market-sessions.js';
import { createRandom } from '../core/random.js';
import type { Signal, SignalDraft } from '../core/signal.js';
import type { SignalSink } from '../core/signal-sink.js';
import type { MarketBook } from '../core/snapshot.js';
import type { StrategyContext, StrategyHandlers, StrategyState, TimerFire, TimerOptions } from '../core/strategy.js';
import { barsFor } from './bar-set.js';
import { ClockWake } from './clock-wake.js';
import { describeEvent, freezeEvent } from './event-shape.js';
import { FaultPolicy } from './fault-policy.js';
import type { LoadedStrategy } from './load-strategies.js';
import { SignalStamper, type Stamp } from './signal-stamper.js';
import { TimerQueue } from './timer-queue.js';

export interface StrategyHostOptions {
  readonly clock: Clock;
  /** The market state; the host applies each event to it (see `handle`). */
  readonly book: MarketBook;
  readonly sink: SignalSink;
  readonly strategies: readonly LoadedStrategy[];
  readonly sessionId: string;
  /** Seeds each strategy's `random()` (forked by strategy id). */
  readonly seed: number | string;
  readonly logger?: Logger;
  /** Faults within `faultWindowMs` that quarantine a strategy. Default 5. */
  readonly faultLimit?: number;
  /** Default 60 s. */
  readonly faultWindowMs?: number;
  /** Minimum engine time between two accepted signals of one strategy, symbol and kind. Default 60 s; 0 = off. */
  readonly cooldownMs?: number;
  /**
   * The phases per venue: `ctx.phase()` reads them and a `phase` event goes to the strategies that
   * need it at each change, on the engine clock. Null (the simulator's always-open calendar): no
   * phase events and `ctx.phase()` is always 'continuous'.
   */
  readonly sessions?: Pick<SessionSchedule, 'phaseAt' | 'nextChanges'> | null;
}

export type { StrategyState } from '../core/strategy.js';

/** Per-strategy counters for metrics. */
export interface StrategyStats {
  readonly id: string;
  readonly version: string;
  readonly state: StrategyState;
  readonly events: number;
  readonly timersFired: number;
  readonly signals: number;
  /** Signals swallowed by the cooldown. */
  readonly suppressed: number;
  readonly faults: number;
}

export interface StrategyHost {
  /** Calls every `onStart` at engine time `at` (default: the clock's now; a replay passes the recorded time). */
  start(at?: number): void;
  /**
   * Handles one market event: fires strategy timers due at or before `event.tsRecv`, applies the
   * event to the book, then calls the strategies that consume it.
   */
  handle(event: MarketEvent): void;
  /** Subscribes `handle` to a (hot) event stream; `stop` unsubscribes. */
  attach(events$: Observable<MarketEvent>): Subscription;
  /**
   * Replaces the strategy set at engine time `change.at` (a hot reload): first every timer and bar due
   * at or before it fires; then each strategy in `change.changed` or absent from `next` gets `onStop`,
   * each changed or new one a fresh instance and `onStart`; the others keep their instance, state and
   * timers. Routes and bar intervals follow `next` (its order is the delivery order). Not from inside
   * a strategy call.
   */
  reload(next: readonly LoadedStrategy[], change: { readonly changed: ReadonlySet<string>; readonly at: number }): HostReload;
  /** Calls every `onStop` at engine time `at` (default: the clock's now), cancels timers and subscriptions. */
  stop(at?: number): void;
  stats(): StrategyStats[];
}

/** What a reload did, by strategy id. */
export interface HostReload {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly unchanged: readonly string[];
}

interface Runtime {
  readonly id: string;
  readonly version: string;
  readonly loaded: LoadedStrategy;
  readonly log: Logger;
  handlers: StrategyHandlers | null;
  state: StrategyState;
  readonly stamper: SignalStamper;
  readonly faultPolicy: FaultPolicy;
  events: number;
  timersFired: number;
  signals: number;
  suppressed: number;
  faults: number;
}

const NO_SIGNALS: readonly Signal[] = [];

// The calls a strategy gets, as static functions of (handlers, argument): no closure made per call.
const CALL_START = (h: StrategyHandlers): unknown => h.onStart?.();
const CALL_STOP = (h: StrategyHandlers): unknown => h.onStop?.();
const CALL_TIMER = (h: StrategyHandlers, fire: TimerFire): unknown => h.onTimer?.(fire);
const CALL_BAR = (h: StrategyHandlers, bar: Bar): unknown => h.onBar?.(bar);
const CALL_EVENT = (h: StrategyHandlers, event: MarketEvent | PhaseEvent): unknown => h.onEvent(event);

interface Call {
  readonly rt: Runtime;
  readonly stamp: Stamp;
  /** Made on the first emit: most calls emit nothing. */
  pending: Signal[] | null;
}

/** What a call was made for; the fault log's context is built from it only when a call faults. */
type CallSite = MarketEvent | TimerFire | Bar | { readonly phase: 'create' | 'start' | 'stop' };

const START: CallSite = Object.freeze({ phase: 'start' });
const STOP: CallSite = Object.freeze({ phase: 'stop' });
const CREATE: CallSite = Object.freeze({ phase: 'create' });

/**
 * The strategy host: runs the loaded strategies on one event stream, one synchronous call at a time.
 * Every call is wrapped: inputs are frozen, an exception becomes a StrategyError (E_STRATEGY_FAULT),
 * is logged with the strategy id and the event, and is counted; `faultLimit` faults within
 * `faultWindowMs` quarantine the strategy (E_STRATEGY_QUARANTINED) while the others keep running.
 *
 * Determinism rule: strategy timers live in the host's own queue, not as Clock timers. Before each
 * event, every timer due at or before the event's `tsRecv` fires first (by due time, then arming
 * order). A Clock timer only wakes the host when no event comes. So a timer and an event at the same
 * instant are ordered the same way live and in replay, whatever the event loop ran first.
 *
 * @example
 * const host = createStrategyHost({ clock, book: createMarketBook(), sink: store, sessionId, seed,
 *   strategies: loadStrategies(config.strategies, createRegistry(manifest)), logger });
 * host.start();
 * host.attach(createMarketStream({ ... }));
 */
export function createStrategyHost(options: StrategyHostOptions): StrategyHost {
  const { clock, book, sink } = options;
  const logger = options.logger ?? silentLogger;
  const faultLimit = options.faultLimit ?? 5;
  const faultWindowMs = options.faultWindowMs ?? 60_000;
  const cooldownMs = options.cooldownMs ?? 60_000;
  const rootRandom = createRandom(options.seed);
  const timers = new TimerQueue<Runtime>();
  const subscriptions: Subscription[] = [];

  let runtimes: Runtime[] = [];
  /** Runtimes by the need an event answers ('trade', 'ranking', 'raw:0D', ...). */
  let routes = new Map<EventNeed, Runtime[]>();
  /** Runtimes by the bar interval they declared; one aggregator for the union (none when no bars). */
  let barRoutes = new Map<string, Runtime[]>();
  let bars: BarAggregator | null = barsFor(unionOfBars(options.strategies), null);
  const sessions = options.sessions ?? null;
  /** The next phase change's instant, only when a strategy needs phase events (set at start). */
  let phaseDue: number | null = null;
  /** Reloads applied so far: a replaced strategy's random stream is forked by it. */
  let reloads = 0;

  let current: Call | null = null;
  /** Engine time: tsRecv of the event being handled or due time of the timer firing. */
  let engineNow: number | null = null;
  let busy = false;
  const backlog: MarketEvent[] = [];
  let stopped = false;
  const wakeTimer = new ClockWake(clock, (due) => {
    if (busy) return; // the running handle() fires what is due, then re-arms
    busy = true;
    try {
      fireTimers(Math.max(clock.now(), due));
    } finally {
      engineNow = null;
      busy = false;
    }
    drain();
    wake();
  });

  const nowOf = (): number => engineNow ?? clock.now();

  for (const loaded of options.strategies) runtimes.push(createRuntime(loaded, loaded.definition.id));
  indexRoutes();

  /** A strategy's runtime: its context, then `create(ctx)` (a throw there quarantines it). */
  function createRuntime(loaded: LoadedStrategy, randomKey: string): Runtime {
    const def = loaded.definition;
    const rt: Runtime = {
      id: def.id,
      version: def.version,
      loaded,
      log: logger.child({ strategy: def.id }),
      handlers: null,
      state: 'idle',
      stamper: new SignalStamper({ strategy: def.id, strategyVersion: def.version, sessionId: options.sessionId, cooldownMs, venueOf: book.venueOf }),
      faultPolicy: new FaultPolicy(faultLimit, faultWindowMs),
      events: 0,
      timersFired: 0,
      signals: 0,
      suppressed: 0,
      faults: 0,
    };
    const declaredBars = new Set(loaded.needs.bars);
    const random = rootRandom.fork(randomKey);
    const ctx: StrategyContext<Record<string, unknown>> = Object.freeze({
      id: def.id,
      version: def.version,
      params: loaded.params,
      log: rt.log,
      now: nowOf,
      random: () => random.next(),
      emit: (draft: SignalDraft) => emit(rt, draft),
      setTimer: (name: string, delayMs: number, timerOptions?: TimerOptions) => setTimer(rt, name, delayMs, timerOptions),
      clearTimer: (name: string) => {
        timers.cancel(rt, name);
        wake();
      },
      snapshot: (symbol: string, venue?: Exchange) => book.snapshot(symbol, venue),
      universe: () => book.universe(),
      programTop: () => book.programTop(),
      watchlist: () => book.watchlist(),
      phase: (venue: Venue = 'KRX'): Phase => (sessions === null ? 'continuous' : sessions.phaseAt(venue, nowOf())),
      bars: (symbol: string, interval: string, n: number, venue?: Exchange) => {
        if (!declaredBars.has(interval)) throw new StrategyError('E_STRATEGY_FAULT', `bars("${interval}"): not in needs.bars`);
        return bars?.last(symbol, interval, n, venue) ?? [];
      },
    });
    try {
      rt.handlers = def.create(ctx);
      if (typeof rt.handlers?.onEvent !== 'function') throw new TypeError('create() must return { onEvent }');
    } catch (err) {
      rt.handlers = null;
      fault(rt, err, CREATE, nowOf());
      quarantine(rt, 'create failed');
    }
    return rt;
  }

  /** Rebuilds the event and bar routes from the runtimes, in their order (the delivery order). */
  function indexRoutes(): void {
    routes = new Map();
    barRoutes = new Map();
    for (const rt of runtimes) {
      for (const key of rt.loaded.needs.events) {
        const list = routes.get(key) ?? [];
        list.push(rt);
        routes.set(key, list);
      }
      for (const interval of rt.loaded.needs.bars) {
        const list = barRoutes.get(interval) ?? [];
        list.push(rt);
        barRoutes.set(interval, list);
      }
    }
  }

  /** Calls a runtime's onStart at `at` (it is running from then on). */
  function startRuntime(rt: Runtime, at: number): void {
    if (rt.state !== 'idle') return;
    rt.state = 'running';
    engineNow = at;
    invoke(rt, { tsEvent: at, tsRecv: at }, START, CALL_START, undefined);
  }

  /** Calls a runtime's onStop at `at` and cancels its timers; it gets nothing more. */
  function stopRuntime(rt: Runtime, at: number): void {
    if (rt.state === 'running') {
      engineNow = at;
      invoke(rt, { tsEvent: at, tsRecv: at }, STOP, CALL_STOP, undefined);
    }
    if (rt.state !== 'quarantined') rt.state = 'stopped';
    timers.cancelAll(rt);
  }

  /** The next phase change, when some strategy needs phase events. */
  function armPhases(at: number): void {
    phaseDue = sessions !== null && routes.has('phase') ? (sessions.nextChanges(at)[0]?.at ?? null) : null;
  }

  function setTimer(rt: Runtime, name: string, delayMs: number, timerOptions?: TimerOptions): void {
    if (!Number.isInteger(delayMs) || delayMs < 1) {
      throw new StrategyError('E_STRATEGY_FAULT', `setTimer("${name}"): delay must be an integer >= 1 ms (got ${delayMs})`);
    }
    if (rt.state === 'quarantined' || rt.state === 'stopped') return;
    timers.arm(rt, name, nowOf() + delayMs, timerOptions?.repeat === true ? delayMs : null);
    wake();
  }

  function emit(rt: Runtime, draft: SignalDraft): boolean {
    const call = current;
    if (call === null || call.rt !== rt) {
      throw new StrategyError('E_STRATEGY_BAD_SIGNAL', `${rt.id}: emit() outside a handler call`);
    }
    const signal = rt.stamper.stamp(draft, call.stamp, nowOf());
    if (signal === null) {
      rt.suppressed++;
      return false;
    }
    (call.pending ??= []).push(signal);
    return true;
  }

  /** Runs one strategy call; commits its signals only if it returns normally. */
  function invoke<A>(rt: Runtime, stamp: Stamp, site: CallSite, fn: (h: StrategyHandlers, arg: A) => unknown, arg: A): void {
    const handlers = rt.handlers;
    if (handlers === null || rt.state !== 'running') return;
    const call: Call = { rt, stamp, pending: null };
    const outer = current;
    current = call;
    try {
      const result = fn(handlers, arg);
      if (isThenable(result)) {
        // Handlers are synchronous; a promise's rejection is still caught and counted.
        result.then(undefined, (err: unknown) => {
          fault(rt, err, site, stamp.tsRecv, true);
        });
      }
    } catch (err) {
      current = outer;
      rt.stamper.rollback();
      fault(rt, err, site, stamp.tsRecv);
      return;
    }
    current = outer;
    rt.stamper.commit();
    for (const signal of call.pending ?? NO_SIGNALS) {
      rt.signals++;
      try {
        sink.write(signal);
      } catch (err) {
        logger.error({ code: 'E_STORE_WRITE', err: errorMessage(err), signal: signal.id }, 'signal sink failed');
      }
    }
  }

  function fault(rt: Runtime, err: unknown, site: CallSite, atMs: number, async = false): void {
    const code = isKrxError(err) && err.category === 'strategy' ? err.code : 'E_STRATEGY_FAULT';
    const wrapped = err instanceof StrategyError ? err : new StrategyError(code, `${rt.id}: ${errorMessage(err)}`, { cause: err });
    rt.faults++;
    const context = { ...wrapped.toLog(), strategy: rt.id, ...contextOf(site), ...(async ? { async: true } : {}), stack: err instanceof Error ? err.stack : undefined };
    rt.log.error(context, 'strategy fault');
    if (rt.faultPolicy.record(atMs) === 'quarantine' && rt.state === 'running') {
      quarantine(rt, `${rt.faultPolicy.recent()} faults within ${rt.faultPolicy.windowMs} ms`);
    }
  }

  function quarantine(rt: Runtime, reason: string): void {
    rt.state = 'quarantined';
    timers.cancelAll(rt);
    const err = new StrategyError('E_STRATEGY_QUARANTINED', `${rt.id} quarantined: ${reason}`, { details: { strategy: rt.id } });
    rt.log.error(err.toLog(), 'strategy quarantined');
    wake();
  }

  /**
   * Fires every strategy timer and closes every bar due at or before `boundMs`, in time order; at
   * one instant the bars close first (a timer then sees the bar that just closed).
   */
  function fireTimers(boundMs: number): void {
    for (;;) {
      if (phaseDue !== null && phaseDue <= boundMs && phaseDue <= (bars?.nextBoundary() ?? phaseDue) && phaseDue <= (timers.earliestDue() ?? phaseDue)) {
        deliverPhases(phaseDue);
        continue;
      }
      const barDue = bars?.nextBoundary() ?? null;
      const timerDue = timers.earliestDue();
      if (barDue !== null && barDue <= boundMs && (timerDue === undefined || barDue <= timerDue)) {
        deliverBars(bars?.closeDue(barDue) ?? []);
        continue;
      }
      const t = timers.takeDue(boundMs);
      if (t === undefined) return;
      const rt = t.owner;
      if (t.repeatMs !== null) timers.arm(rt, t.name, t.dueMs + t.repeatMs, t.repeatMs);
      engineNow = t.dueMs;
      rt.timersFired++;
      const fire: TimerFire = Object.freeze({ name: t.name, dueMs: t.dueMs });
      invoke(rt, { tsEvent: t.dueMs, tsRecv: t.dueMs }, fire, CALL_TIMER, fire);
    }
  }

  /** Hands the phase changes at `at` to the strategies that need `phase` (first at an instant), then arms the next. */
  function deliverPhases(at: number): void {
    const changes = sessions?.nextChanges(at - 1).filter((c) => c.at === at) ?? [];
    const next = sessions?.nextChanges(at)[0];
    phaseDue = next === undefined ? null : next.at;
    engineNow = at;
    for (const c of changes) {
      const event: PhaseEvent = { kind: 'phase', venue: c.venue, phase: c.phase, tsEvent: at, tsRecv: at };
      freezeEvent(event);
      for (const rt of routes.get('phase') ?? []) {
        if (rt.state !== 'running') continue;
        rt.events++;
        invoke(rt, event, event, CALL_EVENT, event);
      }
    }
  }

  /** Hands closed bars to the strategies that declared their interval, stamped at the bar's end. */
  function deliverBars(closed: readonly Bar[]): void {
    for (const bar of closed) {
      const targets = barRoutes.get(bar.interval);
      if (targets === undefined) continue;
      // Bars come frozen from the aggregator (core/bars.ts): freezing again costs ~0.1 us a bar.
      engineNow = bar.end;
      for (const rt of targets) {
        if (rt.state !== 'running') continue;
        invoke(rt, { tsEvent: bar.end, tsRecv: bar.end, symbol: bar.symbol, venue: bar.venue }, bar, CALL_BAR, bar);
      }
    }
  }

  function wake(): void {
    if (stopped) return wakeTimer.arm(undefined);
    // Per event: three scalars, no array.
    let due = timers.earliestDue();
    const bar = bars?.nextBoundary() ?? undefined;
    if (bar !== undefined && (due === undefined || bar < due)) due = bar;
    if (phaseDue !== null && (due === undefined || phaseDue < due)) due = phaseDue;
    wakeTimer.arm(due);
  }

  function handleOne(event: MarketEvent): void {
    freezeEvent(event);
    // Timers first (see the determinism rule above), then state, then strategies.
    fireTimers(event.tsRecv);
    engineNow = event.tsRecv;
    book.apply(event);
    if (bars !== null && event.kind === 'trade') {
      deliverBars(bars.onTrade({ symbol: event.symbol, venue: event.venue, price: event.price, quantity: event.volume, at: event.tsRecv }));
      engineNow = event.tsRecv;
    } else if (bars !== null && (event.kind === 'ranking' || event.kind === 'watchlist')) {
      // Bars are bounded by the universe: a symbol that left it takes its bars along.
      const universe = new Set(book.universe());
      for (const symbol of bars.symbols()) if (!universe.has(symbol)) bars.drop(symbol);
    }
    const targets = routes.get(eventNeedOf(event));
    if (targets === undefined) return;
    for (const rt of targets) {
      if (rt.state !== 'running') continue;
      rt.events++;
      invoke(rt, event, event, CALL_EVENT, event);
    }
  }

  function drain(): void {
    if (busy) return;
    busy = true;
    try {
      for (let e = backlog.shift(); e !== undefined; e = backlog.shift()) {
        if (!stopped) handleOne(e);
      }
    } finally {
      engineNow = null;
      busy = false;
    }
    wake();
  }

  function handle(event: MarketEvent): void {
    if (stopped) return;
    // Serialises: an event pushed from inside a call (e.g. by a sink) waits for the current one.
    backlog.push(event);
    drain();
  }

  return {
    start(at) {
      const now = at ?? clock.now();
      armPhases(now);
      for (const rt of runtimes) startRuntime(rt, now);
      engineNow = null;
      wake();
    },
    handle,
    attach(events$) {
      const sub = events$.subscribe({
        next: handle,
        error: (err: unknown) => logger.error({ err: errorMessage(err) }, 'market stream failed'),
      });
      subscriptions.push(sub);
      return sub;
    },
    reload(next, change) {
      if (stopped) throw new StrategyError('E_INVARIANT', 'reload after stop');
      if (busy) throw new StrategyError('E_INVARIANT', 'reload from inside a strategy call');
      const at = change.at;
      busy = true;
      try {
        // What is due at or before the reload happens first, as before an event (the same live and in replay).
        fireTimers(at);
        const keep = new Map<string, Runtime>();
        const replaced = new Map<string, Runtime>();
        const nextIds = new Set(next.map((s) => s.definition.id));
        for (const rt of runtimes) {
          if (nextIds.has(rt.id) && !change.changed.has(rt.id)) keep.set(rt.id, rt);
          else {
            stopRuntime(rt, at);
            replaced.set(rt.id, rt);
          }
        }
        reloads++;
        const started: Runtime[] = [];
        runtimes = next.map((loaded) => {
          const kept = keep.get(loaded.definition.id);
          if (kept !== undefined) return kept;
          engineNow = at;
          const rt = createRuntime(loaded, `${loaded.definition.id}#reload${reloads}`);
          carryCounters(replaced.get(rt.id), rt);
          started.push(rt);
          return rt;
        });
        indexRoutes();
        bars = barsFor(unionOfBars(runtimes.map((rt) => rt.loaded)), bars);
        armPhases(at);
        for (const rt of started) startRuntime(rt, at);
        return { started: started.map((rt) => rt.id), stopped: [...replaced.keys()], unchanged: [...keep.keys()] };
      } finally {
        engineNow = null;
        busy = false;
        drain();
      }
    },
    stop(at) {
      if (stopped) return;
      for (const sub of subscriptions) sub.unsubscribe();
      const now = at ?? clock.now();
      for (const rt of runtimes) stopRuntime(rt, now);
      engineNow = null;
      stopped = true;
      phaseDue = null;
      timers.clear();
      wake();
    },
    stats() {
      return runtimes.map((rt) => ({
        id: rt.id,
        version: rt.version,
        state: rt.state,
        events: rt.events,
        timersFired: rt.timersFired,
        signals: rt.signals,
        suppressed: rt.suppressed,
        faults: rt.faults,
      }));
    },
  };
}

/** The union of the strategies' bar intervals, sorted. */
function unionOfBars(strategies: readonly LoadedStrategy[]): string[] {
  return [...new Set(strategies.flatMap((s) => s.needs.bars))].sort();
}

/** A replaced strategy's counters carry on in its new runtime, so the metrics stay monotonic. */
function carryCounters(from: Runtime | undefined, to: Runtime): void {
  if (from === undefined) return;
  to.events += from.events;
  to.timersFired += from.timersFired;
  to.signals += from.signals;
  to.suppressed += from.suppressed;
  to.faults += from.faults;
}

/** The fault log's context for a call site. */
function contextOf(site: CallSite): Record<string, unknown> {
  if ('interval' in site) return { bar: { symbol: site.symbol, interval: site.interval, end: site.end } };
  if ('kind' in site) return { event: describeEvent(site) };
  if ('dueMs' in site) return { timer: site.name, dueMs: site.dueMs };
  return { phase: site.phase };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
