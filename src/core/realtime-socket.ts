/**
 * The contract between the connection machine (state/) and a real-time socket (an adapter): the
 * machine sends commands, the socket reports lifecycle events. Market data never crosses it.
 */

/** Events a socket reports to the connection machine. */
export type SocketEvent =
  | { type: 'socket.opened' }
  | { type: 'socket.closed'; code: number; reason: string }
  | { type: 'socket.error'; message: string }
  | { type: 'login.ok' }
  | { type: 'login.failed'; returnCode: string; message: string; tokenRejected: boolean }
  /** The socket sent this many REG/REMOVE messages; each will be acked. */
  | { type: 'reg.sent'; messages: number }
  | { type: 'reg.ack' }
  | { type: 'reg.rejected'; returnCode: string; message: string }
  /** Some frame arrived (PING included); throttled, it feeds the watchdog. */
  | { type: 'activity' }
  /** SYSTEM R10001: another login with the same app key took over. */
  | { type: 'system.duplicate'; code: string; message: string };

/** Commands the connection machine sends to a socket. */
export type SocketCommand =
  | { type: 'login'; token: string }
  /** Bring the connection's registrations to the wanted set (minimal REG/REMOVE). */
  | { type: 'sync' };
