// Kiwoom's program-trading TRs as domain events: the adapter functions of the `ranking` and
// `program-trading` sources.
import { formatKstDate } from '../../core/kst.js';
import type { Exchange, ProgramMarketCode, ProgramTradingEvent, RankingEvent } from '../../core/market.js';
import type { KiwoomApi } from './api.js';
import { stexTpOf } from './venue-codes.js';

/**
 * ka90003 program net-buy top `topN` (config universe.programTopN; the real answer holds 150 rows) as
 * a RankingEvent, on `venue` (config universe.pollVenue as `stex_tp`; KRX by default: the mock host
 * supports KRX codes only, and KRX lists every stock).
 */
export async function programTop(api: Pick<KiwoomApi, 'ka90003'>, market: ProgramMarketCode, topN = 50, venue: Exchange = 'KRX'): Promise<RankingEvent> {
  const { data, receivedAt } = await api.ka90003({ trde_upper_tp: '2', amt_qty_tp: '1', mrkt_tp: market, stex_tp: stexTpOf(venue) });
  // The transport's arrival stamp (also the recording's), so a replay stamps this event identically.
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
    tsEvent: receivedAt,
    tsRecv: receivedAt,
  };
}

/** ka90004 program trading by stock for one market, on the KST day of `nowMs`, on `venue` (`stex_tp`). */
export async function programTrading(api: Pick<KiwoomApi, 'ka90004'>, market: ProgramMarketCode, nowMs: number, venue: Exchange = 'KRX'): Promise<ProgramTradingEvent> {
  const { data, receivedAt } = await api.ka90004({ dt: formatKstDate(nowMs), mrkt_tp: market, stex_tp: stexTpOf(venue) });
  return {
    kind: 'program-trading',
    market,
    entries: data.stk_prm_trde_prst.map((r) => ({
      symbol: r.stk_cd,
      name: r.stk_nm,
      price: r.cur_prc ?? 0,
      programBuyAmount: r.buy_cntr_amt ?? 0,
      programSellAmount: r.sel_cntr_amt ?? 0,
      programNetBuyAmount: r.netprps_prica ?? 0,
    })),
    tsEvent: receivedAt,
    tsRecv: receivedAt,
  };
}
