import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { createKisTokenIssuer } from '../adapters/kis/auth.js';
import { createKisTransport } from '../adapters/kis/transport.js';
import { createKisWatchlist, defaultKisRate, type KisWatchlist } from '../adapters/kis/watchlist.js';
import { createKiwoomApi } from '../adapters/kiwoom/api.js';
import { createKiwoomTokenIssuer } from '../adapters/kiwoom/auth.js';
import { createKiwoomRest, type KiwoomRest } from '../adapters/kiwoom/rest-client.js';
import { createHttpTransport } from '../adapters/kiwoom/transport.js';
import { openRecordingWriter, type RecordingWriter } from '../adapters/recording/index.js';
import { openSignalStore, type SignalStore } from '../adapters/store/index.js';
import { createFileTokenCache } from '../adapters/token-cache/file-token-cache.js';
import { redactConfig, secretValues } from '../config/redact.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { formatKstCompact } from '../core/kst.js';
import { createRandom } from '../core/random.js';
import { createRateLimiter } from '../core/rate-limiter.js';
import type { Signal } from '../core/signal.js';
import type { SignalSink } from '../core/signal-sink.js';
import {
  SIM_KIS_APPKEY,
  SIM_KIS_APPSECRET,
  SIM_KIS_HTS_ID,
  SIM_KIWOOM_APPKEY,
  SIM_KIWOOM_SECRETKEY,
  startSimulator,
  type SimulatorHandle,
} from '../sim/index.js';
import { countRateLimits, type RateLimitCounts } from './counting-transports.js';
import { rankingFetcher, watchlistFetcher } from './fetchers.js';
import { planKernel, startKernel, type Kernel } from './kernel.js';
import { startObservability, type Observability } from './observability.js';
import { createRealtimeConnection, type RealtimeConnection } from './realtime-connection.js';
import { recordingKisTransport, recordingKiwoomTransport } from './recording-transports.js';
import { createManagedTokenSource, type ManagedTokenSource } from './token-source.js';

/**
 * The composition root of the running daemon (live hosts or the embedded simulator): the only place
 * that knows which environment it built. Replay builds the same kernel from a recording instead.
 */
export interface DaemonOptions {
  readonly config: Config;
  readonly log: PinoLogger;
  readonly clock: Clock;
  readonly version: string;
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
  /** Signals handed to the store and committed so far. */
  signalsCommitted(): number;
  /** Graceful stop (polls, REMOVE, socket, flush, revoke if configured, close). Idempotent. */
  stop(reason: string): Promise<void>;
}

