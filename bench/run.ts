// `npm run bench`: one table of figures measured on this machine, each beside a ceiling measured in
// the same run. Each benchmark is a function in its own file; this runner only orchestrates and renders.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/package-root.js';
import { runDaemonJobInChild } from './daemon/in-child.js';
import { formatLatency } from './daemon/latency-summary.js';
import { benchNotifyAb, formatRounds } from './daemon/notify-ab.js';
import { benchOutboxCommitCost } from './daemon/outbox-commit-cost.js';
import type { RssSample } from './daemon/rss-summary.js';
import { buildBookCorpus } from './decode/book-corpus.js';
import { benchDecodeRate } from './decode/decode-rate.js';
import { benchOfficialPeer } from './decode/official-peer.js';
import { benchEndToEndRounds } from './e2e/end-to-end-rounds.js';
import { benchEngineBarsRate, benchEngineRate } from './engine/engine-rate.js';
import { buildFrameCorpus, sliceCorpus } from './frames.js';
import { describeMachine, formatCount, formatPercent, formatRatio, formatRate, machineLine, renderReport, verdict, type ReportRow } from './report.js';
import { benchBareWs } from './sim/bare-ws.js';
import { runSimThroughput } from './sim/throughput.js';
import { benchFullDay } from './replay/full-day.js';
import { benchReplayRate } from './replay/replay-rate.js';
import { benchRecordingWriter } from './store/recording-bench.js';
import { benchRecordingCompression } from './store/recording-compression-bench.js';
import { benchSignalStore } from './store/signal-store-bench.js';

/** Targets from the issues. */
const DECODE_MIN_RATIO = 2; // issue 21 (was 0.6, issue 5)
const BOOK_DECODE_MIN_RATIO = 0.5; // issue 16: 0D takes the JSON.parse path
const PEER_MIN_RATIO = 2; // issue 21
const E2E_MIN_RATIO = 0.4; // issue 6
const SIM_TARGET = 50_000; // issue 3
const SIM_MAX_BEHIND_MS = 100;
const RECORDING_MAX_OVERHEAD = 0.15; // issue 8
const REPLAY_MIN_RATIO = 1; // issues 18 and 21 (was 0.4, issue 8)
const BARS_MIN_RATIO = 0.5; // issue 17
const LATENCY_RATES = [1_000, 5_000, 20_000]; // issue 9
const LATENCY_TARGET_RATE = 5_000; // issue 7
/** Issue 15's slow-sink comparison: A/B pairs of rounds (2 pairs = 4 rounds, A B B A). */
const NOTIFY_AB_PAIRS = 2;
const LATENCY_MAX_P99_MS = 5;
const RSS_RATE = 2_000; // issue 7
const BUS_MIN_RATIO = 0.8; // issue 19
const RSS_MAX_MB = 150;
const RSS_MAX_GROWTH_MB = 10;
const RSS_TARGET_MINUTES = 10;

// `npm run bench -- --rss-minutes 10` for issue 7's full RSS figure (default 2 to keep the run short).
// `npm run bench -- --sweep-seconds 60` sweeps shorter recorded sessions (default 300 s each).
// `npm run bench -- --only decode` runs one section (decode, engine, e2e, sim, store, recording, latency, replay, rss).
const SECTIONS = ['decode', 'engine', 'e2e', 'sim', 'store', 'recording', 'latency', 'replay', 'sweep', 'bus', 'rss'] as const;
const { values: args } = parseArgs({
  options: { 'rss-minutes': { type: 'string', default: '2' }, 'latency-seconds': { type: 'string', default: '15' }, 'sweep-seconds': { type: 'string', default: '300' }, only: { type: 'string' } },
});
const only = args.only;
if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) throw new Error(`--only takes one of ${SECTIONS.join(', ')}`);
const rssMinutes = Number(args['rss-minutes']);
const latencySeconds = Number(args['latency-seconds']);
const sweepSeconds = Number(args['sweep-seconds']);
if (!(rssMinutes > 0) || !(latencySeconds > 0) || !(sweepSeconds > 0)) throw new Error('--rss-minutes, --latency-seconds and --sweep-seconds take a positive number');

const startedAt = new Date();
const t0 = performance.now();
const machine = describeMachine(startedAt);
const rows: ReportRow[] = [];
const notes: string[] = [];

