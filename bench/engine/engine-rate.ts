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