interface Endpoints {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly kisUrl: string;
  readonly kiwoom: { appkey: string; secretkey: string };
  readonly kis: { appkey: string; appsecret: string; htsId: string } | null;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, clock, log } = options;
  const mode = config.mode;
  const plan = planKernel(config, mode);
  const startedAt = clock.now();
  const sessionId = `${formatKstCompact(startedAt)}-${randomBytes(3).toString('hex')}`;
  const seed = sessionId;
  const random = createRandom(seed);
  const nowUs = (): number => clock.now() * 1000;
  const closers: Closer[] = [];
  mkdirSync(config.dataDir, { recursive: true });
  log.info({ event: 'daemon.starting', sessionId, mode, version: options.version, strategies: plan.strategies.map((s) => s.definition.id), dataDir: config.dataDir }, `krx-signals ${options.version} starting (${mode})`);

  try {
    const simulator = mode === 'sim' ? await startEmbeddedSimulator(config, clock, log) : null;
    if (simulator) closers.push({ name: 'simulator', close: () => simulator.close() });
    const endpoints = endpointsFor(config, simulator);

    const recording = config.recording.enabled
      ? openRecordingWriter({
          dir: join(config.dataDir, config.recording.dir),
          sessionId,
          startMs: startedAt,
          appVersion: options.version,
          config: redactConfig(config),
          seed,
          clock,
          log: log.child({ component: 'recording' }),
          secrets: [...secretValues(config), endpoints.kiwoom.secretkey, endpoints.kiwoom.appkey],
        })
      : null;
    if (recording) {
      closers.push({ name: 'recording', close: () => recording.close(clock.now()) });
      log.info({ event: 'recording.started', file: recording.file }, 'recording the session');
    }

    const tokenCache = config.tokens.cache ? createFileTokenCache(config.dataDir) : undefined;
    // One limiter per host + app key: token calls and TR calls share the broker's budget.
    const kiwoomLimiter = createRateLimiter({ clock, ratePerSecond: config.kiwoom.requestsPerSecond, marginMs: 50 });
    const kiwoomIssuer = createKiwoomTokenIssuer({ baseUrl: endpoints.restUrl, appkey: endpoints.kiwoom.appkey, secretkey: endpoints.kiwoom.secretkey, clock, requestTimeoutMs: config.kiwoom.requestTimeoutMs, limiter: kiwoomLimiter, maxBodyBytes: config.kiwoom.maxBodyBytes });
    const kiwoomTokens = createManagedTokenSource({
      name: 'kiwoom',
      issuer: kiwoomIssuer,
      clock,
      random: random.fork('kiwoom-token'),
      refreshMarginMs: config.tokens.refreshMarginSeconds * 1000,
      revokeOnShutdown: config.tokens.revokeOnShutdown,
      log: log.child({ component: 'token', broker: 'kiwoom' }),
      ...(tokenCache ? { cache: { store: tokenCache, key: { broker: 'kiwoom' as const, host: new URL(endpoints.restUrl).origin, appkey: endpoints.kiwoom.appkey } } } : {}),
    });
    closers.push({ name: 'kiwoom tokens', close: async () => {
      await kiwoomTokens.shutdown();
      await kiwoomIssuer.close();
    } });

    const rateLimitHits: RateLimitCounts = { kiwoom: 0, kis: 0 };
    const kiwoomTransport = createHttpTransport({ baseUrl: endpoints.restUrl, clock, timeoutMs: config.kiwoom.requestTimeoutMs, maxBodyBytes: config.kiwoom.maxBodyBytes });
    const rest: KiwoomRest = createKiwoomRest({
      baseUrl: endpoints.restUrl,
      tokens: kiwoomTokens,
      clock,
      limiter: kiwoomLimiter,
      requestTimeoutMs: config.kiwoom.requestTimeoutMs,
      maxPages: config.kiwoom.maxPages,
      maxRows: config.kiwoom.maxRows,
      maxRowsByTr: config.kiwoom.maxRowsByTr,
      onOutcome: countRateLimits(rateLimitHits, 'kiwoom'),
      log: log.child({ component: 'kiwoom-rest' }),
      transport: recording ? recordingKiwoomTransport(kiwoomTransport, recording, nowUs) : kiwoomTransport,
    });
    closers.push({ name: 'kiwoom rest', close: () => rest.close() });

    const kis = startKis(config, endpoints, clock, random, log, recording, nowUs, tokenCache, closers, rateLimitHits);

    const store = openSignalStore({ file: join(config.dataDir, config.store.file), clock, queueLimit: config.store.queueLimit, log: log.child({ component: 'store' }) });
    closers.push({
      name: 'signal store',
      close: () => {
        store.flush();
        const stats = store.stats();
        store.close();
        log.info({ event: 'store.closed', committed: stats.committed, queued: stats.queued, dropped: stats.dropped }, 'signal store closed');
      },
    });
    const pending = new Map<string, Signal>();
    let committed = 0;
    store.onCommitted((ids) => {
      for (const id of ids) {
        const s = pending.get(id);
        pending.delete(id);
        committed++;
        if (s) log.info({ event: 'signal', id, strategy: s.strategy, symbol: s.symbol, kind: s.kind, price: s.price, tsEvent: s.tsEvent }, `signal ${s.kind} ${s.symbol} by ${s.strategy}`);
      }
    });
    const sink: SignalSink = {
      write: (signal) => {
        pending.set(signal.id, signal);
        store.write(signal);
      },
    };

    const connectionLog = log.child({ component: 'connection' });
    const connection = createRealtimeConnection({
      url: endpoints.wsUrl,
      clock,
      random: random.fork('backoff'),
      settings: config.connection,
      tokens: kiwoomTokens,
      log: connectionLog,
      realtimeTypes: plan.realtimeTypes,
      regChunkSize: config.connection.regChunkSize,
      groupNo: config.connection.groupNo,
      ...(recording
        ? {
            onRawFrame: (data: Buffer, tsRecv: number) => recording.appendBytes('ws.in', data, tsRecv * 1000),
            onLifecycle: (event) => recording.append('lifecycle', JSON.stringify(event), nowUs()),
            onRegistrationSent: (message) => recording.append('lifecycle', JSON.stringify({ type: 'registration.sent', message }), nowUs()),
          }
        : {}),
    });

    closers.push({
      name: 'connection',
      close: async () => {
        // Unregister everything before closing, so the broker does not keep streaming to nobody.
        connection.applyDiff({ add: [], remove: connection.subscriptions.wantedItems() });
        await connection.stop();
      },
    });

    // The kernel's start and stop times are recorded: a replay starts and stops its strategies at them.
    const kernelStartAt = clock.now();
    recording?.append('lifecycle', JSON.stringify({ type: 'kernel.started', at: kernelStartAt, polls: { ranking: config.universe.programTopMarkets, watchlist: kis !== null } }), kernelStartAt * 1000);
    const kernel = startKernel(plan, {
      clock,
      log: log.child({ component: 'kernel' }),
      sessionId,
      seed,
      realtime$: connection.events$,
      applyDiff: (diff) => connection.applyDiff(diff),
      fetchRanking: rankingFetcher(createKiwoomApi(rest)),
      ...(kis ? { fetchWatchlist: watchlistFetcher(kis.watchlist, config.kis.groups) } : {}),
      sink,
      rankingMarkets: config.universe.programTopMarkets,
      rankingPeriodMs: config.universe.programTopPollSeconds * 1000,
      watchlistPeriodMs: config.universe.watchlistPollSeconds * 1000,
      startAt: kernelStartAt,
    });
    closers.push({
      name: 'kernel',
      close: () => {
        const at = clock.now();
        recording?.append('lifecycle', JSON.stringify({ type: 'kernel.stopped', at }), at * 1000);
        kernel.stop(at);
      },
    });
    connection.start();
    const observability = await startObservability(config, clock, log, {
      connection,
      kernel,
      calendar: plan.calendar,
      store,
      tokens: kis ? { kiwoom: kiwoomTokens, kis: kis.tokens } : { kiwoom: kiwoomTokens },
      rateLimitHits,
    });
    closers.push({ name: 'observability', close: () => observability.close() });
    log.info({ event: 'daemon.started', sessionId, realtimeTypes: plan.realtimeTypes, http: observability.url }, 'daemon started');

    let stopping: Promise<void> | null = null;
    const stop = (reason: string): Promise<void> =>
      (stopping ??= (async () => {
        log.info({ event: 'daemon.stopping', reason }, `stopping: ${reason}`);
        await closeAll(closers, log);
        log.info({ event: 'daemon.stopped', sessionId, signals: committed }, 'daemon stopped');
      })());

    return {
      sessionId,
      mode,
      connection,
      kernel,
      store,
      recording,
      simulator,
      tokens: { kiwoom: kiwoomTokens, kis: kis?.tokens ?? null },
      observability,
      signalsCommitted: () => committed,
      stop,
    };
  } catch (err) {
    await closeAll(closers, log);
    throw err;
  }
}

