/**
 * The error catalogue: every error the daemon raises has a stable code, and every code belongs to a
 * category that says what to do about it. Tests and log queries match on `code`, never on message text.
 */
export type ErrorCategory =
  | 'config' // fatal at boot: fix the configuration and restart
  | 'auth' // credentials or token: refresh the token (or stop, for bad credentials)
  | 'transient' // network, 5xx, rate limits: back off and retry
  | 'reject' // the broker refused a request for a business reason: report, never retry blindly
  | 'decode' // a frame or response we cannot read: count, log a sample, drop it
  | 'strategy' // a plug-in misbehaved: contain it, quarantine after repeated faults
  | 'storage' // the signal store cannot write: keep signals queued and retry
  | 'invariant'; // a bug in krx-signals itself: crash loudly

export const ERROR_CODES = {
  // config
  E_CONFIG_INVALID: { category: 'config', summary: 'configuration failed validation' },
  E_CONFIG_FILE: { category: 'config', summary: 'configuration file missing, unreadable or not JSON' },
  E_CONFIG_SECRET_IN_FILE: { category: 'config', summary: 'a secret was put in a config file; secrets come from the environment only' },
  E_CLI_USAGE: { category: 'config', summary: 'unknown command, flag or bad argument' },
  E_STORE_SCHEMA: { category: 'config', summary: 'the database schema is newer than this build, or not a krx-signals database' },
  E_STRATEGY_API_VERSION: { category: 'config', summary: 'a strategy plug-in was built for another major version of the strategy API' },
  E_STRATEGY_DEFINITION: { category: 'config', summary: 'a strategy plug-in is malformed (id, version, params schema, handlers)' },
  E_STRATEGY_FILE: { category: 'config', summary: 'a strategy file in the strategies folder failed to load or validate (reported with its path and line; the others still load)' },
  E_SIM_LISTEN: { category: 'config', summary: 'the simulator could not listen on its host/port (port in use, bad host)' },
  E_DATA_DIR_LOCKED: { category: 'config', summary: 'another krx-signals daemon holds the data directory (its lock file names a live pid)' },
  // auth
  E_AUTH_CREDENTIALS: { category: 'auth', summary: 'app key or secret rejected (Kiwoom 8001/8002, KIS EGW00103); retried on a long backoff, exit 77 after tokens.credentialsExitAfterMs' },
  E_AUTH_TOKEN: { category: 'auth', summary: 'access token rejected or expired (Kiwoom 8005/8031/8103, HTTP 401, KIS EGW00123/EGW00121); refresh once' },
  E_AUTH_DEVICE: { category: 'auth', summary: 'IP or device not registered for this key (Kiwoom 8010/8040/8050)' },
  E_AUTH_MODE: { category: 'auth', summary: 'real/mock key or token mismatch (Kiwoom 8030/8031, KIS EGW02004)' },
  E_TOKEN_HELD: { category: 'auth', summary: 'a running daemon owns the app key and no valid cached token is available; issuing one would kill its token' },
  E_TOKEN_STOPPED: { category: 'auth', summary: 'the token source was shut down or failed for good; no token will be issued' },
  // transient
  E_RATE_LIMITED: { category: 'transient', summary: 'broker rate limit hit (Kiwoom 1700 or HTTP 429, KIS EGW00201)' },
  E_TOKEN_THROTTLED: { category: 'transient', summary: 'KIS allows one token issuance a minute (EGW00133)' },
  E_NETWORK: { category: 'transient', summary: 'network failure talking to a broker' },
  E_HTTP_STATUS: { category: 'transient', summary: 'unexpected HTTP status from a broker' },
  E_TIMEOUT: { category: 'transient', summary: 'a broker did not answer in time' },
  E_WS_CLOSED: { category: 'transient', summary: 'the real-time socket closed' },
  E_WS_LOGIN_TIMEOUT: { category: 'transient', summary: 'no LOGIN acknowledgement in time' },
  E_WS_WATCHDOG: { category: 'transient', summary: 'no frame at all (PING included) within the watchdog time' },
  E_KEY_FAILED: { category: 'transient', summary: 'a Kiwoom app key of kiwoom.keys failed (credentials rejected, R10001, its socket gave up, or its lease lost): its symbols moved to the other keys within their budget' },
  E_KEY_LEASE: { category: 'transient', summary: 'a Kiwoom app key is not used: its lease (bus leases) is not held, because another node holds it or the bus is unreachable; retried with backoff' },
  E_KEY_UNAVAILABLE: { category: 'transient', summary: 'no Kiwoom app key is usable for a REST call (every key failed or unleased)' },
  E_WS_DUPLICATE_LOGIN: { category: 'transient', summary: 'another login with the same app key took over (SYSTEM R10001)' },
  E_LISTEN: { category: 'transient', summary: 'a port the daemon or the simulator listens on is taken or not allowed (EADDRINUSE, EACCES); exit 1, a restart may succeed' },
  E_POLL_LATE: { category: 'transient', summary: 'a poll did not finish within its period (the 5 requests/s REST budget cannot carry every poll declared); its tick is skipped and /healthz says degraded' },
  E_RECONNECT_BUDGET: { category: 'transient', summary: 'reconnect attempts per minute exhausted; waiting' },
  // reject
  E_BROKER_REJECT: { category: 'reject', summary: 'the broker rejected a request' },
  E_BATCH_LIMIT: { category: 'reject', summary: 'item-count limit (Kiwoom 1634); never retried' },
  E_WS_REG_REJECTED: { category: 'reject', summary: 'a REG/REMOVE was answered with a non-zero return_code (Kiwoom 105110 rate, 105115/105118 item limits); its pairs are retried with backoff' },
  E_WS_ITEM_BUDGET: { category: 'reject', summary: 'the universe is larger than connection.maxItems: the lowest-priority symbols are left out' },
  E_WS_SYMBOL_SILENT: { category: 'reject', summary: 'an acknowledged symbol sent no entry for connection.silentSymbolMs during the session' },
  E_AUTH_GAVE_UP: { category: 'auth', summary: 'credentials still rejected after tokens.credentialsExitAfterMs: the daemon exits (code 77)' },
  // decode
  E_WS_UNREGISTERED: { category: 'decode', summary: 'a real-time entry for a symbol that is not subscribed; dropped' },
  E_DECODE_JSON: { category: 'decode', summary: 'a frame or body is not valid JSON' },
  E_DECODE_SHAPE: { category: 'decode', summary: 'a frame or body does not have the documented shape' },
  E_DECODE_VALUE: { category: 'decode', summary: 'a field holds a value that cannot be read' },
  E_REPLAY_DIVERGED: { category: 'decode', summary: 'a replay asked the recording for an answer it does not hold next (the code or config changed the requests)' },
  E_BODY_TOO_LARGE: { category: 'decode', summary: 'a broker answer is longer than its configured cap; refused unread, never retried in a loop' },
  E_TOO_MANY_ROWS: { category: 'decode', summary: 'a broker answer holds more rows than its TR allows; refused whole, never retried in a loop' },
  E_REPORT_NO_TRADES: { category: 'decode', summary: 'a recording holds no trades of a signal\'s symbol and venue: that signal has no forward returns' },
  E_SCHEMA_DRIFT: { category: 'decode', summary: 'the broker sent fields we do not know (tolerated, logged once)' },
  // strategy
  E_STRATEGY_FAULT: { category: 'strategy', summary: 'a strategy threw' },
  E_STRATEGY_QUARANTINED: { category: 'strategy', summary: 'a strategy faulted too often and was stopped' },
  E_STRATEGY_RELOAD_REJECTED: { category: 'strategy', summary: 'a hot reload did not take a strategy or file (path and why logged); its running version, if any, keeps running' },
  E_STRATEGY_BAD_SIGNAL: { category: 'strategy', summary: 'a strategy emitted an invalid signal' },
  E_SIGNAL_SUBSCRIBER: { category: 'strategy', summary: 'a subscriber to committed signals threw; the others and the store went on' },
  // storage
  E_STORE_WRITE: { category: 'storage', summary: 'the signal store could not commit (disk full, read-only, locked)' },
  E_STORE_QUEUE_FULL: { category: 'storage', summary: 'the pending-signal queue is full; oldest dropped' },
  E_RECORDING_WRITE: { category: 'storage', summary: 'the session recording could not be written' },
  E_RECORDING_SHED: { category: 'storage', summary: "the recorder's buffer reached its byte bound (disk slow or full); the oldest frames are dropped" },
  E_RECORDING_CAP: { category: 'storage', summary: 'a recording reached recording.maxSessionBytes; later frames of the session are not recorded' },
  E_RECORDING_SECRET: { category: 'storage', summary: 'a frame offered to the recorder looked like it held a secret; dropped' },
  E_RECORDING_READ: { category: 'storage', summary: 'a recording file is missing, unreadable or not a recording' },
  // notifications (design.md §4): a sink's failure never reaches the store or another sink
  E_NOTIFY_CONFIG: { category: 'config', summary: 'a notification sink is misconfigured (its secret is missing from the environment, a bad URL)' },
  E_NOTIFY_HTTP: { category: 'transient', summary: 'a notification sink answered 5xx, timed out or was unreachable; retried with backoff' },
  E_NOTIFY_RATE_LIMITED: { category: 'transient', summary: 'a notification sink answered 429; retried after its retry_after / Retry-After' },
  E_NOTIFY_REJECTED: { category: 'reject', summary: 'a notification sink refused a message (4xx other than 429); not retried, the row is dead' },
  E_NOTIFY_EXPIRED: { category: 'transient', summary: 'a notification could not be delivered within the give-up age; the row is dead' },
  E_NOTIFY_INTERNAL: { category: 'transient', summary: 'a notification dispatcher failed outside a delivery (database read, formatting); retried later' },
  // bus (design.md §5.2): Redis Streams egress and consumer mode
  E_BUS_UNAVAILABLE: { category: 'transient', summary: 'the bus (Redis) is unreachable or refused a command; signals wait in the outbox, market events are dropped and counted' },
  E_BUS_DECODE: { category: 'decode', summary: 'a bus entry is not a valid envelope or event; counted and skipped' },
  // invariant
  E_INVARIANT: { category: 'invariant', summary: 'an internal invariant was violated' },
  E_UNCAUGHT: { category: 'invariant', summary: 'an exception or rejection escaped every handler; the process flushed and exited 1 for its supervisor to restart it' },
} as const satisfies Record<string, { category: ErrorCategory; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface KrxErrorOptions {
  cause?: unknown;
  /** Structured context for logs. Never put secrets here. */
  details?: Record<string, unknown>;
}

export class KrxError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: KrxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = ERROR_CODES[code].category;
    this.details = options.details ?? {};
  }

  /** Fields for a structured log line. */
  toLog(): Record<string, unknown> {
    return { code: this.code, category: this.category, msg: this.message, ...this.details };
  }
}

export class ConfigError extends KrxError {
  /** One line per problem: `path: what was expected`. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[], code: ErrorCode = 'E_CONFIG_INVALID') {
    super(code, problems.join('; '));
    this.problems = problems;
  }
}

export class UsageError extends KrxError {
  constructor(message: string) {
    super('E_CLI_USAGE', message);
  }
}

export class AuthError extends KrxError {}
export class TransientError extends KrxError {}
export class BrokerRejectError extends KrxError {}
export class DecodeError extends KrxError {}
export class StrategyError extends KrxError {}
export class InvariantError extends KrxError {
  constructor(message: string, options?: KrxErrorOptions) {
    super('E_INVARIANT', message, options);
  }
}

export function isKrxError(err: unknown): err is KrxError {
  return err instanceof KrxError;
}

/** A message for logs from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
