import { performance } from 'node:perf_hooks';
import { isUtf8 } from 'node:buffer';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../src/adapters/kiwoom/realtime-decoder.js';
import { routeFrame, type FrameSinks, type FrameStats } from '../../src/adapters/kiwoom/realtime-frames.js';
import type { RealtimeEvent } from '../../src/core/market.js';
import type { FrameCorpus } from '../frames.js';
import { median, perSecond } from '../stats.js';
import { timeJsonParse } from './json-parse-rate.js';

export interface DecodeBenchOptions {
  /** Measured rounds (default 5), after one warm-up round. */
  readonly rounds?: number;
}

export interface DecodeBenchResult {
  readonly frames: number;
  readonly entries: number;
  readonly bytesPerFrame: number;
  /** Median over rounds of entries/s through routeFrame (UTF-8 check, JSON.parse, routing, decode). */
  readonly entriesPerSecond: number;
  /** Median over rounds of entries/s when only JSON.parse runs over the same frame strings. */
  readonly jsonParseEntriesPerSecond: number;
  readonly framesPerSecond: number;
  readonly jsonParseFramesPerSecond: number;
  readonly ratio: number;
  /** Diagnostics, medians too: routeFrame on the frame strings (no UTF-8 check, no copy)... */
  readonly stringEntriesPerSecond: number;
  /** ...decodeEntry alone on already parsed entries... */
  readonly decodeOnlyEntriesPerSecond: number;
  /** ...and isUtf8 + toString alone (frames/s). */
  readonly utf8FramesPerSecond: number;
  readonly events: number;
  readonly decodeErrors: number;
  readonly rounds: number;
}

/**
 * Decode rate of the real-time hot path: `routeFrame(buffer, tsRecv, sinks, stats)` over a corpus of
 * REAL frames versus plain `JSON.parse` of the same frames as strings, alternating in each round.
 */
export function benchDecodeRate(corpus: FrameCorpus, options: DecodeBenchOptions = {}): DecodeBenchResult {
  const rounds = Math.max(1, options.rounds ?? 5);
  const { texts, buffers } = corpus;
  const tsRecv = Date.now();
  let events = 0;
  let last: RealtimeEvent | undefined;
  let decodeErrors = 0;
  const sinks: FrameSinks = {
    event: (e) => {
      events++;
      last = e;
    },
    ping: () => {},
    lifecycle: () => {},
    decodeError: () => void decodeErrors++,
    notice: () => {},
  };
  const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };

  const parseOnce = (): number => timeJsonParse(texts);
  const routeOnce = (): number => {
    const t0 = performance.now();
    for (let i = 0; i < buffers.length; i++) routeFrame(buffers[i]!, tsRecv, sinks, stats);
    return performance.now() - t0;
  };

  const routeStringsOnce = (): number => {
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i++) routeFrame(texts[i]!, tsRecv, sinks, stats);
    return performance.now() - t0;
  };
  const parsed = texts.map((t) => (JSON.parse(t) as { data: unknown[] }).data);
  const dayStart = kstDayStart(tsRecv);
  const decodeOnce = (): number => {
    let bad = 0;
    const t0 = performance.now();
    for (let i = 0; i < parsed.length; i++) {
      const list = parsed[i]!;
      for (let k = 0; k < list.length; k++) if (isDecodeFailure(decodeEntry(list[k], tsRecv, dayStart))) bad++;
    }
    const ms = performance.now() - t0;
    decodeErrors += bad;
    return ms;
  };
  const utf8Once = (): number => {
    let n = 0;
    const t0 = performance.now();
    for (let i = 0; i < buffers.length; i++) if (isUtf8(buffers[i]!)) n += buffers[i]!.toString('utf8').length;
    const ms = performance.now() - t0;
    if (n === 0) throw new Error('no valid UTF-8 frames');
    return ms;
  };

  parseOnce();
  routeOnce();
  const before = events;
  const errorsBefore = decodeErrors;
  const parseMs: number[] = [];
  const routeMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift in machine load hits both sides alike.
    if (r % 2 === 0) {
      parseMs.push(parseOnce());
      routeMs.push(routeOnce());
    } else {
      routeMs.push(routeOnce());
      parseMs.push(parseOnce());
    }
  }
  const eventsMeasured = (events - before) / rounds;
  const errorsMeasured = decodeErrors - errorsBefore;
  routeStringsOnce();
  decodeOnce();
  const stringMs: number[] = [];
  const decodeMs: number[] = [];
  const utf8Ms: number[] = [];
  for (let r = 0; r < Math.min(rounds, 3); r++) {
    stringMs.push(routeStringsOnce());
    decodeMs.push(decodeOnce());
    utf8Ms.push(utf8Once());
  }
  if (last === undefined) throw new Error('the decode bench produced no events');
  const frames = texts.length;
  const routeFps = median(routeMs.map((ms) => perSecond(frames, ms)));
  const parseFps = median(parseMs.map((ms) => perSecond(frames, ms)));
  const perFrame = corpus.entries / frames;
  return {
    frames,
    entries: corpus.entries,
    bytesPerFrame: Math.round(corpus.bytes / frames),
    entriesPerSecond: Math.round(routeFps * perFrame),
    jsonParseEntriesPerSecond: Math.round(parseFps * perFrame),
    framesPerSecond: routeFps,
    jsonParseFramesPerSecond: parseFps,
    ratio: routeFps / parseFps,
    stringEntriesPerSecond: Math.round(median(stringMs.map((ms) => perSecond(frames, ms))) * perFrame),
    decodeOnlyEntriesPerSecond: median(decodeMs.map((ms) => perSecond(corpus.entries, ms))),
    utf8FramesPerSecond: median(utf8Ms.map((ms) => perSecond(frames, ms))),
    events: eventsMeasured,
    decodeErrors: errorsMeasured,
    rounds,
  };
}
