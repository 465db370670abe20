import { isUtf8 } from 'node:buffer';
import type { RealtimeEvent } from '../../core/market.js';
import type { SocketEvent } from '../../core/realtime-socket.js';
import { decodeEntry, isDecodeFailure, kstDayStart } from './realtime-decoder.js';
import { decodeRealFast } from './realtime-fast.js';

/** Where the router sends what it read from one frame. */
export interface FrameSinks {
  /** Market data: the hot path. */
  event(e: RealtimeEvent): void;
  /** A server PING, to be echoed unchanged. */
  ping(raw: string): void;
  /** Lifecycle news for the connection machine. */
  lifecycle(e: SocketEvent): void;
  /** A frame or entry we could not read: counted, sampled into the log, dropped. */
  decodeError(code: DecodeErrorCode, reason: string, sample: string): void;
  /** A SYSTEM notice other than R10001. */
  notice(code: string, message: string): void;
}

export type DecodeErrorCode = 'E_DECODE_JSON' | 'E_DECODE_SHAPE' | 'E_DECODE_VALUE';

export interface FrameStats {
  frames: number;
  entries: number;
  pings: number;
  decodeErrors: number;
}

/** Sinks for a reader that wants the decoded market events only (research, replay's taps). */
export function eventSinks(event: (e: RealtimeEvent) => void): FrameSinks {
  return { event, ping: () => undefined, lifecycle: () => undefined, decodeError: () => undefined, notice: () => undefined };
}

/** Kiwoom answers a stale token with one of these (also as CODE=8005 in return_msg). */
const TOKEN_REJECT_CODES = ['8005', '8031', '8103'];

/**
 * Parses one inbound frame once and routes it. Never throws: every failure goes to
 * `sinks.decodeError` with a stable code. A REAL frame in a Buffer is read by the byte decoder
 * (realtime-fast.ts), and so is a string (replay's recorded text, encoded to UTF-8 first: a lone
 * surrogate becomes U+FFFD, which only a string value can hold and no read FID accepts); whatever it
 * does not recognise with certainty takes the reference path.
 */
export function routeFrame(data: Buffer | string, tsRecv: number, sinks: FrameSinks, stats: FrameStats): void {
  const events = typeof data === 'string' ? decodeTextFast(data, tsRecv) : decodeRealFast(data, tsRecv, kstDayStart(tsRecv));
  if (events !== null) {
    stats.frames++;
    stats.entries += events.length;
    for (let i = 0; i < events.length; i++) sinks.event(events[i]!);
    return;
  }
  routeFrameReference(data, tsRecv, sinks, stats);
}

/** Replay hands over recorded text: encoding it into one reused buffer is far cheaper than JSON.parse. */
const scratch = Buffer.allocUnsafe(256 * 1024);

function decodeTextFast(text: string, tsRecv: number): RealtimeEvent[] | null {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; a longer frame takes the reference path.
  if (text.length * 3 > scratch.length) return null;
  const n = scratch.write(text, 0, 'utf8');
  return decodeRealFast(scratch.subarray(0, n), tsRecv, kstDayStart(tsRecv));
}