const progress = (text: string): void => void process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${text}\n`);

/** Runs one section (unless --only names another); a failure becomes an error row instead of ending the run. */
async function section(key: (typeof SECTIONS)[number], name: string, run: () => Promise<void> | void): Promise<void> {
  if (only !== undefined && only !== key) return;
  progress(name);
  try {
    await run();
  } catch (err) {
    rows.push({ benchmark: name, figure: 'error', reference: '-', ratio: '-', target: '-', result: `error: ${String((err as Error)?.message ?? err).slice(0, 120)}` });
    progress(`${name} failed: ${String((err as Error)?.stack ?? err)}`);
  }
}

process.stderr.write(`${machineLine(machine)}\n`);
/** Corpora built on first use, so `--only` builds only what its section needs. */
const lazy = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};
const single = lazy(() => (progress('building the 1-entry corpus (simulator formatting)'), buildFrameCorpus({ frames: 100_000, entriesPerFrame: 1, seed: 'bench-1' })));
const decodeSingle = lazy(() => sliceCorpus(single(), 50_000));
const multi = lazy(() => buildFrameCorpus({ frames: 5_000, entriesPerFrame: 10, seed: 'bench-10' }));
const blast = lazy(() => buildFrameCorpus({ frames: 200, entriesPerFrame: 50, seed: 'bench-50' }));

await section('decode', 'decode rate, one-entry REAL frames', () => {
  const r = benchDecodeRate(decodeSingle(), { rounds: 7 });
  rows.push({
    benchmark: `Decode rate: routeFrame from Buffers (byte decoder), 1-entry REAL frames (~${r.bytesPerFrame} B, 0B + 5 % 0A)`,
    figure: formatRate(r.entriesPerSecond, 'entries'),
    reference: `JSON.parse ${formatRate(r.jsonParseEntriesPerSecond, 'frames')}`,
    ratio: formatRatio(r.ratio),
    target: `>= ${DECODE_MIN_RATIO}x JSON.parse (issue 21)`,
    result: r.decodeErrors === 0 ? verdict(r.ratio >= DECODE_MIN_RATIO) : `falls short (${r.decodeErrors} decode errors)`,
  });
  rows.push({
    benchmark: 'Decode breakdown, 1-entry frames: reference decodeEntry alone on parsed entries / routeFrame on strings (replay\'s text path: UTF-8 encode + byte decoder) / isUtf8 + toString alone',
    figure: `${formatRate(r.decodeOnlyEntriesPerSecond, 'entries')} / ${formatRate(r.stringEntriesPerSecond, 'entries')} / ${formatRate(r.utf8FramesPerSecond, 'frames')}`,
    reference: `JSON.parse ${formatRate(r.jsonParseEntriesPerSecond, 'frames')}`,
    ratio: `${formatRatio(r.decodeOnlyEntriesPerSecond / r.jsonParseEntriesPerSecond)} / ${formatRatio(r.stringEntriesPerSecond / r.jsonParseEntriesPerSecond)} / ${formatRatio(r.utf8FramesPerSecond / r.jsonParseEntriesPerSecond)}`,
    target: '-',
    result: 'info (where the time goes)',
  });
  notes.push(
    `Decode: ${formatCount(r.frames)} frames built with the simulator's own formatting (src/sim/real-format.ts on its seeded market: 43 FIDs per 0B entry, values as signed strings), median of ${r.rounds} rounds. routeFrame gets each frame's Buffer, as the socket hands it over: the byte decoder (src/adapters/kiwoom/realtime-fast.ts) reads it without JSON.parse and falls back to the JSON.parse path for anything it does not recognise; JSON.parse gets the frame as a string (no UTF-8 decode in the reference). In the breakdown row, decodeEntry and isUtf8 + toString are parts of the reference path; routeFrame on strings is what replay does with recorded text.`,
  );
});

await section('decode', 'decode rate, 10-entry REAL frames', () => {
  const r = benchDecodeRate(multi(), { rounds: 7 });
  rows.push({
    benchmark: `Decode rate: routeFrame from Buffers (byte decoder), 10-entry REAL frames (~${formatCount(r.bytesPerFrame)} B)`,
    figure: formatRate(r.entriesPerSecond, 'entries'),
    reference: `JSON.parse ${formatRate(r.jsonParseEntriesPerSecond, 'entries')}`,
    ratio: formatRatio(r.ratio),
    target: `>= ${DECODE_MIN_RATIO}x JSON.parse (issue 21)`,
    result: r.decodeErrors === 0 ? verdict(r.ratio >= DECODE_MIN_RATIO) : `falls short (${r.decodeErrors} decode errors)`,
  });
});

await section('decode', 'decode rate, 0D order-book frames', () => {
  const r = benchDecodeRate(buildBookCorpus(20_000), { rounds: 5 });
  rows.push({
    benchmark: `Decode rate: routeFrame from Buffers, 1-entry 0D 주식호가잔량 frames (~${formatCount(r.bytesPerFrame)} B, 138 FIDs, 72 read; the byte decoder falls back to JSON.parse + the 0D table)`,
    figure: formatRate(r.entriesPerSecond, 'entries'),
    reference: `JSON.parse ${formatRate(r.jsonParseEntriesPerSecond, 'entries')}`,
    ratio: formatRatio(r.ratio),
    target: `>= ${BOOK_DECODE_MIN_RATIO}x JSON.parse (issue 16)`,
    result: r.decodeErrors === 0 ? verdict(r.ratio >= BOOK_DECODE_MIN_RATIO) : `falls short (${r.decodeErrors} decode errors)`,
  });
});

await section('decode', 'official-client peer (python3), same frames', () => {
  const frames = decodeSingle().texts.slice(0, 20_000);
  const peer = benchOfficialPeer(frames, 3);
  if (peer === null) {
    notes.push('Official-client peer: python3 not found, row skipped.');
    return;
  }
  const ours = benchDecodeRate(sliceCorpus(decodeSingle(), 20_000), { rounds: 5 });
  const ratio = ours.framesPerSecond / peer.framesPerSecond;
  rows.push({
    benchmark: `Official-client peer: ${peer.python}, stdlib json.loads + the official FID-rename loop (bench/decode/official-peer.py), the same 20,000 1-entry frames`,
    figure: `routeFrame ${formatRate(ours.framesPerSecond, 'frames')}`,
    reference: `official ${formatRate(peer.framesPerSecond, 'frames')}`,
    ratio: formatRatio(ratio),
    target: `>= ${PEER_MIN_RATIO}x the official client (issue 21)`,
    result: verdict(ratio >= PEER_MIN_RATIO),
  });
});

await section('engine', 'engine rate', async () => {
  const r = await benchEngineRate(single().texts, 300_000, 3);
  rows.push({
    benchmark: `Engine rate: market stream + book + 3 strategies (decoded 0B events, ${r.signals} signals, median of 3 runs)`,
    figure: formatRate(r.eventsPerSecond, 'events'),
    reference: `JSON.parse ${formatRate(r.jsonParseFramesPerSecond, 'frames')}`,
    ratio: formatRatio(r.ratio),
    target: '-',
    result: r.faults === 0 ? 'info' : `${r.faults} strategy faults`,
  });
});

await section('engine', 'engine rate with bars and indicators, 200 symbols', async () => {
  const r = await benchEngineBarsRate(300_000, 200, 3);
  rows.push({
    benchmark: `Engine rate with bars: the engine row's strategies + one with 1m and 1s bars and SMA 20, RSI 14, MACD per symbol on each 1s bar, ${r.symbols} symbols (${formatCount(r.bars)} bars delivered, median of 3 alternating runs)`,
    figure: formatRate(r.withEventsPerSecond, 'events'),
    reference: `without ${formatRate(r.withoutEventsPerSecond, 'events')}`,
    ratio: formatRatio(r.ratio),
    target: `>= ${BARS_MIN_RATIO}x without (issue 17)`,
    result: r.faults === 0 ? verdict(r.ratio >= BARS_MIN_RATIO) : `${r.faults} strategy faults`,
  });
});

