import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { openRecordingWriter, type RecordingWriter } from '../adapters/recording/index.js';
import { openSignalStore, type SignalStore } from '../adapters/store/index.js';
import { createFileTokenCache } from '../adapters/token-cache/file-token-cache.js';
import { redactConfig, secretValues } from '../config/redact.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { formatKstCompact } from '../core/kst.js';
import type { SocketEvent } from '../core/realtime-socket.js';
import { createRandom } from '../core/random.js';
import { knownSecrets } from '../observability/secrets.js';
import type { SimulatorHandle } from '../sim/index.js';
import { buildBrokerClients, createBrokerLimiters, createBrokerTokenSource, createTokenIssuers, endpointsFor, networkTransports } from './broker-clients.js';
import { startDaemonBus, type DaemonBus } from './bus/daemon-bus.js';
import { Closers } from './closers.js';
import type { RateLimitCounts } from './counting-transports.js';
import { startEmbeddedSimulator } from './embedded-simulator.js';
import { startKernel, type Kernel } from './kernel.js';
import { loadAvailableStrategies, logProblems, planWithStrategyFiles, strategiesDirOf } from './strategy-files.js';
import { createStrategyReloader, type ReloadOutcome, type StrategyReloader } from './strategy-reload.js';
import { activeStrategies, watchStrategies, writeReloadOutcome } from './strategy-reload-daemon.js';
import { recordSet } from './strategy-set.js';
import { lifecycleRecorder } from './lifecycle-recording.js';
import { buildMarketSources } from './market-sources.js';
import { notifyStoreOptions, startDaemonNotify, type DaemonNotify } from './notify/daemon-notify.js';
import { createPhaseFeedCheck, registerPhaseFeedMetrics, watchPhases, type PhaseFeedStats } from './phase-watch.js';
import { splitItemless } from './itemless.js';
import { startObservability, type Observability } from './observability.js';
import { createRealtimeConnection, type RealtimeConnection } from './realtime-connection.js';
import { startKisCalendar } from './kis-calendar.js';
import { kernelSettings } from './settings.js';
import { fanOutSignals, signalCounter, signalLogLine } from './signal-fanout.js';
import type { ManagedTokenSource } from './token-source.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly log: PinoLogger;
  readonly clock: Clock;
  readonly version: string;
  /** Reads the config again for a strategy reload (start: the same file and environment); default: the config given. */
  readonly rereadConfig?: () => Config;
}

export interface Daemon {
  readonly sessionId: string;
  readonly mode: 'sim' | 'live';
  readonly connection: RealtimeConnection;
  readonly kernel: Kernel;
  readonly store: SignalStore;
  readonly recording: RecordingWriter | null;
  readonly simulator: SimulatorHandle | null;
  readonly tokens: { readonly kiwoom: ManagedTokenSource; readonly kis: ManagedTokenSource | null };
  readonly observability: Observability;
  /** Notification dispatchers, alerts and digest; null when no sink is enabled. */
  readonly notify: DaemonNotify | null;
  /** The Redis Streams bus (signals sink, market egress); null without bus.redis.url. */
  readonly bus: DaemonBus | null;
  /** Signals committed to the store so far (duplicates of stored ids excluded). */
  signalsCommitted(): number;
  /** The 0s 장시작시간 check against the session profile; null off the session calendar. */
  phaseFeed(): PhaseFeedStats | null;
  /** Resolves if the daemon gave up (credentials rejected for tokens.credentialsExitAfterMs): the CLI stops and exits 77. */
  readonly gaveUp: Promise<{ readonly code: string; readonly message: string }>;
  /** Hot reload of the strategy files and the `strategies` section (SIGHUP, `krx-signals reload`, the watch). */
  reload(trigger: string): Promise<ReloadOutcome>;
  readonly reloader: StrategyReloader;
  /** Graceful stop (polls, REMOVE, socket, flush, revoke if configured, close). Idempotent. */
  stop(reason: string): Promise<void>;
}

