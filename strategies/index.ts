import type { AnyStrategyDefinition } from '../src/core/strategy.js';
import indicativeDeviation from './indicative-deviation.js';
import limitApproach from './limit-approach.js';
import programMomentum from './program-momentum.js';
import programSurge from './program-surge.js';
import template from './template.js';
import viRelease from './vi-release.js';
import watchlistBreakout from './watchlist-breakout.js';

/**
 * The manifest: every strategy the daemon can run, as static imports (no dynamic loading, so the
 * build and the architecture test see them). Config enables them by id.
 */
export const strategies: readonly AnyStrategyDefinition[] = [programMomentum, watchlistBreakout, indicativeDeviation, template, viRelease, programSurge, limitApproach];
