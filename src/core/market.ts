/**
 * Domain events. Wire formats (Kiwoom FID maps, KIS outputs) are mapped to these named fields at the
 * edge, once, so everything downstream reads plain numbers.
 *
 * Every event is stamped twice: `tsEvent` is the venue's time where the wire has one (else equal to
 * `tsRecv`), `tsRecv` our Clock at arrival. Both are epoch milliseconds.
 */
import type { StockMasterEntry } from './stock-master.js';

/**
 * An instrument's venue: KRX (bare code), NXT (`_NX`), SOR/통합 (`_AL`, both venues' prints). The
 * suffixes are parsed at the edge (REST and WebSocket decoders) and never part of a symbol.
 */
export type Exchange = 'KRX' | 'NXT' | 'SOR';
/** The same type under the name the events, snapshots and signals use for it. */
export type InstrumentVenue = Exchange;
export type Market = 'KOSPI' | 'KOSDAQ';
/** ka90003's market codes. */
export type ProgramMarketCode = 'P00101' | 'P10102';

export interface Stamped {
  readonly tsEvent: number;
  readonly tsRecv: number;
}

/** Fields shared by 0B and 0A: prices are magnitudes; changes keep their sign. */
export interface PriceFields {
  /** Six-digit code, venue suffix removed. */
  readonly symbol: string;
  /**
   * The instrument's venue: the feed the event came from (the item's suffix). An `_AL` (SOR) item
   * streams both venues' prints; a trade's own venue is `tradeVenue`.
   */
  readonly venue: Exchange;
  readonly price: number;
  /** Change versus the previous close (signed). */
  readonly change: number;
  /** Change rate in percent (signed, two decimals on the wire). */
  readonly changeRate: number;
  /** Kiwoom sign code 1-5 (1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down); 0 if absent. */
  readonly sign: number;
  readonly cumVolume: number;
  readonly cumValue: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly ask: number;
  readonly bid: number;
}

/** 0B 주식체결: a trade. */
export interface TradeEvent extends Stamped, PriceFields {
  readonly kind: 'trade';
  /** Traded quantity (magnitude of FID 15). */
  readonly volume: number;
  /** Sign of FID 15 where present: + buyer-initiated, - seller-initiated. */
  readonly side: 'buy' | 'sell' | 'unknown';
  /** FID 228 체결강도, or null when absent. */
  readonly strength: number | null;
  /**
   * FID 9081 거래소구분: the venue that printed this trade (`"KRX"` / `"NXT"` text on the wire); null
   * when absent or another value (the NXT and 통합 strings are [U], protocol.md 11.3). On an `_AL`
   * item it tells the two venues' prints apart.
   */
  readonly tradeVenue: 'KRX' | 'NXT' | null;
  /**
   * FID 290 장구분 as sent (spaces trimmed): `"2"` is the continuous session [C]; other codes are [U],
   * so kept raw. '' when absent, or when not 1-8 printable ASCII characters.
   */
  readonly sessionCode: string;
  /**
   * True on a print of an auction (the KRX 09:00 opening and 15:30 closing single price), decided
   * from the session schedule at `tsEvent`; absent on a continuous-session trade and wherever no
   * schedule applies (the simulator's always-open calendar). A volume strategy skips these.
   */
  readonly auction?: true;
}

/** 0A 주식기세: a price change without a trade (block deals, closing-price corrections). */
export interface IndicativeEvent extends Stamped, PriceFields {
  readonly kind: 'indicative';
}

/** 0w 종목프로그램매매: one stock's program trading so far today. Amounts in 백만원, as on the wire. */
export interface ProgramFlowEvent extends Stamped {
  readonly kind: 'program-flow';
  readonly symbol: string;
  readonly venue: Exchange;
  readonly price: number;
  readonly change: number;
  readonly changeRate: number;
  readonly cumVolume: number;
  readonly sellQuantity: number;
  readonly sellAmount: number;
  readonly buyQuantity: number;
  readonly buyAmount: number;
  /** Buy minus sell (signed). */
  readonly netQuantity: number;
  readonly netAmount: number;
  /** Change of the net figures since the stock's previous 0w entry (signed). */
  readonly netQuantityChange: number;
  readonly netAmountChange: number;
}

