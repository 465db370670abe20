import type { BasicInfoEvent, BookLevel, Exchange, MarketEvent, ProgramMarketCode, ViEvent } from './market.js';

/**
 * What the daemon knows about one symbol right now. Snapshots are immutable (frozen): an update
 * makes a new object, so a strategy can keep a reference without it changing under its feet.
 *
 * VWAP is accumulated here from the 0B trades we saw (sum of price * volume / sum of volume), not
 * taken from FID 14 / FID 13: the unit and rounding of 누적거래대금 are unconfirmed (protocol [U],
 * commonly millions of won), which would make the ratio wrong or coarse. The cost: a daemon started
 * mid-session has a VWAP of the trades since it started (`vwapVolume` says how much it covers).
 */
export interface SymbolSnapshot {
  readonly symbol: string;
  /**
   * The instrument's venue: snapshots are kept per symbol and venue (an `_NX` and a bare feed of one
   * stock never mix their prices). The ranking/watchlist fields are the symbol's, the same on each.
   */
  readonly venue: Exchange;
  /** Last trade price (0B only; 0A indicative prices are in `indicativePrice`); null before a trade. */
  readonly lastPrice: number | null;
  /** Day open/high/low from the venue's fields (FIDs 16/17/18), tracked from prices when absent. */
  readonly open: number | null;
  readonly high: number | null;
  readonly low: number | null;
  /** Cumulative day volume as reported by the venue (FID 13). */
  readonly cumVolume: number;
  /** VWAP of the trades seen today; null before a trade. */
  readonly vwap: number | null;
  /** Volume the VWAP covers (sum of the traded quantities seen today). */
  readonly vwapVolume: number;
  /** Venue time (`tsEvent`) of the last trade; null before a trade. */
  readonly lastTradeTs: number | null;
  /** Last 0A 주식기세 price; null before one. */
  readonly indicativePrice: number | null;
  /** Rank in the program net-buy top list of its market (1 = first); null when not listed now. */
  readonly programRank: number | null;
  readonly programMarket: ProgramMarketCode | null;
  /** Last known program net-buy amount (kept after the symbol leaves the list); null if never listed. */
  readonly programNetBuyAmount: number | null;
  /** In at least one followed KIS watchlist group. */
  readonly inWatchlist: boolean;
  /** Today's price limits (0g); null before one arrived. */
  readonly limits: LimitsPart | null;
  /** The day's program trading (0w); null before one arrived. */
  readonly program: ProgramPart | null;
  /** The order book (0D); null before one arrived. */
  readonly book: BookPart | null;
  /** The last VI trigger or release (1h); null if none today. */
  readonly vi: ViPart | null;
  /** ka10001 주식기본정보, fetched when the symbol entered the universe; null before it arrived. */
  readonly info: InfoPart | null;
}

/** Each part says when it was last updated: the `tsEvent` of the event that set it (replays agree). */
export interface Updated {
  readonly updatedAt: number;
}

export interface LimitsPart extends Updated {
  readonly upper: number;
  readonly lower: number;
  /** 0 if the wire did not carry it. */
  readonly reference: number;
}

/** ka10001 figures (BasicInfoEvent without its stamps and kind): prices in won, `marketCap` in 억원. */
export type InfoPart = Updated & Omit<BasicInfoEvent, 'kind' | 'symbol' | 'tsEvent' | 'tsRecv'>;

/** 0w figures; amounts in 백만원 as on the wire. */
export interface ProgramPart extends Updated {
  readonly buyQuantity: number;
  readonly sellQuantity: number;
  readonly netQuantity: number;
  readonly buyAmount: number;
  readonly sellAmount: number;
  readonly netAmount: number;
  /** Change of the net amount since the previous 0w entry. */
  readonly netAmountChange: number;
}

export interface BookPart extends Updated {
  /** Best first, ten levels. */
  readonly asks: readonly BookLevel[];
  readonly bids: readonly BookLevel[];
  readonly totalAsk: number;
  readonly totalBid: number;
  readonly expectedPrice: number;
}

export interface ViPart extends Updated {
  /** True between a trigger and its release. */
  readonly active: boolean;
  readonly viType: ViEvent['viType'];
  readonly direction: ViEvent['direction'];
  readonly triggerPrice: number;
  readonly staticReference: number;
  readonly count: number;
  /** Seconds since KST midnight of the release; null while active. */
  readonly releaseTime: number | null;
}

/** Read-only market state offered to strategies. */
export interface MarketView {
  /**
   * The symbol's snapshot on `venue`, or without one on its primary venue (the first venue a market
   * event came from; before any, the one a ranking or watchlist made: KRX); undefined if nothing
   * was seen for it.
   */
  snapshot(symbol: string, venue?: Exchange): SymbolSnapshot | undefined;
  /** The symbol's primary venue (see `snapshot`); undefined if nothing was seen for it. */
  venueOf(symbol: string): Exchange | undefined;
  /** Every symbol in the universe, sorted. The array is frozen. */
  universe(): readonly string[];
  /** Symbols currently in a program net-buy top list, sorted. Frozen. */
  programTop(): readonly string[];
  /** Symbols currently in a followed watchlist, sorted. Frozen. */
  watchlist(): readonly string[];
}

/**
 * The market state the strategy host owns: the host applies each event (after firing timers due
 * before it, before strategies see it), so timers and handlers see the same state live and in replay.
 */
export interface MarketBook extends MarketView {
  apply(event: MarketEvent): void;
}
