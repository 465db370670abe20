import { KrxError } from '../../core/errors.js';
import type { RecordedFrame, RecordingKind, RecordingMeta } from '../../core/recording.js';
import { RECORDING_FORMAT_VERSION, SESSION_ID } from './recording-file.js';

/**
 * A recording is a file from elsewhere: every value read from it is checked as strictly as config
 * before anything uses it (a session id never names a path, a time never drives the clock far away).
 */

/** 2000-01-01 .. 2100-01-01 (epoch ms): anything else is not a session of this program. */
const EARLIEST_MS = 946_684_800_000;
const LATEST_MS = 4_102_444_800_000;
/** A session lasts a trading day; a recording spanning more than this is refused. */
export const MAX_SESSION_MS = 48 * 3_600_000;
/** Frames may be stamped slightly before the start (clock steps) and after the end (close). */
const SLACK_MS = 10 * 60_000;
const MAX_CONFIG_CHARS = 1_000_000;
const MAX_TEXT_CHARS = 200;
/** The writer seals chunks at 512 frames; no honest chunk holds more. */
export const MAX_CHUNK_FRAMES = 65_536;
/** A chunk's frame bytes (the writer's chunks are about 512 KiB); a larger blob is refused unread. */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;
const KINDS: ReadonlySet<string> = new Set<RecordingKind>(['ws.in', 'rest', 'lifecycle']);

const bad = (what: string, details: Record<string, unknown> = {}): KrxError => new KrxError('E_RECORDING_READ', `recording meta: ${what}`, { details });

/** The meta table as validated facts; throws E_RECORDING_READ naming the first bad key. */
export function checkMeta(m: ReadonlyMap<string, string>): RecordingMeta {
  const versionText = m.get('format_version');
  const version = Number(versionText);
  if (versionText === undefined || !/^\d{1,3}$/.test(versionText) || version < 1) throw bad('format_version must be a small positive integer');
  if (version > RECORDING_FORMAT_VERSION) {
    throw new KrxError('E_RECORDING_READ', `recording format ${version} is newer than this build (${RECORDING_FORMAT_VERSION})`);
  }
  const sessionId = m.get('session_id');
  if (sessionId === undefined || !SESSION_ID.test(sessionId)) throw bad('session_id must be 1-80 characters of A-Z a-z 0-9 . _ - (starting with a letter or digit)');
  const start = epochMs(m.get('start'), 'start');
  const endText = m.get('end');
  const end = endText === undefined ? null : epochMs(endText, 'end');
  if (end !== null && (end < start || end - start > MAX_SESSION_MS)) throw bad(`end must be within ${MAX_SESSION_MS / 3_600_000} h after start`);
  const appVersion = text(m.get('app_version') ?? '', 'app_version');
  const seedText = text(m.get('seed') ?? '', 'seed');
  return { sessionId, start, end, appVersion, config: configOf(m.get('config')), seed: seedText === '' ? null : seedText, formatVersion: version };
}

function epochMs(value: string | undefined, key: string): number {
  const n = value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(n >= EARLIEST_MS && n <= LATEST_MS)) throw bad(`${key} must be an epoch-ms time between 2000 and 2100`);
  return n;
}

function text(value: string, key: string): string {
  if (value.length > MAX_TEXT_CHARS || /[\u0000-\u001f\u007f]/.test(value)) throw bad(`${key} must be at most ${MAX_TEXT_CHARS} printable characters`);
  return value;
}

function configOf(value: string | undefined): unknown {
  if (value === undefined) return null;
  if (value.length > MAX_CONFIG_CHARS) throw bad(`config is larger than ${MAX_CONFIG_CHARS} characters`);
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw bad('config is not JSON');
  }
}

/** The arrival times (epoch us) a frame of this session may carry. */
export interface FrameWindow {
  readonly minUs: number;
  readonly maxUs: number;
}

export function frameWindow(meta: RecordingMeta): FrameWindow {
  const last = meta.end ?? meta.start + MAX_SESSION_MS;
  return { minUs: (meta.start - SLACK_MS) * 1000, maxUs: (last + SLACK_MS) * 1000 };
}

/** The frame, or E_RECORDING_READ when its seq, kind or time is not one this session can hold. */
export function checkFrame<F extends Pick<RecordedFrame, 'seq' | 'tsUs' | 'kind'>>(frame: F, window: FrameWindow, file: string): F {
  const { seq, tsUs, kind } = frame;
  if (!Number.isSafeInteger(seq) || seq < 1) throw new KrxError('E_RECORDING_READ', 'corrupt recording: a frame has no valid seq', { details: { file } });
  if (!KINDS.has(kind)) throw new KrxError('E_RECORDING_READ', `corrupt recording: frame ${seq} has an unknown kind`, { details: { file } });
  if (!(Number.isFinite(tsUs) && tsUs >= window.minUs && tsUs <= window.maxUs)) {
    throw new KrxError('E_RECORDING_READ', `corrupt recording: frame ${seq} is stamped outside the session (start to end, 10 min slack)`, { details: { file, seq } });
  }
  return frame;
}