/** 1h VI발동/해제: a volatility interruption triggered, or released (releaseTime set). */
export interface ViEvent extends Stamped {
  readonly kind: 'vi';
  readonly symbol: string;
  readonly venue: Exchange;
  readonly phase: 'trigger' | 'release';
  /** FID 1225 (else 1279): 정적 static, 동적 dynamic, both, or unknown. */
  readonly viType: 'static' | 'dynamic' | 'both' | 'unknown';
  /** FID 9069 (1 up, 2 down), else the sign of FID 1279 (`+정적`). */
  readonly direction: 'up' | 'down' | 'unknown';
  readonly triggerPrice: number;
  /** Static / dynamic reference price; 0 when not in use. */
  readonly staticReference: number;
  readonly dynamicReference: number;
  /** Gap of the trigger price to each reference, percent (signed). */
  readonly staticDeviation: number;
  readonly dynamicDeviation: number;
  /** Trigger price against the previous close, percent (FID 1489). */
  readonly changeRate: number;
  /** VIs for the stock today (FID 1490); 0 if absent. */
  readonly count: number;
  /** Seconds since KST midnight of the triggering trade (FID 1223); null if absent. */
  readonly triggerTime: number | null;
  /** Seconds since KST midnight of the release (FID 1224); null while triggered ("000000"). */
  readonly releaseTime: number | null;
}

/** 0g 주식종목정보: today's price limits and reference price, and auction extensions. */
export interface StockInfoEvent extends Stamped {
  readonly kind: 'stock-info';
  readonly symbol: string;
  readonly venue: Exchange;
  readonly upperLimit: number;
  readonly lowerLimit: number;
  /** 0 if absent. */
  readonly referencePrice: number;
  /** FIDs 297/592/593 as sent (forms unconfirmed: protocol.md 12.5); '' if absent. */
  readonly extension: string;
  readonly openingExtension: string;
  readonly closingExtension: string;
}

export interface BookLevel {
  readonly price: number;
  readonly quantity: number;
}

/** One venue's share of the depth (0D FIDs 6044-6087); quantities only. */
export interface VenueDepth {
  readonly askQuantities: readonly number[];
  readonly bidQuantities: readonly number[];
  readonly totalAsk: number;
  readonly totalBid: number;
}

/** 0D 주식호가잔량: the ten-level order book. */
export interface BookEvent extends Stamped {
  readonly kind: 'book';
  readonly symbol: string;
  readonly venue: Exchange;
  /** Best first; levels the wire leaves out read as price 0, quantity 0. */
  readonly asks: readonly BookLevel[];
  readonly bids: readonly BookLevel[];
  readonly totalAsk: number;
  readonly totalBid: number;
  readonly totalAskChange: number;
  readonly totalBidChange: number;
  /** Expected auction match (FIDs 23/24); 0 outside auctions or if absent. */
  readonly expectedPrice: number;
  readonly expectedQuantity: number;
  /** KRX/NXT split depth; null where the wire carries none (absent or all zero). */
  readonly krx: VenueDepth | null;
  readonly nxt: VenueDepth | null;
}

/** A real-time entry of a type we do not decode: passed through untouched. */
export interface RawRealEvent extends Stamped {
  readonly kind: 'raw';
  readonly type: string;
  readonly symbol: string;
  /** The item's venue (its suffix), as on the decoded events; absent on an item-less entry (0s). */
  readonly venue?: Exchange;
  readonly values: Readonly<Record<string, string>>;
}

export interface RankingEntry {
  readonly rank: number;
  readonly symbol: string;
  readonly name: string;
  readonly price: number;
  readonly changeRate: number;
  readonly cumVolume: number;
  readonly programSellAmount: number;
  readonly programBuyAmount: number;
  readonly programNetBuyAmount: number;
}

/** A ka90003 program net-buy top-50 poll result. */
export interface RankingEvent extends Stamped {
  readonly kind: 'ranking';
  readonly market: ProgramMarketCode;
  readonly entries: readonly RankingEntry[];
}

export interface WatchlistGroup {
  readonly code: string;
  readonly name: string;
  readonly symbols: readonly string[];
}

/** A KIS watchlist poll result: every followed group with its stocks. */
export interface WatchlistEvent extends Stamped {
  readonly kind: 'watchlist';
  readonly groups: readonly WatchlistGroup[];
}

