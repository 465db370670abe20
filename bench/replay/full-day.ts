import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openRecordingReader, openRecordingWriter } from '../../src/adapters/recording/index.js';
import { startDaemon } from '../../src/app/daemon.js';
import { runReplay } from '../../src/app/replay/run-replay.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { formatKstTime, kstToEpoch } from '../../src/core/kst.js';
import { createRandom } from '../../src/core/random.js';
import type { RecordedFrame, RecordingMeta } from '../../src/core/recording.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { createLogger } from '../../src/observability/logger.js';
import { SimMarketState } from '../../src/sim/market.js';
import { realEntry, realFrame, tradeValues } from '../../src/sim/real-format.js';

/**
 * Issue 18 item 4: a synthetic full trading day, 08:00-20:00 KST, replayed at max speed.
 *
 * Recording a whole day through the daemon and the simulator's sockets takes far longer than the
 * replay it measures, so the day is assembled: the daemon records the first seconds of a simulator
 * day (kernel start, the first polls' REST answers, the REGs: everything a replay needs to start the
 * same kernel; its universe topped up to 200 symbols with stocks of the simulator's market), then the simulator's own market and formatting (SimMarketState on the simulator's
 * seed, real-format.ts) fill the day with REAL frames for the items the daemon registered, one trade
 * per frame as the broker pushes them, and the polls' recorded answers are repeated at every poll
 * of the day, so rankings and watchlists keep arriving. Generated once per bench run in a temp dir.
 */

/** Trades per second over the whole subscribed universe: the regular session, and NXT before and after it. */
const REGULAR_RATE = 150;
const NXT_RATE = 20;
/** Long enough for the start's one-off requests (basic info for 200 symbols at the 5/s REST budget). */
const HEADER_SECONDS = 60;
const SYMBOLS = 200;

export interface FullDayOptions {
  /** The day ends this many minutes after 08:00 KST (default 720: 20:00). */
  readonly minutes?: number;
  readonly regularRate?: number;
  readonly nxtRate?: number;
  /** Symbols subscribed (default 200): the daemon's own universe topped up with the simulator's stocks. */
  readonly symbols?: number;
}

export interface FullDayResult {
  readonly startKst: string;
  readonly endKst: string;
  readonly symbols: number;
  readonly frames: number;
  readonly rateText: string;
  readonly events: number;
  readonly signals: number;
  readonly eventsPerSecond: number;
  readonly jsonParseEntriesPerSecond: number;
  readonly ratio: number;
  readonly replaySeconds: number;
  readonly note: string;
}