await section('e2e', 'end-to-end in-process, with and without recording', async () => {
  const r = await benchEndToEndRounds(single(), 5);
  const committedAll = r.signalsCommitted === r.signalsEmitted && r.signalsCommitted > 0;
  rows.push({
    benchmark: `End-to-end in-process: Buffers -> routeFrame -> stream -> host -> SQLite store (${r.signalsCommitted}/${r.signalsEmitted} signals committed)`,
    figure: formatRate(r.eventsPerSecond, 'events'),
    reference: `JSON.parse ${formatRate(r.jsonParseEventsPerSecond, 'frames')}`,
    ratio: formatRatio(r.ratio),
    target: `>= ${E2E_MIN_RATIO}x JSON.parse (issue 6)`,
    result: committedAll && r.decodeErrors === 0 && r.strategyFaults === 0 ? verdict(r.ratio >= E2E_MIN_RATIO) : 'falls short (signals not all committed, or errors)',
  });
  rows.push({
    benchmark: `Recording overhead: end-to-end + every raw frame appended (ws.in), ${formatCount(r.framesRecorded)} frames recorded`,
    figure: `${formatRate(r.recordingEventsPerSecond, 'events')} (overhead ${formatPercent(r.recordingOverhead)})`,
    reference: `without recording ${formatRate(r.eventsPerSecond, 'events')}`,
    ratio: formatRatio(r.recordingEventsPerSecond / r.eventsPerSecond),
    target: `overhead <= ${RECORDING_MAX_OVERHEAD * 100} % (issue 8)`,
    result: r.framesRecorded === r.frames ? verdict(r.recordingOverhead <= RECORDING_MAX_OVERHEAD) : `falls short (${r.framesRecorded}/${r.frames} frames recorded)`,
  });
  notes.push(
    `End-to-end: ${formatCount(r.frames)} one-entry frames, 64 frames per event-loop turn, system clock, store commits on setImmediate; median of ${r.rounds} rounds (with/without recording alternating). The recorder gets each frame's Buffer (appendBytes, as the daemon does), tsRecv in us. Polls (rankings, watchlist) are handed to the host every 30 s of corpus market time. Engine time is the wall clock here, so the hosts' 60 s cooldown allows about one signal per strategy, symbol and kind per run (the engine row runs on a virtual clock over 25 market minutes, hence more signals).`,
  );
});