type Closer = { name: string; close: () => Promise<void> | void };

/** Closes in reverse order of creation; one failing part does not stop the others. */
async function closeAll(closers: Closer[], log: PinoLogger): Promise<void> {
  for (const closer of closers.splice(0).reverse()) {
    try {
      await closer.close();
    } catch (err) {
      log.warn({ event: 'daemon.close-failed', part: closer.name, err: errorMessage(err) }, `closing ${closer.name} failed`);
    }
  }
}

async function startEmbeddedSimulator(config: Config, clock: Clock, log: PinoLogger): Promise<SimulatorHandle> {
  const simLog = log.child({ component: 'simulator' });
  const sim = await startSimulator({
    clock,
    seed: config.sim.seed,
    port: config.sim.port,
    tradesPerSecond: config.sim.tradesPerSecond,
    stocks: config.sim.stocks,
    // The simulator's own chatter stays at debug; its warnings still show.
    log: (level, msg, fields) => simLog[level === 'info' ? 'debug' : level](fields ?? {}, msg),
  });
  log.info({ event: 'simulator.started', url: sim.url, wsUrl: sim.wsUrl, seed: config.sim.seed }, `embedded simulator on ${sim.url}`);
  return sim;
}

function endpointsFor(config: Config, sim: SimulatorHandle | null): Endpoints {
  if (sim) {
    return {
      restUrl: sim.url,
      wsUrl: sim.wsUrl,
      kisUrl: sim.url,
      kiwoom: { appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY },
      kis: config.kis.enabled ? { appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET, htsId: SIM_KIS_HTS_ID } : null,
    };
  }
  const kiwoom = config.credentials.kiwoom;
  if (!kiwoom) throw new Error('live mode without Kiwoom credentials (the config loader should have refused this)');
  const kis = config.credentials.kis;
  return {
    restUrl: config.kiwoom.restUrl,
    wsUrl: config.kiwoom.wsUrl,
    kisUrl: config.kis.restUrl,
    kiwoom: { appkey: kiwoom.appkey, secretkey: kiwoom.secretkey },
    kis: config.kis.enabled && kis ? { appkey: kis.appkey, appsecret: kis.appsecret, htsId: kis.htsId } : null,
  };
}

