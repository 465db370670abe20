import { jsonParseRate } from '../decode/json-parse-rate.js';
import { median } from '../stats.js';
import { benchEnginePipeline } from './pipeline.js';

export interface EngineRateResult {
  readonly events: number;
  readonly eventsPerSecond: number;
  /** JSON.parse of as many one-entry REAL frames as there were events, in frames/s. */
  readonly jsonParseFramesPerSecond: number;
  readonly ratio: number;
  readonly signals: number;
  readonly faults: number;
}

/**
 * `benchEnginePipeline` as it is (median of `runs` runs), beside plain JSON.parse of the same number
 * of REAL frames.
 */
export async function benchEngineRate(frameTexts: readonly string[], events = 300_000, runs = 3): Promise<EngineRateResult> {
  const all = [];
  for (let r = 0; r < Math.max(1, runs); r++) all.push(await benchEnginePipeline({ events }));
  const engine = all[all.length - 1]!;
  const jsonParseFramesPerSecond = jsonParseRate(frameTexts, engine.events, 3);
  const eventsPerSecond = median(all.map((x) => x.eventsPerSecond));
  return {
    events: engine.events,
    eventsPerSecond,
    jsonParseFramesPerSecond,
    ratio: eventsPerSecond / jsonParseFramesPerSecond,
    signals: engine.signals,
    faults: engine.stats.reduce((n, s) => n + s.faults, 0),
  };
}

export interface EngineBarsResult {
  readonly symbols: number;
  readonly events: number;
  /** The engine row's strategies alone, on the same events. */
  readonly withoutEventsPerSecond: number;
  /** Plus `bench-bars`: 1m and 1s bars, SMA 20 + RSI 14 + MACD per symbol on each 1s bar. */
  readonly withEventsPerSecond: number;
  readonly ratio: number;
  /** 1s bars the bench strategy got in the last run. */
  readonly bars: number;
  readonly faults: number;
}

/** The engine pipeline on `symbols` symbols with and without the bars strategy, alternating runs; medians. */
export async function benchEngineBarsRate(events = 300_000, symbols = 200, runs = 3): Promise<EngineBarsResult> {
  const without: number[] = [];
  const withBars: number[] = [];
  let last: Awaited<ReturnType<typeof benchEnginePipeline>> | undefined;
  for (let r = 0; r < Math.max(1, runs); r++) {
    without.push((await benchEnginePipeline({ events, symbols })).eventsPerSecond);
    last = await benchEnginePipeline({ events, symbols, bars: true });
    withBars.push(last.eventsPerSecond);
  }
  const bench = last!.stats.find((s) => s.id === 'bench-bars');
  const withEventsPerSecond = median(withBars);
  const withoutEventsPerSecond = median(without);
  return {
    symbols,
    events: last!.events,
    withoutEventsPerSecond,
    withEventsPerSecond,
    ratio: withEventsPerSecond / withoutEventsPerSecond,
    bars: last!.barsDelivered,
    faults: last!.stats.reduce((n, s) => n + s.faults, 0) + (bench ? 0 : 1),
  };
}