await section('sim', 'simulator throughput and bare ws ceiling', async () => {
  const sim = await runSimThroughput({ tradesPerSecond: SIM_TARGET, durationMs: 4_000, warmupMs: 1_000 });
  const bare = await benchBareWs({ frames: blast().texts, entriesPerFrame: 50, durationMs: 3_000 });
  const ok = sim.entriesPerSecond >= SIM_TARGET * 0.98 && sim.dropped === 0 && sim.behindMs <= SIM_MAX_BEHIND_MS;
  rows.push({
    benchmark: `Simulator throughput: one loopback client, 100 symbols, client JSON.parses (behind ${sim.behindMs} ms, max ${sim.maxBehindMs} ms, ${sim.dropped} dropped)`,
    figure: formatRate(sim.entriesPerSecond, 'entries'),
    reference: `bare ws, 50-entry frames ${formatRate(bare.entriesPerSecond, 'entries')}`,
    ratio: formatRatio(sim.entriesPerSecond / bare.entriesPerSecond),
    target: `>= ${formatCount(SIM_TARGET)} entries/s, not behind (issue 3)`,
    result: verdict(ok),
  });
  notes.push(
    `Simulator: paced at ${formatCount(SIM_TARGET)} entries/s for ${sim.durationMs} ms (${formatCount(sim.framesPerSecond)} frames/s); pass = at least 98 % of the target delivered, nothing dropped, final lag <= ${SIM_MAX_BEHIND_MS} ms. The bare ws ceiling blasts prebuilt simulator-format frames, unpaced, in the same process.`,
  );
});

await section('store', 'signal store write rate', async () => {
  const r = await benchSignalStore(100_000, 500, 1000);
  rows.push({
    benchmark: `Signal store write rate (WAL, synchronous=FULL, bursts of 500 per turn, <= ${r.maxBatch} rows per transaction)`,
    figure: formatRate(r.rowsPerSecond, 'rows'),
    reference: '-',
    ratio: '-',
    target: '-',
    result: `info (write() ${formatCount(r.writeNsPerSignal)} ns/signal)`,
  });
});

