import type { AnyStrategyDefinition } from '../src/core/strategy.js';
import indicativeDeviation from './indicative-deviation.js';
import programMomentum from './program-momentum.js';
import template from './template.js';
import watchlistBreakout from './watchlist-breakout.js';

/**
 * The manifest: every strategy the daemon can run, as static imports (no dynamic loading, so the
 * build and the architecture test see them). Config enables them by id.
 */
export const strategies: readonly AnyStrategyDefinition[] = [programMomentum, watchlistBreakout, indicativeDeviation, template];
