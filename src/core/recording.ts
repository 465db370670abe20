// Session recordings: every raw input of a session, in arrival order, so a replay can feed the
// same bytes through the same code on a virtual clock.
import type { SocketEvent } from './realtime-socket.js';

/**
 * - `ws.in`: one raw inbound WebSocket text frame, as received.
 * - `rest`: JSON `{ broker, api, path, cont, request, status, headers, body }` (api id or tr_id,
 *   bodies, continuation headers); never authorization headers, app keys or tokens.
 * - `lifecycle`: a JSON `LifecycleRecord` (`{ type: 'socket.opened' }`, ...), without tokens.
 */
export type RecordingKind = 'ws.in' | 'rest' | 'lifecycle';

/** The polls a kernel ran, as recordings before the source table wrote them. */
export interface LegacyKernelPolls {
  readonly ranking?: readonly string[];
  readonly watchlist?: boolean;
}

/** A strategy as a run had it: enough to run the same code with the same params again. */
export interface RecordedStrategy {
  readonly id: string;
  readonly version: string;
  /** The strategy file's path as loaded, or `built-in`. */
  readonly file: string;
  /** sha256 of the file's text; empty for a built-in (its code is the app's, `appVersion`). */
  readonly sha256: string;
  /** The config entry's params as configured (the replay parses them with the same schema). */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * The strategies in effect from a kernel start or a reload on, in delivery order. The text of each
 * strategy file is in a `strategy.source` record of its own, written once per recording before the
 * first set that uses it (its own row: a text the recorder's secret guard refuses costs only that row,
 * and the replay then names the file it lacks): a replay runs the recorded code, not the folder's.
 */
export interface RecordedStrategySet {
  readonly strategies: readonly RecordedStrategy[];
}

/** What a `lifecycle` row holds. A replay starts and stops its strategies at the kernel's records. */
export type LifecycleRecord =
  | {
      readonly type: 'kernel.started';
      /** Engine time of the strategies' onStart. */
      readonly at: number;
      /** The names of the polls that ran (`ranking:P00101`, `watchlist`, ...). */
      readonly polls?: readonly string[] | LegacyKernelPolls;
      /** The strategies started (recordings before hot reload: absent, the replay loads the folder). */
      readonly strategies?: RecordedStrategySet;
    }
  | { readonly type: 'kernel.stopped'; readonly at: number }
  /** The text of a strategy file a later `kernel.started` or `strategies.reloaded` refers to by sha256. */
  | { readonly type: 'strategy.source'; readonly sha256: string; readonly file: string; readonly text: string }
  /**
   * A hot reload applied at engine time `at`: the strategy set from then on. `changed` got onStop and
   * a fresh onStart (or only one of them: removed, added); the others kept running.
   */
  | ({ readonly type: 'strategies.reloaded'; readonly at: number; readonly changed: readonly string[] } & RecordedStrategySet)
  /** A REG/REMOVE message as sent. */
  | { readonly type: 'registration.sent'; readonly message: unknown }
  | Exclude<SocketEvent, { type: 'activity' }>;

export interface RecordedFrame {
  /** 1, 2, 3 ... in append order. */
  readonly seq: number;
  /** Arrival time in epoch microseconds (the recorder's clock). */
  readonly tsUs: number;
  readonly kind: RecordingKind;
  /** The frame as text (for frame bytes that are not valid UTF-8: their lossy decoding). */
  readonly data: string;
  /**
   * Set only for a frame recorded as bytes (`appendBytes`) that is not valid UTF-8: its exact bytes
   * (a Buffer), so a replay can feed the same input. Absent otherwise: `data` encodes back exactly.
   */
  readonly bytes?: Uint8Array;
}

/**
 * The port the transports write to. `append` is on the hot path: it must be cheap, never throw and
 * never block on I/O. Callers must not pass secrets; the recorder's guard is a second line of defence.
 */
export interface FrameRecorder {
  append(kind: RecordingKind, data: string, tsUs: number): void;
}

/** The session facts a recording carries in its `meta` table. */
export interface RecordingMeta {
  readonly sessionId: string;
  /** Epoch ms. */
  readonly start: number;
  /** Epoch ms; null while recording or after a crash. */
  readonly end: number | null;
  readonly appVersion: string;
  /** A config summary WITHOUT secrets (JSON-serialisable). */
  readonly config: unknown;
  readonly seed: string | null;
  readonly formatVersion: number;
}