await section('recording', 'recording append cost', async () => {
  const r = await benchRecordingWriter(300_000, 640, 4096);
  rows.push({
    benchmark: `Recording append cost (${r.frameBytes} B frames, ${r.batchRows} rows per commit, commits included)`,
    figure: `${formatCount(r.nsPerAppend)} ns/append (${formatRate(r.framesPerSecond, 'frames')})`,
    reference: '-',
    ratio: '-',
    target: '-',
    result: `info (secret guard ${formatCount(r.guardNsPerFrame)} ns/frame)`,
  });
});

await section('recording', 'recording compression cost', async () => {
  const r = benchRecordingCompression();
  rows.push({
    benchmark: `Recording compression on the writing thread (deflate level 1, 512-frame chunks of recorded market frames, ${formatCount(r.meanFrameBytes)} B mean)`,
    figure: `${formatCount(r.nsPerFrame)} ns/frame`,
    reference: '-',
    ratio: `${r.ratio.toFixed(1)}x smaller`,
    target: '-',
    result: 'info (off the main thread)',
  });
});

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
/** The first sample of each whole minute, "182 / 170 / ... MB". */
const byMinute = (samples: readonly RssSample[], key: 'rss' | 'heapUsed' | 'external'): string => {
  const picked = new Map<number, number>();
  for (const s of samples) if (!picked.has(Math.floor(s.atMs / 60_000))) picked.set(Math.floor(s.atMs / 60_000), s[key]);
  const last = samples[samples.length - 1];
  const values = [...picked.values(), ...(last ? [last[key]] : [])];
  return `${values.map((v) => (v / 1e6).toFixed(0)).join(' / ')} MB (0, 1, 2, ... min, end)`;
};

