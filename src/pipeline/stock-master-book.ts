import type { MarketEvent } from '../core/market.js';
import type { StockMaster, StockMasterEntry } from '../core/stock-master.js';

/** The StockMaster the kernel keeps: the latest ka10099 master, replaced whole by each load. */
export interface StockMasterBook extends StockMaster {
  /** Folds a `stock-master` event in (other events are ignored). */
  apply(event: MarketEvent): void;
  /** Stocks listed by the latest load (0 before the first). */
  size(): number;
  /** Engine time of the latest load; null before the first. */
  loadedAt(): number | null;
}

export function createStockMasterBook(): StockMasterBook {
  let bySymbol: ReadonlyMap<string, StockMasterEntry> = new Map();
  let at: number | null = null;
  return {
    apply(event) {
      if (event.kind !== 'stock-master') return;
      bySymbol = new Map(event.entries.map((e) => [e.symbol, e]));
      at = event.tsRecv;
    },
    get: (symbol) => bySymbol.get(symbol),
    size: () => bySymbol.size,
    loadedAt: () => at,
  };
}

/** "삼성전자 (005930)" when the master knows the symbol, else the code alone: for log lines. */
export function labelOf(master: StockMaster, symbol: string): string {
  const name = master.get(symbol)?.name;
  return name ? `${name} (${symbol})` : symbol;
}
