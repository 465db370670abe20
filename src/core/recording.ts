/**
 * Session recordings: every raw input of a session, in arrival order, so a replay can feed the
 * same bytes through the same code on a virtual clock.
 */

/**
 * - `ws.in`: one raw inbound WebSocket text frame, as received.
 * - `rest`: JSON `{ api, request, response, cont? }` (api id or tr_id, bodies, continuation headers);
 *   never authorization headers, app keys or tokens.
 * - `lifecycle`: JSON connection/token events (`{ event: 'socket.opened', ... }`), without tokens.
 */
export type RecordingKind = 'ws.in' | 'rest' | 'lifecycle';

export const RECORDING_KINDS: readonly RecordingKind[] = ['ws.in', 'rest', 'lifecycle'];

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
