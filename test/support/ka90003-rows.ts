/** One ka90003 (program net-buy top 50) row as the wire sends it: every field a string. */
export function ka90003Row(rank: number, code: string, netBuy = 1): Record<string, string> {
  return {
    rank: String(rank),
    stk_cd: code,
    stk_nm: `n${code}`,
    cur_prc: '1000',
    flu_sig: '2',
    pred_pre: '+1',
    flu_rt: '+0.1',
    acc_trde_qty: '1',
    prm_sell_amt: '1',
    prm_buy_amt: '1',
    prm_netprps_amt: String(netBuy),
  };
}
