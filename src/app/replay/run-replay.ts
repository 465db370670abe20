import { createStockMasterBook } from '../../pipeline/stock-master-book.js';
import { createVenueItems, replayWants } from '../venue-items.js';
import { Subject } from 'rxjs';
import type { Logger as PinoLogger } from 'pino';
import { eventSinks, routeFrame, type FrameStats } from '../../adapters/kiwoom/realtime-frames.js';
import { openRecordingReader } from '../../adapters/recording/index.js';
import { openSignalStore } from '../../adapters/store/index.js';
import { fileConfigSchema, type Config, type FileConfig } from '../../config/schema.js';
import { deepFreeze } from '../../core/deep-freeze.js';
import { KrxError } from '../../core/errors.js';
import type { RealtimeEvent } from '../../core/market.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import type { LifecycleRecord, RecordedStrategySet, RecordingMeta } from '../../core/recording.js';
import type { Signal } from '../../core/signal.js';
import { createVirtualClock } from '../../core/virtual-clock.js';
import { buildBrokerClients, type BrokerTransports } from '../broker-clients.js';
import { systemClock } from '../../core/clock.js';
import { planKernel, startKernel, type Kernel, type KernelPlan } from '../kernel.js';
import { loadAvailableStrategies, loadRecordedStrategies, logProblems, planWithStrategyFiles, strategiesDirOf, withNamedStrategies, type AvailableStrategies, type StrategySource } from '../strategy-files.js';
import { activeStrategies } from '../strategy-reload-daemon.js';
import { changedIds, entriesOf, type ActiveStrategy } from '../strategy-set.js';
import { parseLifecycle, recordedPollNames } from '../lifecycle-recording.js';
import { buildEntrySources, buildMarketSources } from '../market-sources.js';
import type { RestRecord } from '../recording-transports.js';
import { kernelSettings } from '../settings.js';
import { RecordedRest } from './recorded-rest.js';
import { notifyStoreOptions } from '../notify/daemon-notify.js';
import { dueTrackingClock } from './due-tracking-clock.js';
import { abortableWait, checkOnly, checkRecordedSettings, quarantinedStrategies } from './replay-guards.js';

export interface ReplayOptions {
  readonly file: string;
  /** The user's effective config (dataDir, and strategies when `strategiesFromConfig`). */
  readonly config: Config;
  /** Replace the recorded strategies and params with the config's (the author's loop). */
  readonly strategiesFromConfig: boolean;
  /** Only these strategy ids (empty = all). */
  readonly only?: readonly string[];
  readonly dbFile: string;
  /** 'max', or a multiple of real time (1 = as recorded). */
  readonly speed: 'max' | number;
  readonly log: PinoLogger;
  readonly onProgress?: (p: ReplayProgress) => void;
  /** Write outbox rows (marked as a replay) for the user's configured sinks; off by default: replay never notifies. */
  readonly notify?: boolean;
  /** Aborted = stop at the next row, keep (commit) what was replayed so far. */
  readonly signal?: AbortSignal;
  /** Inflate the next stored chunks on the thread pool meanwhile (default true; a sweep's workers say false). */
  readonly inflateAhead?: boolean;
  /** Sees every row of the file, as decoded once for the replay (a sweep's report reads its trades here). */
  readonly tap?: ReplayTap;
}

/**
 * Every row of the recording, to its end (the rows after the kernel stopped too), in order: its time,
 * the market events the router decoded from a ws frame (subscribed or not), the lifecycle records.
 */
export interface ReplayTap {
  /** Before the first row: the recording's meta. */
  begin(meta: RecordingMeta): void;
  row(at: number): void;
  event(e: RealtimeEvent): void;
  lifecycle(text: string, at: number): void;
}

export interface ReplayProgress {
  readonly rows: number;
  readonly totalRows: number;
  readonly events: number;
  readonly signals: number;
  readonly wallMs: number;
}