function startKis(
  config: Config,
  endpoints: Endpoints,
  clock: Clock,
  random: ReturnType<typeof createRandom>,
  log: PinoLogger,
  recording: RecordingWriter | null,
  nowUs: () => number,
  tokenCache: ReturnType<typeof createFileTokenCache> | undefined,
  closers: Closer[],
  rateLimitHits: RateLimitCounts,
): { watchlist: KisWatchlist; tokens: ManagedTokenSource } | null {
  const creds = endpoints.kis;
  if (!creds) {
    if (config.kis.enabled) log.warn({ event: 'kis.disabled' }, 'no KIS credentials (KIS_APPKEY, KIS_APPSECRET, KIS_HTS_ID): watchlists are not polled');
    return null;
  }
  // The mock host allows 2 requests/s; the configured rate never exceeds what the host allows.
  const limiter = createRateLimiter({ clock, ratePerSecond: Math.min(config.kis.requestsPerSecond, defaultKisRate(endpoints.kisUrl)), marginMs: 50 });
  const issuer = createKisTokenIssuer({ baseUrl: endpoints.kisUrl, appkey: creds.appkey, appsecret: creds.appsecret, clock, requestTimeoutMs: config.kis.requestTimeoutMs, limiter, maxBodyBytes: config.kis.maxBodyBytes });
  const tokens = createManagedTokenSource({
    name: 'kis',
    issuer,
    clock,
    random: random.fork('kis-token'),
    refreshMarginMs: config.tokens.refreshMarginSeconds * 1000,
    minIssueIntervalMs: 61_000,
    revokeOnShutdown: config.tokens.revokeOnShutdown,
    log: log.child({ component: 'token', broker: 'kis' }),
    ...(tokenCache ? { cache: { store: tokenCache, key: { broker: 'kis' as const, host: new URL(endpoints.kisUrl).origin, appkey: creds.appkey } } } : {}),
  });
  const transport = createKisTransport({ baseUrl: endpoints.kisUrl, clock, timeoutMs: config.kis.requestTimeoutMs, maxBodyBytes: config.kis.maxBodyBytes });
  const watchlist = createKisWatchlist({
    baseUrl: endpoints.kisUrl,
    appkey: creds.appkey,
    appsecret: creds.appsecret,
    htsId: creds.htsId,
    custtype: config.kis.custtype,
    tokens,
    clock,
    limiter,
    requestTimeoutMs: config.kis.requestTimeoutMs,
    maxRows: config.kis.maxRows,
    onOutcome: countRateLimits(rateLimitHits, 'kis'),
    log: log.child({ component: 'kis' }),
    transport: recording ? recordingKisTransport(transport, recording, nowUs) : transport,
  });
  closers.push({ name: 'kis', close: async () => {
    await watchlist.close();
    await tokens.shutdown();
    await issuer.close();
  } });
  return { watchlist, tokens };
}