/**
 * Starts the daemon on live hosts or the embedded simulator: the composition root that knows which
 * environment it built. Each part is started, then its closer pushed; a stop (or a failed start)
 * closes them in reverse. Replay builds the same kernel and clients from a recording instead.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, clock, log } = options;
  const settings = kernelSettings(config);
  const mode = settings.mode;
  const available = await loadAvailableStrategies(strategiesDirOf(config));
  logProblems(available, log);
  const plan = planWithStrategyFiles(settings, available);
  const startedAt = clock.now();
  const sessionId = `${formatKstCompact(startedAt)}-${randomBytes(3).toString('hex')}`;
  const seed = sessionId;
  const random = createRandom(seed);
  const closers = new Closers(log);
  let giveUp: (f: { code: string; message: string }) => void = () => undefined;
  const gaveUp = new Promise<{ code: string; message: string }>((resolve) => (giveUp = resolve));
  mkdirSync(config.dataDir, { recursive: true });
  log.info({ event: 'daemon.starting', sessionId, mode, version: options.version, strategies: plan.strategies.map((s) => s.definition.id), strategyFiles: available.sources.filter((s) => s.hash !== '').map((s) => ({ id: s.definition.id, version: s.definition.version, file: s.file, sha256: s.hash })), dataDir: config.dataDir }, `krx-signals ${options.version} starting (${mode})`);

  try {
    const simulator = mode === 'sim' ? await startEmbeddedSimulator(config, clock, log) : null;
    if (simulator) closers.push('simulator', () => simulator.close());
    const endpoints = endpointsFor(config, simulator);

    const recording = config.recording.enabled
      ? openRecordingWriter({
          dir: join(config.dataDir, config.recording.dir),
          sessionId,
          startMs: startedAt,
          appVersion: options.version,
          // The session profiles this run knows: a replay keeps these phases after new profiles ship.
          config: settings.sessions ? { ...redactConfig(config), calendar: { ...config.calendar, profiles: settings.sessions.knownProfiles } } : redactConfig(config),
          seed,
          clock,
          log: log.child({ component: 'recording' }),
          // Issued tokens join the list at run time (knownSecrets), so an echoed one is refused too.
          secrets: () => [...secretValues(config), endpoints.kiwoom.secretkey, endpoints.kiwoom.appkey, ...knownSecrets()],
        })
      : null;
    if (recording) {
      closers.push('recording', () => recording.close(clock.now()));
      log.info({ event: 'recording.started', file: recording.file }, 'recording the session');
    }
    const recordLifecycle = lifecycleRecorder(recording, clock);

    // One limiter per host + app key: token calls and TR calls share the broker's budget.
    const limiters = createBrokerLimiters(settings, endpoints, clock);
    const issuers = createTokenIssuers(settings, endpoints, clock, limiters);
    const cache = settings.tokens.cache ? createFileTokenCache(config.dataDir) : undefined;
    const tokenEnv = { clock, random, log, onGiveUp: (f: { code: string; message: string }) => giveUp(f), ...(cache ? { cache } : {}) };
    const kiwoomTokens = createBrokerTokenSource('kiwoom', settings, endpoints.kiwoom.restUrl, endpoints.kiwoom.appkey, issuers.kiwoom, tokenEnv);
    closers.push('kiwoom tokens', async () => {
      await kiwoomTokens.shutdown();
      await issuers.kiwoom.close();
    });
    const kis = endpoints.kis && issuers.kis ? { issuer: issuers.kis, tokens: createBrokerTokenSource('kis', settings, endpoints.kis.restUrl, endpoints.kis.appkey, issuers.kis, tokenEnv) } : null;
    if (kis) closers.push('kis tokens', async () => {
      await kis.tokens.shutdown();
      await kis.issuer.close();
    });
    else if (config.kis.enabled) log.warn({ event: 'kis.disabled' }, 'no KIS credentials (KIS_APPKEY, KIS_APPSECRET, KIS_HTS_ID): watchlists are not polled');
    if (kis && endpoints.kis && settings.sessions) {
      // The authoritative calendar: KIS CTCA0903R, at most one call a day, cached in the data directory.
      const calendar = startKisCalendar({ schedule: settings.sessions, dataDir: config.dataDir, clock, log: log.child({ component: 'calendar' }), kis: endpoints.kis, tokens: kis.tokens, limiter: limiters?.kis ?? null });
      closers.push('kis calendar', () => calendar.stop());
    }

    const rateLimitHits: RateLimitCounts = { kiwoom: 0, kis: 0 };
    const transports = networkTransports(settings, endpoints, { clock, log, tokens: { kiwoom: kiwoomTokens, kis: kis?.tokens ?? null }, limiters, rateLimitHits, recording });
    const brokers = buildBrokerClients(settings, transports);
    closers.push('rest clients', () => brokers.close());

    const store = openSignalStore({
      file: join(config.dataDir, settings.store.file),
      clock,
      queueLimit: settings.store.queueLimit,
      log: log.child({ component: 'store' }),
      sessionMode: mode,
      ...notifyStoreOptions(config),
    });
    closers.push('signal store', () => {
      store.flush();
      const stats = store.stats();
      store.close();
      log.info({ event: 'store.closed', committed: stats.committed, queued: stats.queued, dropped: stats.dropped }, 'signal store closed');
    });
    const committed = signalCounter();
    // The bus: closed after the notify sinks that use it and the egress.
    const bus = startDaemonBus(config, sessionId, clock, log.child({ component: 'bus' }));
    if (bus) closers.push('bus', () => bus.close());
    // Outbox dispatchers, woken after each commit (a fan-out subscriber); closed before the store.
    const notify = startDaemonNotify({ config, database: store.database, clock, random: random.fork('notify'), log: log.child({ component: 'notify' }), calendar: plan.calendar, startedAt, ...(bus ? { bus } : {}) });
    if (notify) closers.push('notify', () => notify.close());
    fanOutSignals(store, [committed, signalLogLine(log), ...(notify ? [{ name: 'notify', onCommitted: () => notify.wake() }] : [])], log);

    // 0s (on the session calendar) and 1h go item-less, once for the whole market (src/app/itemless.ts).
    const registrations = splitItemless(plan.realtimeTypes, settings.connection.itemlessTypes, settings.sessions !== null);
    const connection = createRealtimeConnection({
      url: endpoints.kiwoom.wsUrl,
      clock,
      random: random.fork('backoff'),
      settings: settings.connection,
      tokens: kiwoomTokens,
      log: log.child({ component: 'connection' }),
      realtimeTypes: registrations.perItem,
      itemlessTypes: registrations.itemless,
      regChunkSize: settings.connection.regChunkSize,
      groupNo: settings.connection.groupNo,
      isSessionOpen: () => plan.calendar.isOpen(clock.now()),
      ...(recording
        ? {
            onRawFrame: (data: Buffer, tsRecv: number) => recording.appendBytes('ws.in', data, tsRecv * 1000),
            onLifecycle: (event: SocketEvent) => {
              if (event.type !== 'activity') recordLifecycle(event);
            },
            onRegistrationSent: (message) => recordLifecycle({ type: 'registration.sent', message }),
          }
        : {}),
    });
    closers.push('connection', async () => {
      // Unregister everything before closing, so the broker does not keep streaming to nobody.
      connection.applyDiff({ add: [], remove: connection.subscriptions.wantedItems() });
      await connection.stop();
    });

    // The kernel's start and stop are recorded: a replay starts and stops its strategies at them.
    const polls = buildMarketSources(settings, brokers, plan.needs);
    const startAt = clock.now();
    const initial = activeStrategies(plan, available, settings.strategies);
    const recordedCode = new Set<string>();
    recordSet(initial, recordedCode, recordLifecycle, (strategies) => ({ type: 'kernel.started', at: startAt, polls: polls.map((p) => p.name), strategies }));
    const kernel = startKernel(plan, {
      clock,
      log: log.child({ component: 'kernel' }),
      sessionId,
      seed,
      realtime$: connection.events$,
      applyDiff: (diff) => connection.applyDiff(diff),
      // The per-item types follow a reload; the item-less ones are fixed for the run (the reloader rejects new ones).
      setRealtimeTypes: (types) => connection.setRealtimeTypes(splitItemless(types, settings.connection.itemlessTypes, settings.sessions !== null).perItem),
      polls,
      sink: store,
      startAt,
    });
    closers.push('kernel', () => {
      const at = clock.now();
      recordLifecycle({ type: 'kernel.stopped', at });
      kernel.stop(at);
    });
    bus?.egress(kernel.stream$);
    connection.start();
    const reloader = createStrategyReloader({
      settings,
      plan,
      initial,
      kernel,
      readStrategies: () => (options.rereadConfig?.() ?? config).strategies,
      dir: strategiesDirOf(config),
      clock,
      log: log.child({ component: 'strategies' }),
      record: recordLifecycle,
      recorded: recordedCode,
    });
    const reload = (trigger: string): Promise<ReloadOutcome> =>
      reloader.reload(trigger).then((outcome) => {
        writeReloadOutcome(config.dataDir, sessionId, outcome, log);
        return outcome;
      });
    if (config.strategiesWatch) {
      const watch = watchStrategies({ dir: strategiesDirOf(config), configFile: config.source.startsWith('/') ? config.source : null, clock, log, onChange: () => void reload('watch') });
      closers.push('strategy watch', () => watch.close());
    }

    const tokens = { kiwoom: kiwoomTokens, kis: kis?.tokens ?? null };
    // On the session calendar: each venue's phase change is logged, and shown in /healthz.
    const phases = settings.sessions ? watchPhases(settings.sessions, clock, log.child({ component: 'market' })) : null;
    if (phases) closers.push('phases', () => phases.stop());
    // The item-less 0s 장시작시간 entries are checked against the profile: disagreements logged and counted.
    const feedCheck = settings.sessions ? createPhaseFeedCheck(settings.sessions, log.child({ component: 'market' }), config.calendar.fid215) : null;
    if (feedCheck) {
      const checked = connection.marketWide$.subscribe((e) => feedCheck.onEvent(e));
      closers.push('phase feed check', () => checked.unsubscribe());
    }
    const observability = await startObservability(settings, clock, log, {
      ...(phases ? { phases: () => phases.current() } : {}),
      connection,
      kernel,
      calendar: plan.calendar,
      store,
      tokens: kis ? { kiwoom: kiwoomTokens, kis: kis.tokens } : { kiwoom: kiwoomTokens },
      rateLimitHits,
      ...(notify || bus ? { degraded: () => [...(notify?.degradedReasons() ?? []), ...(bus?.degradedReasons() ?? [])] } : {}),
    });
    bus?.register(observability.metrics);
    observability.metrics.collect('krx_strategy_reloads_total', 'Strategy reloads, by outcome (applied, unchanged, failed: the config could not be read)', 'counter', ['outcome'], () =>
      Object.entries(reloader.stats().reloads).map(([outcome, value]) => ({ labels: { outcome }, value })),
    );
    observability.metrics.collect('krx_strategy_reload_rejections_total', 'Strategy files and strategies a reload rejected (their running version kept)', 'counter', [], () => reloader.stats().rejected);
    if (feedCheck) registerPhaseFeedMetrics(observability.metrics, () => feedCheck.stats());
    observability.metrics.collect('krx_itemless_outside_universe_total', 'Entries of an item-less registration (1h VI of the whole market) for stocks outside the universe, dropped', 'counter', [], () => connection.subscriptionStats.outsideUniverse);
    closers.push('observability', () => observability.close());
    // The daemon's own alerts, the daily digest and per-sink metrics.
    notify?.watch(
      {
        now: () => clock.now(),
        sessionOpen: () => plan.calendar.isOpen(clock.now()),
        connection: () => connection.status(),
        tokens: () => Object.fromEntries(Object.entries(kis ? { kiwoom: kiwoomTokens, kis: kis.tokens } : { kiwoom: kiwoomTokens }).map(([b, t]) => [b, t.status()])),
        strategies: () => kernel.strategyStats(),
        store: () => store.stats(),
        dataSilence: () => observability.health().details?.['dataSilence'] === true,
      },
      observability.metrics,
    );
    log.info({ event: 'daemon.started', sessionId, realtimeTypes: plan.realtimeTypes, polls: polls.map((p) => p.name), http: observability.url }, 'daemon started');

    let stopping: Promise<void> | null = null;
    const stop = (reason: string): Promise<void> =>
      (stopping ??= (async () => {
        log.info({ event: 'daemon.stopping', reason }, `stopping: ${reason}`);
        await closers.closeAll();
        log.info({ event: 'daemon.stopped', sessionId, signals: committed.count() }, 'daemon stopped');
      })());
    return { sessionId, mode, connection, kernel, store, recording, simulator, tokens, observability, notify, bus, signalsCommitted: () => committed.count(), phaseFeed: () => feedCheck?.stats() ?? null, gaveUp, reload, reloader, stop };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
