// src/core/stock-master.ts
/** One row of the ka10099 stock master (protocol.md, seed 003), as the daemon uses it. */
export interface StockMasterEntry {
  readonly symbol: string;
  readonly name: string;
  readonly market: string;
  /** ka10099 `nxtEnable` = 'Y': the stock trades on NXT too. */
  readonly nxtEnable: boolean;
  /** ka10099 `orderWarning` code as sent ('0' none, '2' 정리매매, '3' 단기과열, '4' 투자위험, '5' 투자경고). */
  readonly orderWarning: string;
}

/** The latest stock master; undefined before the first load or for a symbol it does not list. */
export interface StockMaster {
  get(symbol: string): StockMasterEntry | undefined;
}
