/** The simulator's public surface (the CLI's `sim` command and the integration tests use it). */
export { startSimulator, type SimulatorHandle } from './simulator.js';
export {
  SIM_KIWOOM_APPKEY,
  SIM_KIWOOM_SECRETKEY,
  SIM_KIS_APPKEY,
  SIM_KIS_APPSECRET,
  SIM_KIS_HTS_ID,
  type SimulatorOptions,
  type SimLog,
  type SimLogLevel,
  type KiwoomRateLimitForm,
  type SimKiwoomCredentials,
  type SimKisCredentials,
} from './options.js';
export type { SimFaults, ConnectionRegistrations, FeedStats } from './faults.js';
export type { SimCounters } from './counters.js';
export type { ProgramMarket, ProgramRankRow } from './market.js';
export type { WatchGroup } from './watchlists.js';
export { TOKEN_REJECT_FORMS, type TokenRejectForm } from './token-reject.js';
export { MALFORMED_KINDS, type MalformedKind } from './malformed.js';
export { WS_PATH } from './kiwoom-ws.js';
export { tickSize, upperLimit, lowerLimit } from './format.js';