await section('latency', 'daemon latency (startDaemon, mode sim, loopback)', async () => {
  const streamRows: ReportRow[] = [];
  const details: string[] = [];
  const runs = [...LATENCY_RATES.map((rate) => ({ rate, simulator: 'embedded' as const })), { rate: LATENCY_TARGET_RATE, simulator: 'process' as const }];
  for (const { rate, simulator } of runs) {
    const apart = simulator === 'process';
    progress(`daemon latency at ${formatCount(rate)} trades/s${apart ? ', simulator in its own process' : ''}`);
    const r = await runDaemonJobInChild({ kind: 'latency', options: { tradesPerSecond: rate, durationMs: latencySeconds * 1000, simulator } }, 120_000 + latencySeconds * 1000);
    const where = `${formatCount(rate)} trades/s (${formatCount(r.framesPerSecond)} frames/s of <= 40 entries, ${formatCount(r.entriesPerSecond)} entries/s measured)${apart ? ', simulator in its own process (daemon in mode live against it)' : ''}`;
    const targeted = rate === LATENCY_TARGET_RATE;
    const ok = r.uncommitted === 0 && r.decodeErrors === 0 && r.simDropped === 0;
    rows.push({
      benchmark: `Frame-to-signal latency p50 / p99 / p99.9, daemon over loopback at ${where}: frame arrival -> signal committed`,
      figure: formatLatency(r.signal),
      reference: '-',
      ratio: '-',
      target: targeted ? `p99 <= ${LATENCY_MAX_P99_MS} ms at ${formatCount(rate)}/s (issue 7)` : 'p50/p99/p99.9 reported (issue 9)',
      result: !ok
        ? `falls short (${r.uncommitted} uncommitted, ${r.decodeErrors} decode errors, ${r.simDropped} dropped by the sim)`
        : targeted
          ? r.signal.p99 === null
            ? 'n too small for p99'
            : verdict(r.signal.p99 <= LATENCY_MAX_P99_MS)
          : 'info',
    });
    streamRows.push({
      benchmark: `Frame-to-handled latency p50 / p99 / p99.9 at ${formatCount(rate)} trades/s${apart ? ' (simulator in its own process)' : ''}: frame arrival -> event through the pipeline and strategy host (seen by a later kernel.stream$ subscriber; no store commit)`,
      figure: formatLatency(r.stream),
      reference: '-',
      ratio: '-',
      target: '-',
      result: 'info',
    });
    details.push(
      `${formatCount(rate)}/s${apart ? ' (simulator apart)' : ''}: signals ${Object.entries(r.signalsByStrategy).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; ${formatCount(r.wantedPairs)} pairs subscribed; event-loop delay p99 ${r.loopDelayP99Ms.toFixed(1)} ms, max ${r.loopDelayMaxMs.toFixed(1)} ms; sim max behind ${r.simMaxBehindMs.toFixed(0)} ms`,
    );
  }
  // Issue 15: with and without a slow notification sink, interleaved rounds of the same run (notify-ab.ts).
  progress(`daemon latency at ${formatCount(LATENCY_TARGET_RATE)} trades/s with and without a slow notification sink, ${NOTIFY_AB_PAIRS} interleaved pairs`);
  const ab = await benchNotifyAb({ pairs: NOTIFY_AB_PAIRS, seconds: latencySeconds, tradesPerSecond: LATENCY_TARGET_RATE, slowSinkMs: 10_000 });
  const sinkRounds = ab.rounds.filter((r) => r.sink);
  rows.push({
    benchmark: `Frame-to-signal latency p50 / p99 / p99.9 at ${formatCount(LATENCY_TARGET_RATE)} trades/s with notifications on to a webhook answering after 10 s (outbox + dispatcher), ${ab.rounds.length} interleaved rounds (A B B A ...) of ${latencySeconds} s, each arm's samples pooled (${sinkRounds.reduce((n, r) => n + (r.sink?.requests ?? 0), 0)} requests to the sink; rounds: ${formatRounds(ab.rounds)})`,
    figure: formatLatency(ab.with),
    reference: `without: ${formatLatency(ab.without)}`,
    ratio: ab.p99DeltaMs === null ? '-' : `p99 ${ab.p99DeltaMs >= 0 ? '+' : ''}${ab.p99DeltaMs} ms, p50 ${(ab.p50DeltaMs ?? 0) >= 0 ? '+' : ''}${ab.p50DeltaMs ?? '-'} ms`,
    target: 'p99 within 1 ms of the rounds without (issue 15)',
    result: ab.faulty > 0 ? `falls short (${ab.faulty} rounds lost or dropped frames)` : ab.p99DeltaMs === null ? 'n too small for p99' : verdict(ab.p99DeltaMs <= 1),
  });
  const cost = benchOutboxCommitCost();
  rows.push({
    benchmark: `The signal commit (write + flush, synchronous=FULL, ${cost.signalsPerCommit} signal) with one outbox row per signal vs without, ${formatCount(cost.commits)} commits each, interleaved: what notifications add on the hot path`,
    figure: `p50 / p99 ${cost.with.p50} / ${cost.with.p99} us`,
    reference: `without ${cost.without.p50} / ${cost.without.p99} us`,
    ratio: `p50 ${cost.with.p50 - cost.without.p50 >= 0 ? '+' : ''}${cost.with.p50 - cost.without.p50} us`,
    target: '-',
    result: 'info',
  });
  rows.push(...streamRows);
  notes.push(
    `Daemon latency: startDaemon (the production composition: system clock, mode sim, the embedded simulator over loopback, recording on, info logs to a file, http on port 0) in a fresh child process per rate, ${latencySeconds} s measured after 3 s of warm-up. Rates are the simulator's 0B entries per second; it sends one frame per connection every 50 ms tick with at most 40 entries, so frames/s is far below entries/s (measured figures in each row). Strategies: indicative-deviation at thresholdPct 0.01 (so most 0A entries alert) and watchlist-breakout; 2,000 of the 2,500 listed stocks in universe.extraSymbols. The host's 60 s cooldown and once-per-excursion rule allow about one alert per symbol per run, and 0A entries are 1 % of trades, so the sample is small at low rates: each figure states n, and a percentile needing more samples (100 for p99, 1,000 for p99.9) reads "n too small". Latency = commit time (clock.now() in store.onCommitted) - the signal's tsRecv (clock.now() at the socket's 'message'), read back from the signals table: both ends the system clock, 1 ms resolution. In mode sim the simulator runs in the daemon's process and event loop, so its generation work delays the daemon's reads as a remote broker's would not; the extra 5,000/s run puts the simulator in a child process and runs the daemon in mode live against its loopback URLs (sim credentials, always-open calendar) to separate the two. Frame-to-handled: clock.now() - event.tsRecv when a second subscriber of kernel.stream$ gets the event; the strategy host subscribed first, so the book update and the strategies' synchronous work on that event are included (a pipeline-only figure is not observable from outside the kernel), the store's commit is not. Entries of one frame share its tsRecv and are handled in order, so later entries of a 40-entry frame carry the earlier ones' time. Neither figure sees the time a frame waits in the socket before 'message' fires: the event-loop delay bounds it. ${details.join('. ')}.`,
  );
});