/** The reference path: UTF-8 check, JSON.parse, realtime-decoder.ts. Every decode error comes from here. */
export function routeFrameReference(data: Buffer | string, tsRecv: number, sinks: FrameSinks, stats: FrameStats): void {
  stats.frames++;
  let text: string;
  if (typeof data === 'string') text = data;
  else {
    text = data.toString('utf8');
    // Invalid bytes decode to U+FFFD; only then is the full UTF-8 check worth its cost.
    if (text.indexOf('\uFFFD') >= 0 && !isUtf8(data)) {
      stats.decodeErrors++;
      sinks.decodeError('E_DECODE_VALUE', 'frame is not valid UTF-8', data.subarray(0, 48).toString('hex'));
      return;
    }
  }
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    // A bare PING string is tolerated by the official client too.
    if (text.trim() === 'PING') {
      stats.pings++;
      sinks.ping(text);
      return;
    }
    stats.decodeErrors++;
    sinks.decodeError('E_DECODE_JSON', 'frame is not valid JSON', sampleOf(text));
    return;
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    stats.decodeErrors++;
    sinks.decodeError('E_DECODE_SHAPE', 'frame is not a JSON object', sampleOf(text));
    return;
  }
  const f = frame as { trnm?: unknown; data?: unknown; return_code?: unknown; return_msg?: unknown; code?: unknown; message?: unknown };
  switch (f.trnm) {
    case 'REAL':
      routeReal(f.data, tsRecv, text, sinks, stats);
      return;
    case 'PING':
      stats.pings++;
      sinks.ping(text);
      return;
    case 'LOGIN': {
      const code = scalarText(f.return_code);
      const message = typeof f.return_msg === 'string' ? f.return_msg : '';
      if (code === '0') sinks.lifecycle({ type: 'login.ok' });
      else sinks.lifecycle({ type: 'login.failed', returnCode: code, message, tokenRejected: isTokenRejection(code, message) });
      return;
    }
    case 'REG':
    case 'REMOVE': {
      const code = scalarText(f.return_code);
      if (code === '0') sinks.lifecycle({ type: 'reg.ack' });
      else sinks.lifecycle({ type: 'reg.rejected', returnCode: code, message: typeof f.return_msg === 'string' ? f.return_msg : '' });
      return;
    }
    case 'SYSTEM': {
      const code = typeof f.code === 'string' ? f.code : '';
      const message = typeof f.message === 'string' ? f.message : '';
      if (code === 'R10001') sinks.lifecycle({ type: 'system.duplicate', code, message });
      else sinks.notice(code, message);
      return;
    }
    default:
      stats.decodeErrors++;
      sinks.decodeError('E_DECODE_SHAPE', `unknown trnm ${typeof f.trnm === 'string' ? JSON.stringify(f.trnm.slice(0, 20)) : typeof f.trnm}`, sampleOf(text));
  }
}

function routeReal(data: unknown, tsRecv: number, text: string, sinks: FrameSinks, stats: FrameStats): void {
  if (!Array.isArray(data)) {
    stats.decodeErrors++;
    sinks.decodeError('E_DECODE_SHAPE', 'REAL frame without a data list', sampleOf(text));
    return;
  }
  const dayStart = kstDayStart(tsRecv);
  for (let i = 0; i < data.length; i++) {
    stats.entries++;
    const out = decodeEntry(data[i], tsRecv, dayStart);
    if (isDecodeFailure(out)) {
      stats.decodeErrors++;
      // The sample is the frame's raw text, bounded: never a stringify of unknown input (a deeply
      // nested entry made JSON.stringify throw out of the socket's handler, issue 20 item 1).
      sinks.decodeError(out.failure, `entry ${i}: ${out.reason}`, sampleOf(text));
    } else {
      sinks.event(out);
    }
  }
}

/** At most SAMPLE_CHARS of a frame's raw text for a log line. */
const SAMPLE_CHARS = 200;
export function sampleOf(text: string): string {
  return text.length <= SAMPLE_CHARS ? text : text.slice(0, SAMPLE_CHARS);
}

/** A return code as text: a string or number as is, anything else (objects, nesting) as ''. */
function scalarText(x: unknown): string {
  if (typeof x === 'string') return x.length <= 32 ? x : x.slice(0, 32);
  if (typeof x === 'number') return String(x);
  return '';
}

export function isTokenRejection(returnCode: string, message: string): boolean {
  if (TOKEN_REJECT_CODES.includes(returnCode)) return true;
  return TOKEN_REJECT_CODES.some((c) => message.includes(`CODE=${c}`) || message.includes(`[${c}:`) || message.includes(`[${c}]`));
}
