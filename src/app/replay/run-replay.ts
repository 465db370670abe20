import { Subject } from 'rxjs';
import type { Logger as PinoLogger } from 'pino';
import { createKisWatchlist } from '../../adapters/kis/watchlist.js';
import { createKiwoomApi } from '../../adapters/kiwoom/api.js';
import { routeFrame, type FrameSinks, type FrameStats } from '../../adapters/kiwoom/realtime-frames.js';
import { createKiwoomRest } from '../../adapters/kiwoom/rest-client.js';
import { openRecordingReader } from '../../adapters/recording/index.js';
import { openSignalStore } from '../../adapters/store/index.js';
import { fileConfigSchema, type Config } from '../../config/schema.js';
import { KrxError } from '../../core/errors.js';
import type { ProgramMarketCode, RealtimeEvent } from '../../core/market.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import type { Signal } from '../../core/signal.js';
import { createVirtualClock } from '../../core/virtual-clock.js';
import { systemClock } from '../../core/clock.js';
import { rankingFetcher, watchlistFetcher } from '../fetchers.js';
import { planKernel, startKernel, type Kernel } from '../kernel.js';
import type { RestRecord } from '../recording-transports.js';
import { RecordedRest } from './recorded-rest.js';
import { notifyStoreOptions } from '../notify/daemon-notify.js';

/**
 * Replays a recorded session through the same kernel (pipeline, strategy host, strategies), REST
 * clients (paging, return codes, schemas) and frame router as the live run, on a virtual clock that
 * starts at the recording's start and jumps to each recorded arrival.
 *
 * The ordering rule (the same live and in replay): at each recorded instant, every timer due at or
 * before it fires first (virtual clock advance), then the frame or answer is delivered. The strategy
 * host applies the same rule to its own timers against each event's `tsRecv`.
 */
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
  readonly signals: number;
  readonly signalsByStrategy: Readonly<Record<string, number>>;
  /** Recorded span replayed, ms. */
  readonly sessionMs: number;
  readonly wallMs: number;
  readonly eventsPerSecond: number;
  readonly divergences: number;
  readonly dbFile: string;
}

interface KernelStarted {
  readonly type: 'kernel.started';
  readonly at: number;
  readonly polls?: { readonly ranking?: readonly ProgramMarketCode[]; readonly watchlist?: boolean };
}