export interface ReplaySummary {
  readonly sessionId: string;
  readonly rows: number;
  readonly frames: number;
  readonly events: number;
  readonly decodeErrors: number;
  /** Entries for symbols not subscribed at the time, dropped as live. */
  readonly unregisteredEntries: number;
  readonly signals: number;
  readonly signalsByStrategy: Readonly<Record<string, number>>;
  /** Recorded span replayed, ms. */
  readonly sessionMs: number;
  readonly wallMs: number;
  readonly eventsPerSecond: number;
  readonly divergences: number;
  readonly dbFile: string;
  /** Stopped early by `signal` (Ctrl-C / SIGTERM). */
  readonly interrupted: boolean;
  /** Strategies quarantined for repeated faults during the run. */
  readonly quarantined: readonly string[];
}

const REPLAY_URL = 'http://replay.invalid';
const replayTokens: TokenSource = { getToken: async () => 'replay', invalidate: () => undefined };
const FLUSH_EVERY_ROWS = 4096;

/**
 * Replays a recorded session through through the same kernel (pipeline, strategy host, strategies), REST
 * clients (paging, return codes, schemas) and frame router as the live run, on a virtual clock that
 * starts at the recording's start and jumps to each recorded arrival. The kernel, the REST clients
 * and the sources come from the same builders as the live run's; only the transports differ (the
 * recording), and no outbound subscriber hears of the signals.
 *
 * The ordering rule (the same live and in replay): at each recorded instant, every timer due at or
 * before it fires first (virtual clock advance), then the frame or answer is delivered. The strategy
 * host applies the same rule to its own timers against each event's `tsRecv`.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const reader = openRecordingReader(options.file);
  const { meta } = reader;
  const available = await loadAvailableStrategies(strategiesDirOf(options.config));
  logProblems(available, options.log);
  const replayed = replayConfig(options.config, meta.config, options.strategiesFromConfig);
  // --strategy names a strategy of the run, or one the recorded run never had (the author's loop).
  const config = { ...replayed, strategies: withNamedStrategies(replayed.strategies, options.only ?? [], available) };
  checkOnly(config.strategies, options.only);
  const settings = kernelSettings(config);
  // The folder's strategies: a recording that carries its code (and a --config replay) decides at its kernel start.
  const folderPlan = (): KernelPlan => planWithStrategyFiles(settings, available, options.only);
  // A bad --config, or a strategy missing from the folder of a recording without its code, fails before any row is read.
  if (options.strategiesFromConfig || firstKernelStart(reader)?.strategies === undefined) folderPlan();
  const clock = dueTrackingClock(createVirtualClock(meta.start));
  const log = options.log;
  const rest = new RecordedRest((d) => log.warn({ code: 'E_REPLAY_DIVERGED', ...d }, 'replay diverged from the recording'));
  // The replay commits on its own schedule (every FLUSH_EVERY_ROWS rows and at the end), not per turn.
  const store = openSignalStore({
    file: options.dbFile,
    clock,
    queueLimit: settings.store.queueLimit,
    log: log.child({ component: 'store' }),
    schedule: () => undefined,
    sessionMode: 'replay',
    // Replay notifies nobody unless asked (--notify): then through the outbox, marked as a replay and
    // stamped on the wall clock (the recording's times would read as expired on delivery).
    ...(options.notify ? notifyStoreOptions(options.config, { replay: true, now: () => systemClock.now() }) : {}),
  });
  const realtime = new Subject<RealtimeEvent>();
  const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
  let events = 0;
  const signalsByStrategy: Record<string, number> = {};
  let signals = 0;
  // The wanted set is the truth here too: entries for items not subscribed are dropped, as live (the
  // same venue choice turns the universe's symbols into items).
  const wanted = new Set<string>();
  // The recorded ka10099 answers fill it as live (the `auto` venue choice reads it at the same instants).
  const master = createStockMasterBook();
  const venueItems = createVenueItems(settings.universe.venue, () => master);
  let unregistered = 0;
  const tap = options.tap;
  tap?.begin(meta);
  const sinks = eventSinks((e) => {
    tap?.event(e);
    if (!replayWants(wanted, e)) {
      unregistered++;
      return;
    }
    events++;
    realtime.next(e);
  });

  const transports: BrokerTransports = {
    clock,
    log,
    kiwoom: { baseUrl: REPLAY_URL, transport: rest.kiwoomTransport(), tokens: replayTokens },
    kis: { baseUrl: REPLAY_URL, transport: rest.kisTransport(), tokens: replayTokens, appkey: 'replay', appsecret: 'replay', htsId: 'replay' },
  };
  // Counting only: a replay hands its signals to the store and to no outbound subscriber.
  const sink = {
    write: (signal: Signal) => {
      signals++;
      signalsByStrategy[signal.strategy] = (signalsByStrategy[signal.strategy] ?? 0) + 1;
      store.write(signal);
    },
  };
  // The recorded strategy code (by sha256) seen so far, and the set running: a replay without --config
  // runs the code the session ran (started and reloaded), not what the folder holds by now.
  const recordedCode = new Map<string, string>();
  let running: ActiveStrategy[] = [];
  const useRecorded = !options.strategiesFromConfig;
  const recordedPlan = async (set: RecordedStrategySet): Promise<{ plan: KernelPlan; active: ActiveStrategy[] }> => {
    const recordedIds = new Set(set.strategies.map((s) => s.id));
    const sources = await loadRecordedStrategies(set, recordedCode);
    warnIfFolderDiffers(sources, available, log);
    // --strategy may name a strategy the run never had (the author's loop): that one comes from the folder.
    const extra = config.strategies.filter((e) => e.enabled !== false && !recordedIds.has(e.id) && (options.only ?? []).includes(e.id));
    const extraSources = extra.flatMap((e) => available.sources.filter((s) => s.definition.id === e.id));
    const entries = [...entriesOf(set), ...extra].filter((e) => options.only === undefined || options.only.length === 0 || options.only.includes(e.id));
    const all = [...sources, ...extraSources];
    const next = planKernel({ ...settings, strategies: entries }, undefined, all.map((s) => s.definition));
    return { plan: next, active: activeStrategies(next, { sources: all, definitions: all.map((s) => s.definition), problems: [], dir: '' }, entries) };
  };
  const startKernelAt = async (started: Extract<LifecycleRecord, { type: 'kernel.started' }>): Promise<Kernel> => {
    let startPlan: KernelPlan;
    if (useRecorded && started.strategies !== undefined) {
      const recorded = await recordedPlan(started.strategies);
      startPlan = recorded.plan;
      running = recorded.active;
    } else startPlan = folderPlan();
    const brokers = buildBrokerClients(settings, transports);
    const ran = recordedPollNames(started.polls, settings.universe.programTopMarkets);
    const polls = buildMarketSources(settings, brokers, startPlan.needs, ran, startPlan.pollSchedules);
    const entries = buildEntrySources(settings, brokers, startPlan.needs, ran);
    return startKernel(startPlan, {
      clock,
      log: log.child({ component: 'kernel' }),
      sessionId: meta.sessionId,
      seed: meta.seed ?? meta.sessionId,
      realtime$: realtime,
      master,
      applyDiff: (symbols) => {
        const diff = venueItems.toItems(symbols);
        for (const item of diff.remove) wanted.delete(item);
        for (const item of diff.add) wanted.add(item);
      },
      polls,
      entries,
      sink,
      startAt: started.at,
    });
  };
  /** A recorded reload: the same set, the same changes, at the same engine time (ignored with --config). */
  const reloadAt = async (kernel: Kernel, reloaded: Extract<LifecycleRecord, { type: 'strategies.reloaded' }>, at: number): Promise<void> => {
    if (!useRecorded) return;
    const next = await recordedPlan(reloaded);
    // The live run's changes as recorded (with the same code they are what changedIds gives).
    const changed = new Set(Array.isArray(reloaded.changed) ? reloaded.changed : changedIds(running, next.active));
    kernel.reload(next.plan, changed, typeof reloaded.at === 'number' ? reloaded.at : at);
    running = next.active;
  };

  const totalRows = reader.frameCount();
  const wallStart = performance.now();
  let rows = 0;
  let lastProgress = 0;
  let endAt = meta.start;
  let kernel: Kernel | null = null;
  let stopped = false;
  let interrupted = false;
  // The tap's frames outside the kernel's life (before its start, after its stop): decoded for the tap alone.
  const tapSinks = tap ? eventSinks((e) => tap.event(e)) : null;
  const tapStats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
  try {
    // The recorded bytes, a stored chunk at a time (the next ones inflating meanwhile): ws frames go to
    // the router as the socket handed them over live, with no string in between.
    replay: for await (const batch of reader.rawBatches({ inflateAhead: options.inflateAhead !== false })) {
      for (const frame of batch) {
        if (options.signal?.aborted) {
          interrupted = true;
          break replay;
        }
        const at = Math.floor(frame.tsUs / 1000);
        const lifecycle = frame.kind === 'lifecycle' ? frame.bytes.toString('utf8') : null;
        if (tap) {
          tap.row(at);
          if (lifecycle !== null) tap.lifecycle(lifecycle, at);
          else if (frame.kind === 'ws.in' && (kernel === null || stopped)) routeFrame(frame.bytes, at, tapSinks!, tapStats);
          // The tap reads on to the file's end; the replay itself ends with the kernel.
          if (stopped) continue;
        }
        rows++;
        if (options.speed !== 'max') await pace(wallStart, at - meta.start, options.speed, options.signal);
        const advancing = clock.advanceTo(at);
        if (advancing !== undefined) await advancing;
        endAt = clock.now();
        if (frame.kind === 'ws.in') {
          // A frame that was not valid UTF-8 fails in the router as it did live.
          if (kernel) routeFrame(frame.bytes, at, sinks, stats);
        } else if (frame.kind === 'rest') {
          if (kernel) {
            rest.deliver(JSON.parse(frame.bytes.toString('utf8')) as RestRecord, at);
            // Let the answer's promise chain reach the kernel before the next row, as it did live.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        } else if (lifecycle !== null) {
          const event = parseLifecycle(lifecycle);
          if (event?.type === 'kernel.started' && !kernel) kernel = await startKernelAt(event);
          if (event?.type === 'strategy.source' && typeof event.sha256 === 'string' && typeof event.text === 'string') recordedCode.set(event.sha256, event.text);
          if (event?.type === 'strategies.reloaded' && kernel) await reloadAt(kernel, event, at);
          if (event?.type === 'kernel.stopped' && kernel) {
            kernel.stop(typeof event.at === 'number' ? event.at : at);
            stopped = true;
            if (!tap) break replay;
          }
        }
        if (rows % FLUSH_EVERY_ROWS === 0) {
          store.flush();
          await new Promise<void>((resolve) => setImmediate(resolve));
          const now = performance.now();
          if (options.onProgress && now - lastProgress > 200) {
            lastProgress = now;
            options.onProgress({ rows, totalRows, events, signals, wallMs: now - wallStart });
          }
        }
      }
    }
    if (!kernel && !interrupted) throw new KrxError('E_RECORDING_READ', 'the recording has no kernel start: nothing to replay', { details: { file: options.file } });
    // A recording cut short (crash) has no kernel.stopped: stop where it ends.
    if (!stopped) kernel?.stop(endAt);
    // Answers no replayed request asked for: a divergence in a complete recording; in one cut short
    // (a crash) the last answers may belong to requests the replay had not reached when the rows ended.
    if (stopped) rest.settle();
    else if (!interrupted) rest.settle((n) => log.info({ event: 'replay.unasked', answers: n }, `${n} recorded answers at the cut were not asked for (the recording ends mid-request)`));
    store.flush();
  } finally {
    store.close();
    reader.close();
    realtime.complete();
  }
  const wallMs = performance.now() - wallStart;
  options.onProgress?.({ rows, totalRows, events, signals, wallMs });
  return {
    sessionId: meta.sessionId,
    rows,
    frames: stats.frames,
    events,
    decodeErrors: stats.decodeErrors,
    unregisteredEntries: unregistered,
    signals,
    signalsByStrategy,
    sessionMs: endAt - meta.start,
    wallMs,
    eventsPerSecond: wallMs > 0 ? (events / wallMs) * 1000 : 0,
    divergences: rest.divergences.length,
    dbFile: options.dbFile,
    interrupted,
    quarantined: kernel ? quarantinedStrategies(kernel.strategyStats()) : [],
  };
}

