import type { KisWatchlist } from '../adapters/kis/watchlist.js';
import type { KiwoomApi } from '../adapters/kiwoom/api.js';
import type { ProgramMarketCode, RankingEvent, WatchlistEvent } from '../core/market.js';

/**
 * ka90003 program net-buy top `topN` (config universe.programTopN; the real answer holds 150 rows) as
 * a RankingEvent. KRX (`stex_tp` 1): the mock host supports KRX codes only, and KRX is the session the
 * calendar follows.
 */
export function rankingFetcher(api: KiwoomApi, topN = 50): (market: ProgramMarketCode) => Promise<RankingEvent> {
  return async (market) => {
    const { data, receivedAt } = await api.ka90003({ trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: market, stex_tp: '1' });
    // The transport's arrival stamp (also the recording's), so a replay stamps this event identically.
    const now = receivedAt;
    return {
      kind: 'ranking',
      market,
      entries: data.prm_netprps_upper_50.slice(0, topN).map((r, i) => ({
        rank: r.rank !== null && r.rank > 0 ? r.rank : i + 1,
        symbol: r.stk_cd,
        name: r.stk_nm,
        price: r.cur_prc ?? 0,
        changeRate: r.flu_rt ?? 0,
        cumVolume: r.acc_trde_qty ?? 0,
        programSellAmount: r.prm_sell_amt ?? 0,
        programBuyAmount: r.prm_buy_amt ?? 0,
        programNetBuyAmount: r.prm_netprps_amt ?? 0,
      })),
      tsEvent: now,
      tsRecv: now,
    };
  };
}

/** KIS watchlist groups (all, or the configured codes) as a WatchlistEvent. */
export function watchlistFetcher(kis: Pick<KisWatchlist, 'fetchWatchlist'>, groups: readonly string[]): () => Promise<WatchlistEvent> {
  return async () => {
    const found = await kis.fetchWatchlist(groups.length > 0 ? groups : undefined);
    return { kind: 'watchlist', groups: found.groups, tsEvent: found.receivedAt, tsRecv: found.receivedAt };
  };
}