await section('replay', 'replay rate', async () => {
  const r = await benchReplayRate({ sessionSeconds: 60, tradesPerSecond: 2_000, rounds: 3 });
  rows.push({
    benchmark: `Replay rate: a ${r.sessionSeconds} s simulator session at 2,000 trades/s recorded by the daemon, replayed at max speed with the three example strategies into a signals DB (${formatCount(r.events)} events, ${formatCount(r.signals)} signals; median of ${r.rounds} paired rounds)`,
    figure: formatRate(r.eventsPerSecond, 'events'),
    reference: `JSON.parse of the same frames ${formatRate(r.jsonParseEntriesPerSecond, 'entries')}`,
    ratio: formatRatio(r.ratio),
    target: `>= ${REPLAY_MIN_RATIO}x JSON.parse (issue 21)`,
    result: verdict(r.ratio >= REPLAY_MIN_RATIO),
  });
  notes.push(
    `Replay: each round times JSON.parse of the recording's ws frames (as strings in memory: no read, no inflate) and then a full runReplay of the recording (SQLite read, inflate, byte decoder, pipeline, the three example strategies, the signal store); ratios per round ${r.ratios.map((x) => formatRatio(x)).join(', ')}; in CPU time of the whole process (the inflate threads included) ${formatRatio(r.cpuRatio)}, which moves less with the machine's load (on a loaded machine the replay's second thread gets a share of its own, so the wall ratio flatters it); 1-minute load ${r.load[0].toFixed(2)} before, ${r.load[1].toFixed(2)} after.`,
  );
  const day = await benchFullDay();
  rows.push({
    benchmark: `Replay of a synthetic full day: ${day.startKst}-${day.endKst} KST, ${formatCount(day.symbols)} symbols, ${formatCount(day.frames)} frames (${day.rateText}), replayed at max speed with the three example strategies (${formatCount(day.events)} events, ${formatCount(day.signals)} signals)`,
    figure: `${formatRate(day.eventsPerSecond, 'events')}, ${day.replaySeconds.toFixed(1)} s per day`,
    reference: `JSON.parse of the same frames ${formatRate(day.jsonParseEntriesPerSecond, 'entries')}`,
    ratio: formatRatio(day.ratio),
    target: `>= ${REPLAY_MIN_RATIO}x JSON.parse (issue 18)`,
    result: verdict(day.ratio >= REPLAY_MIN_RATIO),
  });
  notes.push(day.note);
});

await section('sweep', 'sweep, 2 workers vs 1', async () => (await import('./research/sweep-scaling.js')).addSweepScalingRows(rows, notes, { seconds: sweepSeconds }));

