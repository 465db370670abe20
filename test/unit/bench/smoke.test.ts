import { describe, expect, it } from 'vitest';
import { routeFrame, type FrameStats } from '../../../src/adapters/kiwoom/realtime-frames.js';
import type { RealtimeEvent } from '../../../src/core/market.js';
import { benchDecodeRate } from '../../../bench/decode/decode-rate.js';
import { jsonParseRate } from '../../../bench/decode/json-parse-rate.js';
import { benchEndToEnd } from '../../../bench/e2e/in-process.js';
import { benchEndToEndRounds } from '../../../bench/e2e/end-to-end-rounds.js';
import { benchEngineBarsRate, benchEngineRate } from '../../../bench/engine/engine-rate.js';
import { buildFrameCorpus, sliceCorpus } from '../../../bench/frames.js';
import { benchBareWs } from '../../../bench/sim/bare-ws.js';
import { runSimThroughput } from '../../../bench/sim/throughput.js';
import { benchRecordingWriter } from '../../../bench/store/recording-bench.js';
import { benchSignalStore } from '../../../bench/store/signal-store-bench.js';

// Tiny inputs: these check that every bench runs and counts what it claims, not how fast it is.
const corpus = buildFrameCorpus({ frames: 3_000, entriesPerFrame: 1, seed: 'smoke' });

describe('frame corpus', () => {
  it('is simulator-formatted REAL frames that routeFrame decodes without errors, 0B mostly and some 0A', () => {
    const events: RealtimeEvent[] = [];
    let errors = 0;
    const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
    const sinks = { event: (e: RealtimeEvent) => void events.push(e), ping: () => {}, lifecycle: () => {}, decodeError: () => void errors++, notice: () => {} };
    for (const b of corpus.buffers) routeFrame(b, Date.UTC(2026, 0, 5, 3), sinks, stats);
    expect(errors).toBe(0);
    expect(events).toHaveLength(3_000);
    const indicative = events.filter((e) => e.kind === 'indicative').length;
    expect(indicative).toBe(corpus.indicativeEntries);
    expect(indicative).toBeGreaterThan(50);
    expect(indicative).toBeLessThan(300);
    expect(events.filter((e) => e.kind === 'trade')).toHaveLength(3_000 - indicative);
    expect(corpus.texts[0]).toMatch(/^\{"trnm":"REAL","data":\[\{"type":"0[AB]","name":"[^"]+","item":"\d{6}","values":\{"/);
    expect(corpus.texts[0]).toMatch(/"10":"[+-]\d+"/);
  });
  it('carries ranking and watchlist polls over its market time and is deterministic', () => {
    // 20 minutes at one poll round per 30 s: 40 rounds of (2 rankings + 1 watchlist).
    expect(corpus.polls).toHaveLength(120);
    expect(corpus.polls.filter((p) => p.event.kind === 'ranking').every((p) => p.event.kind === 'ranking' && p.event.entries.length === 50)).toBe(true);
    expect(buildFrameCorpus({ frames: 3_000, seed: 'smoke' }).texts).toEqual(corpus.texts);
  });
  it('builds multi-entry frames and slices with recomputed counts', () => {
    const multi = buildFrameCorpus({ frames: 10, entriesPerFrame: 10 });
    expect(multi.entries).toBe(100);
    expect(multi.texts.every((t) => (JSON.parse(t) as { data: unknown[] }).data.length === 10)).toBe(true);
    const half = sliceCorpus(multi, 5);
    expect(half.entries).toBe(50);
    expect(half.bytes).toBe(multi.buffers.slice(0, 5).reduce((n, b) => n + b.length, 0));
  });
});

describe('bench functions on tiny inputs', () => {
  it('decode rate: every entry decoded in every round, against JSON.parse', () => {
    const r = benchDecodeRate(sliceCorpus(corpus, 1_000), { rounds: 2 });
    expect(r.events).toBe(1_000);
    expect(r.decodeErrors).toBe(0);
    expect(r.entriesPerSecond).toBeGreaterThan(0);
    expect(r.jsonParseEntriesPerSecond).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.framesPerSecond / r.jsonParseFramesPerSecond, 6);
    expect(jsonParseRate(corpus.texts, 500, 1)).toBeGreaterThan(0);
  });

  it('engine rate', async () => {
    const r = await benchEngineRate(corpus.texts, 5_000, 1);
    expect(r.events).toBe(5_000);
    expect(r.faults).toBe(0);
    expect(r.eventsPerSecond).toBeGreaterThan(0);
    expect(r.jsonParseFramesPerSecond).toBeGreaterThan(0);
  });

  it('engine with bars: the bars strategy gets 1m and 1s bars for the symbols that traded, no faults', async () => {
    const r = await benchEngineBarsRate(20_000, 200, 1);
    expect(r.events).toBe(20_000);
    expect(r.faults).toBe(0);
    // 20,000 trades at 5 ms = 100 s of market time over 200 symbols: about 63 % of symbol-seconds trade,
    // so between 10,000 and 20,000 1s bars (plus a 1m bar per symbol and minute).
    expect(r.bars).toBeGreaterThan(10_000);
    expect(r.bars).toBeLessThan(21_000);
    expect(r.withEventsPerSecond).toBeGreaterThan(0);
    expect(r.ratio).toBeGreaterThan(0);
  });

  it('end to end: signals are produced and all committed; the recording holds every frame', async () => {
    const plain = await benchEndToEnd(corpus);
    expect(plain.entries).toBe(3_000);
    expect(plain.decodeErrors).toBe(0);
    expect(plain.strategyFaults).toBe(0);
    expect(plain.signalsEmitted).toBeGreaterThan(0);
    expect(plain.signalsCommitted).toBe(plain.signalsEmitted);
    expect(plain.framesRecorded).toBe(0);
    const recorded = await benchEndToEnd(corpus, { record: true, framesPerTurn: 16 });
    expect(recorded.framesRecorded).toBe(3_000);
    expect(recorded.signalsCommitted).toBe(recorded.signalsEmitted);
  });

  it('end-to-end rounds report both rates and the overhead between them', async () => {
    const r = await benchEndToEndRounds(sliceCorpus(corpus, 1_000), 1);
    expect(r.frames).toBe(1_000);
    expect(r.framesRecorded).toBe(1_000);
    expect(r.recordingOverhead).toBeCloseTo(1 - r.recordingEventsPerSecond / r.eventsPerSecond, 9);
    expect(r.ratio).toBeCloseTo(r.eventsPerSecond / r.jsonParseEventsPerSecond, 9);
  });

  it('bare ws ceiling receives frames over loopback', async () => {
    const r = await benchBareWs({ frames: corpus.texts.slice(0, 50), entriesPerFrame: 1, durationMs: 150, warmupMs: 50 });
    expect(r.framesPerSecond).toBeGreaterThan(0);
    expect(r.entriesPerSecond).toBe(r.framesPerSecond);
  });

  it('simulator throughput delivers entries to a loopback client', async () => {
    const r = await runSimThroughput({ tradesPerSecond: 2_000, durationMs: 200, warmupMs: 100, symbols: 20 });
    expect(r.entriesPerSecond).toBeGreaterThan(0);
    expect(r.dropped).toBe(0);
  });

  it('store benches', async () => {
    const store = await benchSignalStore(2_000, 500, 1000);
    expect(store.rowsPerSecond).toBeGreaterThan(0);
    const rec = await benchRecordingWriter(2_000, 640, 512);
    expect(rec.framesPerSecond).toBeGreaterThan(0);
    expect(rec.readFramesPerSecond).toBeGreaterThan(0);
  });
});
