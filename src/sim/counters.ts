/** What the simulator has seen and done; read by tests through `faults.counters()` or `/_sim/counters`. */
export interface SimCounters {
  requestsByApiId: Record<string, number>;
  /**
   * The most Kiwoom REST requests (TRs and token calls, admitted or not) that arrived within any
   * 1,000 ms on the sim clock, per app key: what a budget test compares with 5.
   */
  kiwoomPeakPerSecond: Record<string, number>;
  requestsByTrId: Record<string, number>;
  /** Kiwoom TR requests admitted (within the rate), by the appkey of their token: how calls spread over keys. */
  kiwoomRequestsByAppkey: Record<string, number>;
  tokenIssuances: { kiwoom: number; kis: number };
  /** KIS token requests answered with the token already issued (6 h reuse). */
  kisTokenReuses: number;
  tokenRevocations: { kiwoom: number; kis: number };
  logins: number;
  loginFailures: number;
  rateLimitHits: { kiwoom: number; kis: number; kisToken: number };
  /** Kiwoom REST answers and LOGIN replies refusing a token, in whichever form (see TokenRejectForm). */
  token8005: number;
  /** Kiwoom tokens invalidated because a newer one was issued for the same app key. */
  tokensSuperseded: number;
  kisTokenErrors: number;
  pingsSent: number;
  pingsEchoed: number;
  pingTimeouts: number;
  realEntriesSent: number;
  realFramesSent: number;
  realEntriesDropped: number;
  regs: number;
  removes: number;
  /** REG/REMOVE answered with a non-zero return_code, by code (105110 rate, 105115/105118 items). */
  regRejections: Record<string, number>;
  duplicateLoginKicks: number;
  connectionsOpened: number;
  connectionsClosed: number;
  injectedFailures: number;
  malformedSent: number;
}

export function createCounters(): SimCounters {
  return {
    requestsByApiId: {},
    kiwoomPeakPerSecond: {},
    requestsByTrId: {},
    kiwoomRequestsByAppkey: {},
    tokenIssuances: { kiwoom: 0, kis: 0 },
    kisTokenReuses: 0,
    tokenRevocations: { kiwoom: 0, kis: 0 },
    logins: 0,
    loginFailures: 0,
    rateLimitHits: { kiwoom: 0, kis: 0, kisToken: 0 },
    token8005: 0,
    tokensSuperseded: 0,
    kisTokenErrors: 0,
    pingsSent: 0,
    pingsEchoed: 0,
    pingTimeouts: 0,
    realEntriesSent: 0,
    realFramesSent: 0,
    realEntriesDropped: 0,
    regs: 0,
    removes: 0,
    regRejections: {},
    duplicateLoginKicks: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    injectedFailures: 0,
    malformedSent: 0,
  };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
