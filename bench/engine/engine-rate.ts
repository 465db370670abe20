import { jsonParseRate } from '../decode/json-parse-rate.js';
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

/** `benchEnginePipeline` as it is, beside plain JSON.parse of the same number of REAL frames. */
export async function benchEngineRate(frameTexts: readonly string[], events = 300_000): Promise<EngineRateResult> {
  const engine = await benchEnginePipeline({ events });
  const jsonParseFramesPerSecond = jsonParseRate(frameTexts, engine.events, 3);
  return {
    events: engine.events,
    eventsPerSecond: engine.eventsPerSecond,
    jsonParseFramesPerSecond,
    ratio: engine.eventsPerSecond / jsonParseFramesPerSecond,
    signals: engine.signals,
    faults: engine.stats.reduce((n, s) => n + s.faults, 0),
  };
}