const silent = (): ReturnType<typeof createLogger> =>
  createLogger({ level: 'silent', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/**
 * The config of the day, live and in replay: one socket holds the whole universe (200 items, Kiwoom's
 * own limit per connection, instead of the default 190 with headroom).
 */
export function dayConfig(dir: string): Config {
  const base = loadConfig({ env: { KRX_DATA_DIR: dir, KRX_HTTP_PORT: '0' }, cwd: dir });
  return { ...base, connection: { ...base.connection, maxItems: 200 } } as Config;
}

interface Header {
  readonly file: string;
  readonly config: Config;
}

/** The daemon's first seconds of a simulator day starting at `startMs`, with `extraSymbols` in its universe. */
async function recordHeader(dir: string, startMs: number, extraSymbols: readonly string[]): Promise<Header> {
  mkdirSync(dir, { recursive: true });
  const base = dayConfig(dir);
  const config = { ...base, universe: { ...base.universe, extraSymbols: [...extraSymbols] } } as Config;
  const clock = createVirtualClock(startMs);
  const daemon = await startDaemon({ config, log: silent(), clock, version: 'bench' });
  for (let s = 0; s < HEADER_SECONDS; s++) {
    await clock.tickAsync(1_000);
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const file = daemon.recording!.file;
  await daemon.stop('bench header recorded');
  return { file, config };
}

function readFrames(file: string): { meta: RecordingMeta; frames: RecordedFrame[] } {
  const reader = openRecordingReader(file);
  try {
    return { meta: reader.meta, frames: [...reader.frames()] };
  } finally {
    reader.close();
  }
}

interface Registration {
  readonly trnm?: string;
  readonly data?: ReadonlyArray<{ readonly item?: readonly string[]; readonly type?: readonly string[] }>;
}

/** The 0B items the daemon registered and still held at the end of the header. */
function registeredItems(frames: readonly RecordedFrame[]): string[] {
  const items = new Set<string>();
  for (const f of frames) {
    if (f.kind !== 'lifecycle') continue;
    const record = JSON.parse(f.data) as { type?: string; message?: Registration };
    if (record.type !== 'registration.sent') continue;
    const { trnm } = record.message ?? {};
    for (const d of record.message?.data ?? []) {
      for (const item of d.item ?? []) {
        // A REMOVE (a symbol the stock master excluded, say) takes the item back.
        if (trnm === 'REG' && d.type?.includes('0B')) items.add(item);
        else if (trnm === 'REMOVE') items.delete(item);
      }
    }
  }
  return [...items].sort();
}

/** The day's trade rate at `ms` (KST phases). */
function rateAt(ms: number, day: { open: number; close: number; regularRate: number; nxtRate: number }): number {
  return ms >= day.open && ms < day.close ? day.regularRate : day.nxtRate;
}

interface BuiltDay {
  readonly file: string;
  readonly frames: number;
  readonly wsFrames: number;
  readonly restFrames: number;
  readonly symbols: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** Assembles the day's recording under `dir` (see the file comment); exported for the bench smoke test. */
export async function buildDay(dir: string, options: FullDayOptions = {}): Promise<BuiltDay> {
  const startMs = kstToEpoch(2026, 11, 20, 8, 0, 0);
  const endMs = startMs + (options.minutes ?? 720) * 60_000;
  const day = { open: kstToEpoch(2026, 11, 20, 9, 0, 0), close: kstToEpoch(2026, 11, 20, 15, 30, 0), regularRate: options.regularRate ?? REGULAR_RATE, nxtRate: options.nxtRate ?? NXT_RATE };
  // The daemon's own universe (rankings and watchlists) first, then again with stocks of the
  // simulator's market added to reach `symbols` (rankings are the same: same seed, same instant).
  const first = await recordHeader(join(dir, 'header-1'), startMs, []);
  const market = new SimMarketState(createRandom(first.config.sim.seed).fork('market'), first.config.sim.stocks, startMs);
  const own = new Set(registeredItems(readFrames(first.file).frames).map((item) => item.slice(0, 6)));
  const wanted = options.symbols ?? SYMBOLS;
  const extra = market.stocks.map((s) => s.code).filter((code) => /^\d{6}$/.test(code) && !own.has(code)).slice(0, Math.max(0, wanted - own.size));
  const header = await recordHeader(join(dir, 'header-2'), startMs, extra);
  const { meta, frames } = readFrames(header.file);
  const stop = frames.findIndex((f) => f.kind === 'lifecycle' && (JSON.parse(f.data) as { type?: string }).type === 'kernel.stopped');
  if (stop < 0) throw new Error('the header recording has no kernel stop');
  const head = frames.slice(0, stop);
  const tail = frames.slice(stop);
  const items = registeredItems(head);
  // Only the answers of the polls that recur all day (the rankings); one-off requests at start (the
  // stock master, basic info on entry) stay in the header.
  const seenMarkets = new Set<string>();
  const kiwoomPoll = head.filter((f) => {
    if (f.kind !== 'rest' || !f.data.includes('"broker":"kiwoom"') || !f.data.includes('"api":"ka90003"')) return false;
    const market = (JSON.parse(f.data) as { request?: { mrkt_tp?: string } }).request?.mrkt_tp ?? '';
    if (seenMarkets.has(market)) return false; // one poll's answers: the first of each market
    seenMarkets.add(market);
    return true;
  });
  const kisPoll = head.filter((f) => f.kind === 'rest' && f.data.includes('"broker":"kis"'));
  const headerEndUs = (head.at(-1)?.tsUs ?? startMs * 1000) + 1;

  const stocks = items.map((item) => {
    const s = market.byCode.get(item.slice(0, 6));
    if (s === undefined) throw new Error(`the header registered ${item}, which the simulator's market does not list`);
    return { item, s };
  });
  if (stocks.length === 0) throw new Error('the header registered no 0B item');

  const clock = createVirtualClock(startMs);
  const writer = openRecordingWriter({
    dir: join(dir, 'day'),
    sessionId: `${meta.sessionId}-day`,
    startMs,
    appVersion: meta.appVersion,
    config: meta.config,
    seed: meta.seed,
    clock,
    batchRows: 8192,
  });
  let count = 0;
  let wsFrames = 0;
  let restFrames = 0;
  const append = (kind: RecordedFrame['kind'], data: string, tsUs: number): void => {
    writer.append(kind, data, tsUs);
    count++;
    if (kind === 'ws.in') wsFrames++;
    else if (kind === 'rest') restFrames++;
    // The writer bounds what it holds: hand over and wait every so often instead of shedding.
    if (count % 50_000 === 0) writer.flush();
  };
  for (const f of head) append(f.kind, f.data, f.tsUs);

  const random = createRandom(`${meta.seed ?? meta.sessionId}-day`).fork('trades');
  const pollEveryMs = header.config.universe.programTopPollSeconds * 1000;
  const watchEveryMs = header.config.universe.watchlistPollSeconds * 1000;
  let nextRanking = startMs + pollEveryMs * Math.ceil((HEADER_SECONDS * 1000 + 1) / pollEveryMs);
  let nextWatch = startMs + watchEveryMs * Math.ceil((HEADER_SECONDS * 1000 + 1) / watchEveryMs);
  let second = Math.floor(headerEndUs / 1_000_000);
  let tUs = headerEndUs;
  const endUs = endMs * 1000;
  while (tUs < endUs) {
    const ms = Math.floor(tUs / 1000);
    for (; second < Math.floor(ms / 1000); second++) market.stepSecond(second * 1000);
    // The polls' answers as recorded, at every poll of the day (the kernel asks on its own schedule).
    if (ms >= nextRanking) {
      for (const f of kiwoomPoll) append('rest', f.data, tUs);
      nextRanking += pollEveryMs;
    }
    if (ms >= nextWatch) {
      for (const f of kisPoll) append('rest', f.data, tUs);
      nextWatch += watchEveryMs;
    }
    const hhmmss = formatKstTime(ms);
    const { item, s } = stocks[random.int(stocks.length)]!;
    const trade = market.trade(s, random, hhmmss);
    append('ws.in', realFrame([realEntry('0B', item, tradeValues(s, trade, hhmmss))]), tUs);
    // Poisson arrivals at the phase's rate.
    tUs += Math.max(1, Math.round((-Math.log(1 - random.next()) * 1e6) / rateAt(ms, day)));
  }
  // The kernel stops at 20:00 (its record carries the instant), then the REMOVEs as recorded.
  for (const f of tail) {
    const record = f.kind === 'lifecycle' ? (JSON.parse(f.data) as { type?: string }) : null;
    const data = record?.type === 'kernel.stopped' ? JSON.stringify({ ...record, at: endMs }) : f.data;
    append(f.kind, data, endUs + (f.tsUs - (tail[0]?.tsUs ?? f.tsUs)));
  }
  clock.advanceTo(endMs);
  writer.close(endMs);
  return { file: writer.file, frames: count, wsFrames, restFrames, symbols: new Set(items.map((i) => i.slice(0, 6))).size, startMs, endMs };
}

/** JSON.parse of every ws frame of the recording (read chunk by chunk; only the parse is timed). */
function jsonParseOfRecording(file: string): { entries: number; ms: number; cpuS: number } {
  const reader = openRecordingReader(file);
  let entries = 0;
  let ms = 0;
  let cpuS = 0;
  const batch: string[] = [];
  const parse = (): void => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const text of batch) {
      const parsed = JSON.parse(text) as { data?: unknown[] };
      entries += Array.isArray(parsed.data) ? parsed.data.length : 0;
    }
    ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuS += (c.user + c.system) / 1e6;
    batch.length = 0;
  };
  for (const f of reader.frames()) {
    if (f.kind !== 'ws.in') continue;
    batch.push(f.data);
    if (batch.length === 4096) parse();
  }
  parse();
  reader.close();
  return { entries, ms, cpuS };
}

export async function benchFullDay(options: FullDayOptions = {}): Promise<FullDayResult> {
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-day-'));
  try {
    const t0 = performance.now();
    const built = await buildDay(dir, options);
    const buildSeconds = (performance.now() - t0) / 1000;
    const loadBefore = loadavg()[0] ?? 0;
    const parse = jsonParseOfRecording(built.file);
    const c0 = process.cpuUsage();
    const summary = await runReplay({ file: built.file, config: dayConfig(dir), strategiesFromConfig: false, dbFile: join(dir, 'day-replay.db'), speed: 'max', log: silent() });
    const cpu = process.cpuUsage(c0);
    const replayCpuS = (cpu.user + cpu.system) / 1e6;
    const loadAfter = loadavg()[0] ?? 0;
    const jsonParseEntriesPerSecond = (parse.entries / parse.ms) * 1000;
    const mb = statSync(built.file).size / 1e6;
    return {
      startKst: formatKstTime(built.startMs).replace(/^(\d\d)(\d\d)\d\d$/, '$1:$2'),
      endKst: formatKstTime(built.endMs).replace(/^(\d\d)(\d\d)\d\d$/, '$1:$2'),
      symbols: built.symbols,
      frames: built.frames,
      rateText: `${options.regularRate ?? REGULAR_RATE} trades/s 09:00-15:30, ${options.nxtRate ?? NXT_RATE}/s on NXT before and after`,
      events: summary.events,
      signals: summary.signals,
      eventsPerSecond: summary.eventsPerSecond,
      jsonParseEntriesPerSecond,
      ratio: summary.eventsPerSecond / jsonParseEntriesPerSecond,
      replaySeconds: summary.wallMs / 1000,
      note: `Full day: the daemon recorded the first ${HEADER_SECONDS} s of a simulator day (kernel start, the first polls' answers, the REGs; its universe of rankings and watchlists topped up with the simulator's stocks to ${built.symbols} symbols, connection.maxItems 200); the rest of 08:00-20:00 KST was filled with REAL 0B frames from the simulator's own market (its seed, SimMarketState, real-format.ts) for the symbols it registered, one trade per frame, Poisson arrivals at ${options.regularRate ?? REGULAR_RATE}/s in the regular session and ${options.nxtRate ?? NXT_RATE}/s on NXT before and after, and the polls' recorded answers repeated at every poll of the day (no 0A, no auction prints). Recording ${mb.toFixed(0)} MB, built in ${buildSeconds.toFixed(0)} s. One JSON.parse pass over its ws frames (read chunk by chunk, only the parse timed), then one runReplay (${summary.rows} rows; in CPU time of the whole process, inflate threads included, ${((summary.events / replayCpuS) / (parse.entries / parse.cpuS)).toFixed(2)}x JSON.parse's rate; ${summary.divergences} REST divergences, ${summary.unregisteredEntries} entries for unsubscribed items); 1-minute load ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
