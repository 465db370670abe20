import { timeJsonParse } from '../decode/json-parse-rate.js';
import type { FrameCorpus } from '../frames.js';
import { median, perSecond } from '../stats.js';
import { benchEndToEnd, type EndToEndResult } from './in-process.js';

export interface EndToEndRoundsResult {
  readonly frames: number;
  readonly rounds: number;
  /** Median events/s of the live path without recording. */
  readonly eventsPerSecond: number;
  /** Median events/s with every raw frame appended to a recording. */
  readonly recordingEventsPerSecond: number;
  /** 1 - recording / plain: the share of live throughput the recording costs. */
  readonly recordingOverhead: number;
  /** The same per round, from the round's adjacent pair of runs (load drift cancels better). */
  readonly roundOverheads: readonly number[];
  /** Median JSON.parse rate of the same frames (entries/s), measured in each round. */
  readonly jsonParseEventsPerSecond: number;
  readonly ratio: number;
  /** From the last plain round. */
  readonly signalsEmitted: number;
  readonly signalsCommitted: number;
  readonly decodeErrors: number;
  readonly strategyFaults: number;
  readonly framesRecorded: number;
}

/**
 * `rounds` rounds of: JSON.parse of the corpus, the end-to-end path without and with recording
 * (order alternating per round so load drift hits both alike), after one warm-up of each.
 */
export async function benchEndToEndRounds(corpus: FrameCorpus, rounds = 3): Promise<EndToEndRoundsResult> {
  await benchEndToEnd(corpus);
  await benchEndToEnd(corpus, { record: true });
  const perFrame = corpus.entries / corpus.texts.length;
  const plain: EndToEndResult[] = [];
  const recorded: EndToEndResult[] = [];
  const parse: number[] = [];
  for (let r = 0; r < rounds; r++) {
    parse.push(perSecond(corpus.texts.length, timeJsonParse(corpus.texts)) * perFrame);
    if (r % 2 === 0) {
      plain.push(await benchEndToEnd(corpus));
      recorded.push(await benchEndToEnd(corpus, { record: true }));
    } else {
      recorded.push(await benchEndToEnd(corpus, { record: true }));
      plain.push(await benchEndToEnd(corpus));
    }
  }
  const eventsPerSecond = median(plain.map((x) => x.eventsPerSecond));
  const recordingEventsPerSecond = median(recorded.map((x) => x.eventsPerSecond));
  const jsonParseEventsPerSecond = Math.round(median(parse));
  const last = plain[plain.length - 1]!;
  return {
    frames: corpus.texts.length,
    rounds,
    eventsPerSecond,
    recordingEventsPerSecond,
    recordingOverhead: 1 - recordingEventsPerSecond / eventsPerSecond,
    roundOverheads: plain.map((p, i) => 1 - (recorded[i]?.eventsPerSecond ?? 0) / p.eventsPerSecond),
    jsonParseEventsPerSecond,
    ratio: eventsPerSecond / jsonParseEventsPerSecond,
    signalsEmitted: last.signalsEmitted,
    signalsCommitted: last.signalsCommitted,
    decodeErrors: Math.max(...plain.map((x) => x.decodeErrors), ...recorded.map((x) => x.decodeErrors)),
    strategyFaults: Math.max(...plain.map((x) => x.strategyFaults), ...recorded.map((x) => x.strategyFaults)),
    framesRecorded: recorded[recorded.length - 1]!.framesRecorded,
  };
}