/** The recording's first kernel start (a few rows in), or null. */
function firstKernelStart(reader: { frames(): Generator<{ kind: string; data: string }> }): Extract<LifecycleRecord, { type: 'kernel.started' }> | null {
  for (const frame of reader.frames()) {
    if (frame.kind !== 'lifecycle') continue;
    const record = parseLifecycle(frame.data);
    if (record?.type === 'kernel.started') return record;
  }
  return null;
}

/** Says when the folder holds another version of a file the recording ran: the replay runs the recorded one. */
function warnIfFolderDiffers(recorded: readonly StrategySource[], folder: AvailableStrategies, log: PinoLogger): void {
  for (const r of recorded) {
    if (r.file === 'built-in') continue;
    const now = folder.sources.find((s) => s.definition.id === r.definition.id);
    if (now !== undefined && now.hash !== r.hash) {
      log.warn({ event: 'replay.recorded-code', strategy: r.definition.id, file: r.file, recorded: r.hash, folder: now.hash }, `replaying the recorded code of ${r.definition.id} (${r.file}); the folder's file differs: pass --config to run it`);
    }
  }
}

/**
 * The live run's pipeline settings (mode, universe, calendar, REST paging) come from the recording,
 * so the replay polls and pages as it did; strategies too, unless the user's config replaces them.
 * The merge is parsed with the schema and frozen, as the loader does.
 */
