import { createVenueItems } from './venue-items.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
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
import { buildBrokerClients, createBrokerLimiters, createKiwoomKeyIssuer, createBrokerTokenSource, createTokenIssuers, endpointsFor, networkTransports } from './broker-clients.js';
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
import { buildEntrySources, buildMarketSources } from './market-sources.js';
import { createStockMasterBook } from '../pipeline/stock-master-book.js';
import type { StockMaster } from '../core/stock-master.js';
import { notifyStoreOptions, startDaemonNotify, type DaemonNotify } from './notify/daemon-notify.js';
import { createPhaseFeedCheck, registerPhaseFeedMetrics, watchPhases, type PhaseFeedStats } from './phase-watch.js';
import { splitItemless, universeItemBudget } from './itemless.js';
import { startObservability, type Observability } from './observability.js';
import { createRealtimeConnection } from './realtime-connection.js';
import { createKeyPool, type KeyPool, type PooledConnection } from './key-pool.js';
import { keyLeaseName } from './kiwoom-keys.js';
import { createRedisLeaseStore } from '../adapters/bus/redis-lease.js';
import { TransientError } from '../core/errors.js';
import type { TokenSource } from '../core/ports/token-source.js';
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
  /** The app keys' sockets as one (one key: its socket as it was); per key: `keys`. */
  readonly connection: PooledConnection;
  /** The app keys (kiwoom.keys): per-key status, connections and token sources. */
  readonly keys: KeyPool;
  readonly kernel: Kernel;
  /** The latest ka10099 stock master (the kernel's): names, nxtEnable for the venue choice, orderWarning. */
  readonly master: StockMaster;
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
    // One limiter and issuer per app key (kiwoom.keys); the first key's are the ones above. Token
    // sources and sockets are the key pool's (re-created after a lost lease), closed before these.
    const keyClients = (endpoints.kiwoomKeys ?? []).map((key, i) =>
      i === 0 ? { key, limiter: limiters.kiwoom, issuer: issuers.kiwoom } : { key, ...createKiwoomKeyIssuer(settings, endpoints.kiwoom.restUrl, key, clock) },
    );
    const multiKey = keyClients.length > 1;
    const keysGaveUp = new Set<string>();
    closers.push('kiwoom issuers', async () => {
      for (const k of keyClients) await k.issuer.close();
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

    // The key pool: per key a token source and a socket (createRealtimeConnection, unchanged), the
    // universe sharded across the keys, a failed key's symbols re-homed, and with the bus a lease per key.
    const leaseStore = config.bus.redis && config.bus.leases.enabled ? createRedisLeaseStore({ url: config.bus.redis.url }) : null;
    if (leaseStore) closers.push('lease store', () => leaseStore.close());
    // 0s (on the session calendar) and 1h go item-less, once for the whole market per socket (src/app/itemless.ts).
    const registrations = splitItemless(plan.realtimeTypes, settings.connection.itemlessTypes, settings.sessions !== null);
    const pool = createKeyPool({
      keys: keyClients.map((k) => k.key.name),
      clock,
      log: log.child({ component: 'keys' }),
      // Symbols per key: its socket's item budget, less the item-less item when it counts.
      maxItems: universeItemBudget(settings, plan.realtimeTypes),
      failoverMs: settings.kiwoom.keyFailoverMs,
      staticSymbols: plan.staticSymbols,
      ...(leaseStore && {
        leases: {
          store: leaseStore,
          // Names this node: the bus origin (or the host), the process and the session.
          owner: `${config.bus.origin ?? hostname()}:${process.pid}:${sessionId}`,
          ttlMs: config.bus.leases.ttlMs,
          retryBaseMs: config.bus.leases.retryBaseMs,
          retryCapMs: config.bus.leases.retryCapMs,
          random: random.fork('leases'),
          nameOf: (name: string) => keyLeaseName(endpoints.kiwoom.restUrl, keyClients.find((k) => k.key.name === name)?.key.appkey ?? name),
        },
      }),
      open: (name) => {
        const index = keyClients.findIndex((k) => k.key.name === name);
        const k = keyClients[index] as (typeof keyClients)[number];
        // The first key keeps the single-key names (logs, seeded forks); the others carry their name.
        const keyName = index === 0 ? undefined : name;
        // With several keys the daemon gives up (exit 77) only once every key's credentials gave up: the others carry its symbols.
        const onGiveUp = (f: { code: string; message: string }): void => {
          keysGaveUp.add(name);
          if (keysGaveUp.size >= keyClients.length) giveUp(f);
          else log.error({ event: 'key.gave-up', code: f.code, key: name }, `kiwoom key ${name}: credentials still rejected; the other keys carry on`);
        };
        const tokens = createBrokerTokenSource('kiwoom', settings, endpoints.kiwoom.restUrl, k.key.appkey, k.issuer, { ...tokenEnv, onGiveUp }, keyName);
        const connection = createRealtimeConnection({
          url: endpoints.kiwoom.wsUrl,
          clock,
          random: random.fork(keyName === undefined ? 'backoff' : `backoff:${keyName}`),
          settings: settings.connection,
          tokens,
          log: log.child({ component: 'connection', ...(multiKey && { key: name }) }),
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
        return {
          tokens,
          connection,
          close: async () => {
            // Unregister everything before closing, so the broker does not keep streaming to nobody.
            connection.applyDiff({ add: [], remove: connection.subscriptions.wantedItems() });
            await connection.stop();
            await tokens.shutdown();
          },
        };
      },
    });
    const primaryKey = keyClients[0]?.key.name ?? 'default';
    /** A key's token source as REST sees it: the pool's current one, or a clear refusal while the key is not in use. */
    const keyTokens = (name: string): TokenSource => ({
      getToken: () => pool.tokensOf(name)?.getToken() ?? Promise.reject(new TransientError('E_KEY_UNAVAILABLE', `kiwoom key ${name} is not in use (failed, or waiting for its lease)`)),
      invalidate: (token, reason) => pool.tokensOf(name)?.invalidate(token, reason),
    });
    const kiwoomTokens = keyTokens(primaryKey);

    const rateLimitHits: RateLimitCounts = { kiwoom: 0, kis: 0 };
    const transports = networkTransports(settings, endpoints, {
      clock,
      log,
      tokens: { kiwoom: kiwoomTokens, kis: kis?.tokens ?? null },
      limiters,
      rateLimitHits,
      recording,
      ...(multiKey && { kiwoomKeys: keyClients.map((k) => ({ name: k.key.name, tokens: keyTokens(k.key.name), limiter: k.limiter })), usableKey: (name: string) => pool.usableForRest(name) }),
    });
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
    // The stock master the kernel fills (ka10099): names in log lines and messages.
    const master = createStockMasterBook();
    // The bus: closed after the notify sinks that use it and the egress.
    const bus = startDaemonBus(config, sessionId, clock, log.child({ component: 'bus' }));
    if (bus) closers.push('bus', () => bus.close());
    // Outbox dispatchers, woken after each commit (a fan-out subscriber); closed before the store.
    const notify = startDaemonNotify({ config, database: store.database, clock, random: random.fork('notify'), log: log.child({ component: 'notify' }), calendar: plan.calendar, startedAt, nameOf: (symbol) => master.get(symbol)?.name, ...(bus ? { bus } : {}) });
    if (notify) closers.push('notify', () => notify.close());
    fanOutSignals(store, [committed, signalLogLine(log, master), ...(notify ? [{ name: 'notify', onCommitted: () => notify.wake() }] : [])], log);

    const connection = pool.connection;
    closers.push('connection', () => connection.stop());

    // The kernel's start and stop are recorded: a replay starts and stops its strategies at them.
    const polls = buildMarketSources(settings, brokers, plan.needs, undefined, plan.pollSchedules);
    const entries = buildEntrySources(settings, brokers, plan.needs);
    const startAt = clock.now();
    const initial = activeStrategies(plan, available, settings.strategies);
    const recordedCode = new Set<string>();
    recordSet(initial, recordedCode, recordLifecycle, (strategies) => ({ type: 'kernel.started', at: startAt, polls: [...polls.map((p) => p.name), ...entries.map((e) => e.name)], strategies }));
    // The universe's symbols become items on the chosen venue (universe.venue; `auto` reads the stock master once one is loaded).
    const venueItems = createVenueItems(settings.universe.venue, () => master);
    const kernel = startKernel(plan, {
      clock,
      log: log.child({ component: 'kernel' }),
      sessionId,
      seed,
      realtime$: connection.events$,
      applyDiff: (diff) => connection.applyDiff(venueItems.toItems(diff)),
      // The per-item types follow a reload; the item-less ones are fixed for the run (the reloader rejects new ones).
      setRealtimeTypes: (types) => connection.setRealtimeTypes(splitItemless(types, settings.connection.itemlessTypes, settings.sessions !== null).perItem),
      polls,
      entries,
      master,
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

    const tokens = {
      get kiwoom(): ManagedTokenSource {
        const t = pool.tokensOf(primaryKey);
        if (!t) throw new Error(`kiwoom key ${primaryKey} is not in use (waiting for its lease)`);
        return t;
      },
      kis: kis?.tokens ?? null,
    };
    /** Token sources health looks at: every key's while one key, else the usable keys' (a failed key is reported as such). */
    const observedTokens = (): Record<string, ManagedTokenSource> => {
      const out: Record<string, ManagedTokenSource> = {};
      keyClients.forEach((k, i) => {
        const t = pool.tokensOf(k.key.name);
        if (t && (!multiKey || pool.usableForRest(k.key.name))) out[i === 0 ? 'kiwoom' : `kiwoom:${k.key.name}`] = t;
      });
      if (kis) out.kis = kis.tokens;
      return out;
    };
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
      tokens: observedTokens,
      rateLimitHits,
      degraded: () => [...pool.degradedReasons(), ...(notify?.degradedReasons() ?? []), ...(bus?.degradedReasons() ?? [])],
      ...(multiKey || leaseStore ? { details: () => ({ keys: pool.keys() }) } : {}),
    });
    bus?.register(observability.metrics);
    pool.register(observability.metrics);
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
        tokens: () => Object.fromEntries(Object.entries(observedTokens()).map(([b, t]) => [b, t.status()])),
        keys: () => (multiKey || leaseStore ? pool.keys() : []),
        strategies: () => kernel.strategyStats(),
        store: () => store.stats(),
        dataSilence: () => observability.health().details?.['dataSilence'] === true,
      },
      observability.metrics,
    );
    log.info({ event: 'daemon.started', sessionId, realtimeTypes: plan.realtimeTypes, polls: polls.map((p) => p.name), entries: entries.map((e) => e.name), http: observability.url }, 'daemon started');

    let stopping: Promise<void> | null = null;
    const stop = (reason: string): Promise<void> =>
      (stopping ??= (async () => {
        log.info({ event: 'daemon.stopping', reason }, `stopping: ${reason}`);
        await closers.closeAll();
        log.info({ event: 'daemon.stopped', sessionId, signals: committed.count() }, 'daemon stopped');
      })());
    return { sessionId, mode, connection, keys: pool, kernel, master, store, recording, simulator, tokens, observability, notify, bus, signalsCommitted: () => committed.count(), phaseFeed: () => feedCheck?.stats() ?? null, gaveUp, reload, reloader, stop };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
