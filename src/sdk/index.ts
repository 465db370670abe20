// krx-signals/sdk: what a strategy file may import (besides zod). Everything here is pure: the
// strategy API, the event and signal types, bars and the streaming indicators.

export {
  STRATEGY_API_VERSION,
  defineStrategy,
  type AnyStrategyDefinition,
  type StrategyContext,
  type StrategyDefinition,
  type StrategyHandlers,
  type StrategyNeeds,
  type PollNeed,
  type ScheduledPollSource,
  SCHEDULED_POLL_SOURCES,
  type TimerFire,
  type TimerOptions,
} from '../core/strategy.js';
export type {
  BasicInfoEvent,
  EventNeed,
  InvestorFigures,
  InvestorFlowEvent,
  InvestorTotalsEvent,
  StockMasterEvent,
  Exchange,
  InstrumentVenue,
  IndicativeEvent,
  Market,
  MarketEvent,
  PollEvent,
  ProgramMarketCode,
  ProgramTradingEntry,
  ProgramTradingEvent,
  RankingEntry,
  RankingEvent,
  RawRealEvent,
  RealtimeEvent,
  TradeEvent,
  WatchlistEvent,
  WatchlistGroup,
} from '../core/market.js';
export type { Signal, SignalDraft, SignalKind } from '../core/signal.js';
export type { InfoPart, SymbolSnapshot } from '../core/snapshot.js';
export type { VenueChoice } from '../core/venue-choice.js';
export type { StockMaster, StockMasterEntry } from '../core/stock-master.js';
export { intervalMs, type Bar, type BarInterval } from '../core/bars.js';
export { tickSize } from '../core/krx-ticks.js';
export { indicators, type Bands, type BarSource, type Indicator, type MacdValue } from '../core/indicators.js';