/** One stock's program trading (ka90004 종목별프로그램매매현황) at poll time. Amounts in KRW. */
export interface ProgramTradingEntry {
  readonly symbol: string;
  readonly name: string;
  readonly price: number;
  readonly programBuyAmount: number;
  readonly programSellAmount: number;
  readonly programNetBuyAmount: number;
}

/** A ka90004 poll result: program trading by stock for one market. */
export interface ProgramTradingEvent extends Stamped {
  readonly kind: 'program-trading';
  readonly market: ProgramMarketCode;
  readonly entries: readonly ProgramTradingEntry[];
}

/**
 * The ka10099 stock master (protocol.md 2, seed 003): every stock of the markets it was asked for.
 * Polled at start and once a KST day; the universe drops symbols whose `orderWarning` the config
 * excludes, and logs and messages show the names.
 */
export interface StockMasterEvent extends Stamped {
  readonly kind: 'stock-master';
  readonly entries: readonly StockMasterEntry[];
}

/**
 * ka10001 주식기본정보 of one symbol, fetched once (per KST day) when it enters the universe. Prices in
 * won; `marketCap` in 억원 and the share counts as sent (천주 [I], protocol.md 2.1); null where the
 * wire left a field blank.
 */
export interface BasicInfoEvent extends Stamped {
  readonly kind: 'info';
  readonly symbol: string;
  readonly name: string;
  readonly previousClose: number | null;
  readonly referencePrice: number | null;
  readonly upperLimit: number | null;
  readonly lowerLimit: number | null;
  readonly high250: number | null;
  readonly low250: number | null;
  readonly marketCap: number | null;
  readonly listedShares: number | null;
  readonly floatShares: number | null;
}

/** Investor categories of ka10059/ka10061 (signed net amounts or quantities, as the request asked). */
export interface InvestorFigures {
  readonly individual: number | null;
  readonly foreign: number | null;
  readonly institution: number | null;
  readonly financialInvestment: number | null;
  readonly insurance: number | null;
  readonly investmentTrust: number | null;
  readonly otherFinance: number | null;
  readonly bank: number | null;
  readonly pensionFund: number | null;
  readonly privateFund: number | null;
  readonly government: number | null;
  readonly otherCorporation: number | null;
}

/** ka10059 종목별투자자기관별: one symbol's investor net buying today (amounts in 백만원 [I]). */
export interface InvestorFlowEvent extends Stamped, InvestorFigures {
  readonly kind: 'investor-flow';
  readonly symbol: string;
  /** KST day of the row (YYYYMMDD). */
  readonly date: string;
}

/** ka10061 종목별투자자기관별합계: one symbol's investor net buying summed over `from`..`to` (KST days). */
export interface InvestorTotalsEvent extends Stamped, InvestorFigures {
  readonly kind: 'investor-totals';
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
}

/**
 * A venue's trading phase changed (protocol.md 11): delivered by the strategy host at the schedule's
 * instant on the engine clock (`tsEvent` = `tsRecv` = the change), so live and replay agree. The
 * phase names are those of src/core/market-sessions.ts, 'closed' between and after phases.
 */
export interface PhaseEvent extends Stamped {
  readonly kind: 'phase';
  readonly venue: 'KRX' | 'NXT';
  readonly phase: string;
}

export type RealtimeEvent = TradeEvent | IndicativeEvent | ProgramFlowEvent | ViEvent | StockInfoEvent | BookEvent | RawRealEvent;
export type PollEvent = RankingEvent | WatchlistEvent | ProgramTradingEvent | StockMasterEvent | BasicInfoEvent | InvestorFlowEvent | InvestorTotalsEvent;
export type MarketEvent = RealtimeEvent | PollEvent | PhaseEvent;

/** Every kind of market event. */
export type EventKind = MarketEvent['kind'];

/**
 * What a strategy names in `needs.events` and what the host routes by: a decoded kind, or
 * `raw:<type>` for a real-time type the adapter passes through undecoded (e.g. `raw:0D`).
 */
export type EventNeed = Exclude<EventKind, 'raw'> | `raw:${string}`;

/** The need an event answers (the host's route key). */
export function eventNeedOf(event: MarketEvent): EventNeed {
  return event.kind === 'raw' ? `raw:${event.type}` : event.kind;
}
