import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import type { SimCounters } from './counters.js';
import type { SimMarketState } from './market.js';
import type { ResolvedSimOptions, SimLog } from './options.js';
import type { RateWindow } from './rate-window.js';
import type { TokenStore } from './tokens.js';
import type { Watchlists } from './watchlists.js';

/** Shared state of one simulator instance, handed to each protocol handler. */
export interface SimContext {
  readonly opts: ResolvedSimOptions;
  readonly clock: Clock;
  readonly random: Random;
  readonly counters: SimCounters;
  readonly market: SimMarketState;
  readonly kiwoomTokens: TokenStore;
  readonly kisTokens: TokenStore;
  readonly kiwoomRate: RateWindow;
  readonly kisRate: RateWindow;
  readonly watchlists: Watchlists;
  /** KIS: last token request per appkey (EGW00133). */
  readonly kisLastTokenRequest: Map<string, number>;
  /** Which 1700 form answers next. */
  rateFormTurn: number;
  readonly log: SimLog;
}