function replayConfig(user: Config, recorded: unknown, strategiesFromConfig: boolean): Config {
  const r = (typeof recorded === 'object' && recorded !== null ? recorded : {}) as Record<string, unknown>;
  const rec = fileConfigSchema.safeParse({ universe: r.universe, calendar: r.calendar, strategies: r.strategies, kiwoom: r.kiwoom, kis: r.kis });
  if (!rec.success) {
    throw new KrxError('E_RECORDING_READ', 'the recording carries no usable pipeline settings', { details: { issues: rec.error.issues.length } });
  }
  checkRecordedSettings(rec.data);
  const { mode: _mode, credentials, source, ...userFile } = user;
  const k = rec.data.kiwoom;
  const merged = fileConfigSchema.safeParse({
    ...userFile,
    universe: rec.data.universe,
    calendar: legacyCalendar(rec.data.calendar, r.mode === 'live'),
    // Paging, rates and row caps as the live run had them.
    // The app keys too: the universe's item budget is connection.maxItems per key.
    kiwoom: { ...user.kiwoom, requestsPerSecond: k.requestsPerSecond, maxPages: k.maxPages, maxRows: k.maxRows, maxRowsByTr: k.maxRowsByTr, keys: k.keys },
    kis: { ...user.kis, groups: rec.data.kis.groups, requestsPerSecond: rec.data.kis.requestsPerSecond, maxRows: rec.data.kis.maxRows },
    strategies: strategiesFromConfig ? user.strategies : rec.data.strategies,
  });
  if (!merged.success) {
    throw new KrxError('E_RECORDING_READ', 'the recorded settings do not merge with this config', { details: { issues: merged.error.issues.length } });
  }
  const { mode: _fileMode, ...file } = merged.data;
  return deepFreeze({ ...file, mode: r.mode === 'live' ? 'live' : 'sim', credentials, source });
}

/**
 * A live recording made before session profiles (no `calendar.profiles`) ran `auto` as the regular
 * KRX session: replay it so, not with the 08:00-20:00 day it never had.
 */
function legacyCalendar(calendar: FileConfig['calendar'], live: boolean): FileConfig['calendar'] {
  return live && calendar.kind === 'auto' && calendar.profiles === undefined ? { ...calendar, kind: 'krx' } : calendar;
}

/** Waits (real time) until the replay is `offsetMs` of session time into a run at `speed` x. */
async function pace(wallStart: number, offsetMs: number, speed: number, signal?: AbortSignal): Promise<void> {
  const due = wallStart + offsetMs / speed;
  const wait = due - performance.now();
  if (wait > 1 && !signal?.aborted) await abortableWait(wait, signal);
}