const replayTokens: TokenSource = { getToken: async () => 'replay', invalidate: () => undefined };
const FLUSH_EVERY_ROWS = 4096;

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const reader = openRecordingReader(options.file);
  const { meta } = reader;
  const { config, environment } = replayConfig(options.config, meta.config, options.strategiesFromConfig);
  const plan = planKernel(config, environment, options.only);
  const clock = createVirtualClock(meta.start);
  const log = options.log;
  const rest = new RecordedRest((d) => log.warn({ code: 'E_REPLAY_DIVERGED', ...d }, 'replay diverged from the recording'));
  // The replay commits on its own schedule (every FLUSH_EVERY_ROWS rows and at the end), not per turn.
  const store = openSignalStore({ file: options.dbFile, clock, queueLimit: config.store.queueLimit, log: log.child({ component: 'store' }), schedule: () => undefined, sessionMode: 'replay', ...(options.notify ? notifyStoreOptions(options.config, { replay: true, now: () => systemClock.now() }) : {}) });
  const realtime = new Subject<RealtimeEvent>();
  const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
  let events = 0;
  const signalsByStrategy: Record<string, number> = {};
  let signals = 0;
  const sinks: FrameSinks = {
    event: (e) => {
      events++;
      realtime.next(e);
    },
    ping: () => undefined,
    lifecycle: () => undefined,
    decodeError: () => undefined,
    notice: () => undefined,
  };

  const startKernelAt = (started: KernelStarted): Kernel => {
    const restClient = createKiwoomRest({
      baseUrl: 'http://replay.invalid',
      tokens: replayTokens,
      clock,
      requestsPerSecond: config.kiwoom.requestsPerSecond,
      maxPages: config.kiwoom.maxPages,
      transport: rest.kiwoomTransport(),
    });
    const kis = started.polls?.watchlist
      ? createKisWatchlist({ baseUrl: 'http://replay.invalid', appkey: 'replay', appsecret: 'replay', htsId: 'replay', tokens: replayTokens, clock, requestsPerSecond: config.kis.requestsPerSecond, transport: rest.kisTransport() })
      : null;
    return startKernel(plan, {
      clock,
      log: log.child({ component: 'kernel' }),
      sessionId: meta.sessionId,
      seed: meta.seed ?? meta.sessionId,
      realtime$: realtime,
      applyDiff: () => undefined,
      fetchRanking: rankingFetcher(createKiwoomApi(restClient)),
      ...(kis ? { fetchWatchlist: watchlistFetcher(kis, config.kis.groups) } : {}),
      sink: {
        write: (signal: Signal) => {
          signals++;
          signalsByStrategy[signal.strategy] = (signalsByStrategy[signal.strategy] ?? 0) + 1;
          store.write(signal);
        },
      },
      rankingMarkets: started.polls?.ranking ?? config.universe.programTopMarkets,
      rankingPeriodMs: config.universe.programTopPollSeconds * 1000,
      watchlistPeriodMs: config.universe.watchlistPollSeconds * 1000,
      startAt: started.at,
    });
  };

  const totalRows = reader.frameCount();
  const wallStart = performance.now();
  let rows = 0;
  let lastProgress = 0;
  let endAt = meta.start;
  let kernel: Kernel | null = null;
  let stopped = false;
  try {
    for (const frame of reader.frames()) {
      rows++;
      const at = Math.floor(frame.tsUs / 1000);
      if (options.speed !== 'max') await pace(wallStart, at - meta.start, options.speed);
      await clock.advanceToAsync(Math.max(at, clock.now()));
      endAt = clock.now();
      if (frame.kind === 'ws.in') {
        // A frame that was not valid UTF-8 comes back as its exact bytes, and fails as it did live.
        if (kernel) routeFrame(frame.bytes ? Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength) : frame.data, at, sinks, stats);
      } else if (frame.kind === 'rest') {
        if (kernel) {
          rest.deliver(JSON.parse(frame.data) as RestRecord, at);
          // Let the answer's promise chain reach the kernel before the next row, as it did live.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } else {
        const event = JSON.parse(frame.data) as { type?: string; at?: number };
        if (event.type === 'kernel.started' && !kernel) kernel = startKernelAt(event as KernelStarted);
        if (event.type === 'kernel.stopped' && kernel) {
          kernel.stop(event.at ?? at);
          stopped = true;
          break;
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
    if (!kernel) throw new KrxError('E_RECORDING_READ', 'the recording has no kernel start: nothing to replay', { details: { file: options.file } });
    // A recording cut short (crash) has no kernel.stopped: stop where it ends.
    if (!stopped) kernel.stop(endAt);
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
    signals,
    signalsByStrategy,
    sessionMs: endAt - meta.start,
    wallMs,
    eventsPerSecond: wallMs > 0 ? (events / wallMs) * 1000 : 0,
    divergences: rest.divergences.length,
    dbFile: options.dbFile,
  };
}

/**
 * The live run's pipeline settings (universe, calendar, REST paging) come from the recording, so the
 * replay polls and pages as it did; strategies too, unless the user's config replaces them.
 */
function replayConfig(user: Config, recorded: unknown, strategiesFromConfig: boolean): { config: Config; environment: 'sim' | 'live' } {
  const r = (typeof recorded === 'object' && recorded !== null ? recorded : {}) as Record<string, unknown>;
  const environment = r.mode === 'live' ? 'live' : 'sim';
  const parsed = fileConfigSchema.safeParse({
    universe: r.universe,
    calendar: r.calendar,
    strategies: r.strategies,
    kiwoom: r.kiwoom,
    kis: r.kis,
  });
  if (!parsed.success) {
    throw new KrxError('E_RECORDING_READ', 'the recording carries no usable pipeline settings', { details: { issues: parsed.error.issues.length } });
  }
  const rec = parsed.data;
  const config = {
    ...user,
    universe: rec.universe,
    calendar: rec.calendar,
    kiwoom: { ...user.kiwoom, requestsPerSecond: rec.kiwoom.requestsPerSecond, maxPages: rec.kiwoom.maxPages },
    kis: { ...user.kis, groups: rec.kis.groups, requestsPerSecond: rec.kis.requestsPerSecond },
    strategies: strategiesFromConfig ? user.strategies : rec.strategies,
  } as Config;
  return { config, environment };
}

/** Waits (real time) until the replay is `offsetMs` of session time into a run at `speed` x. */
async function pace(wallStart: number, offsetMs: number, speed: number): Promise<void> {
  const due = wallStart + offsetMs / speed;
  const wait = due - performance.now();
  if (wait > 1) await new Promise<void>((resolve) => setTimeout(resolve, wait));
}