await section('bus', 'bus egress to a local redis-server', async () => {
  const { benchBusEgress } = await import('./bus/egress-rate.js');
  const r = await benchBusEgress();
  if (!r) {
    notes.push('bus egress row not measured: redis-server is missing (apt-get install -y redis-server)');
    return;
  }
  rows.push({
    benchmark: `Bus egress: ${formatCount(r.events)} trades through stream + book + 3 strategies with the egress (its worker thread in this process) to a local redis-server in its own session beside them (${formatCount(r.published)} published, ${formatCount(r.dropped)} dropped per run; each side in its own process, 2 warm-up and 5 measured runs, a collected heap before each, ${r.pairs} pairs of processes A B B A ...)`,
    figure: `${formatRate(r.pipelineWithEgress, 'events')} (egress ${formatRate(r.egressPerSecond, 'envelopes')})${r.threadCpuAlone !== null && r.threadCpuWithEgress !== null ? `; on the pipeline thread's CPU time ${formatRate(r.threadCpuWithEgress, 'events')} vs ${formatRate(r.threadCpuAlone, 'events')} without (${formatRatio(r.threadCpuWithEgress / r.threadCpuAlone)})` : ''}`,
    reference: `without egress ${formatRate(r.pipelineAlone, 'events')}`,
    ratio: `${formatRatio(r.ratio)} (pairs ${r.ratios.map((x) => formatRatio(x)).join(', ')})`,
    target: `>= ${BUS_MIN_RATIO}x without (issue 19)`,
    result: verdict(r.ratio >= BUS_MIN_RATIO),
  });
  const p = r.paced;
  rows.push({
    benchmark: `Bus egress at a realistic rate: ${formatCount(p.rate)} trades/s offered for ${formatCount(p.events)} trades (real time, ticks of 10 ms) through the same pipeline with the egress on; main thread's event-loop utilisation`,
    figure: `ELU ${(p.eluWithEgress * 100).toFixed(2)} % with egress; ${formatCount(p.published)} published, ${formatCount(p.dropped)} dropped, drained ${p.drainMs.toFixed(0)} ms after the last trade`,
    reference: `ELU ${(p.eluAlone * 100).toFixed(2)} % without`,
    ratio: '-',
    target: 'none dropped at a realistic rate',
    result: verdict(p.dropped === 0 && p.published === p.events),
  });
});

await section('rss', 'daemon RSS after a steady run', async () => {
  const r = await runDaemonJobInChild({ kind: 'rss', options: { tradesPerSecond: RSS_RATE, durationMs: rssMinutes * 60_000 } }, rssMinutes * 60_000 + 120_000);
  const ok = r.rssEnd <= RSS_MAX_MB * 1e6 && r.growthAfterSettle < RSS_MAX_GROWTH_MB * 1e6;
  const minutes = r.durationMs / 60_000;
  rows.push({
    benchmark: `RSS after a steady ${minutes.toFixed(1)}-minute daemon run at ${formatCount(RSS_RATE)} trades/s (${formatCount(r.entriesPerSecond)} entries/s measured), simulator included`,
    figure: `${mb(r.rssEnd)} at the end, ${mb(r.rssAtSettle)} at minute 1, growth ${mb(r.growthAfterSettle)}; heap slope ${(r.heapSlopePerMinute / 1e3).toFixed(0)} kB/min`,
    reference: '-',
    ratio: '-',
    target: `<= ${RSS_MAX_MB} MB after ${RSS_TARGET_MINUTES} min at ${formatCount(RSS_RATE)}/s, growth < ${RSS_MAX_GROWTH_MB} MB after minute 1 (issue 7)`,
    result: `${verdict(ok && r.simDropped === 0)}${minutes < RSS_TARGET_MINUTES ? ` (a ${minutes.toFixed(0)}-minute run; the target is for ${RSS_TARGET_MINUTES}: --rss-minutes ${RSS_TARGET_MINUTES})` : ''}`,
  });
  notes.push(
    `RSS: startDaemon on config/default.json (its three strategies, recording on) with the embedded simulator at ${formatCount(RSS_RATE)} trades/s, in a fresh child process, so the figures are the daemon plus the simulator and nothing of the bench runner. process.memoryUsage() every 5 s (${r.samples.length} samples; RSS by minute ${byMinute(r.samples, 'rss')}; heapUsed by minute ${byMinute(r.samples, 'heapUsed')}; external by minute ${byMinute(r.samples, 'external')}); growth = end - minute 1; slopes by least squares over the ${r.settledSamples} samples from minute 1 on (heap ${(r.heapSlopePerMinute / 1e3).toFixed(0)} kB/min, RSS ${(r.rssSlopePerMinute / 1e3).toFixed(0)} kB/min); ${r.signals} signals committed; ${r.simDropped} entries dropped by the simulator.`,
  );
});

const end = describeMachine(new Date());
const extra = [`load average at the end: ${end.load.map((x) => x.toFixed(2)).join(' ')}; whole run ${((performance.now() - t0) / 1000).toFixed(0)} s`];
notes.unshift('Reference ceilings are measured in the same run on the same frames; ratio = figure / reference. Rates are medians over rounds after a warm-up.');
const report = renderReport(machine, rows, notes, extra);
process.stdout.write(`\n${report}`);
const dir = join(packageRoot(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.md'), report);
progress(`written ${join(dir, 'latest.md')}`);
