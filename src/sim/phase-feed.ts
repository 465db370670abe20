import { formatKstTime, kstDayIndex } from '../core/kst.js';
import type { Phase, SessionSchedule } from '../core/market-sessions.js';
import type { KiwoomWsServer, SimConnection } from './kiwoom-ws.js';
import { registrations } from './registrations.js';

type Sessions = Pick<SessionSchedule, 'phaseAt' | 'nextChanges'>;

/**
 * 0s 장시작시간 for item-less subscribers (`item: [""]`, protocol.md 10.3: item "" in, item "" out):
 * one entry at every phase change of the trading day, in the real form of the one dump
 * (`{"215":"0","20":"085910","214":"000050"}`). FID 215 carries the legacy OpenAPI+ code of KRX's
 * phase (protocol.md 11.3: 0 장시작전, 2 장종료전, 3 장시작, 4 장종료, 9 장마감); the REST server's own
 * table is [U], so this is the simulator's assumption, not a fact. 214 is the time left to KRX's
 * 09:00 open (HHMMSS), "000000" once it has passed.
 */
export class PhaseFeed {
  private indexVersion = -1;
  private subscribers: SimConnection[] = [];

  constructor(private readonly sessions: Sessions | null, private readonly ws: KiwoomWsServer) {}

  /** The 0s entries of the phase changes within `(from, to]`, by connection. */
  tick(from: number, to: number): Map<SimConnection, string[]> {
    const out = new Map<SimConnection, string[]>();
    if (this.sessions === null) return out;
    if (this.indexVersion !== this.ws.version) this.rebuild();
    if (this.subscribers.length === 0) return out;
    for (const at of changesBetween(this.sessions, from, to)) {
      const entry = phaseEntry(this.sessions, at);
      for (const conn of this.subscribers) {
        const list = out.get(conn);
        if (list === undefined) out.set(conn, [entry]);
        else list.push(entry);
      }
    }
    return out;
  }

  private rebuild(): void {
    this.indexVersion = this.ws.version;
    const subs = new Set<SimConnection>();
    for (const { conn, item, type } of registrations(this.ws)) if (item === '' && type === '0s') subs.add(conn);
    this.subscribers = [...subs];
  }
}

/** The distinct instants of phase changes (any venue) within `(from, to]`. */
export function changesBetween(sessions: Sessions, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from, guard = 0; guard < 64; guard++) {
    const first = sessions.nextChanges(t)[0];
    if (first === undefined || first.at > to) break;
    out.push(first.at);
    t = first.at;
  }
  return out;
}

/** One 0s entry for the phase change at `at`. */
export function phaseEntry(sessions: Sessions, at: number): string {
  const code = fid215(sessions, at);
  const left = openIn(sessions, at);
  return `{"type":"0s","name":"장시작시간","item":"","values":{"215":"${code}","20":"${formatKstTime(at)}","214":"${formatDuration(left)}"}}`;
}

/** The legacy code of KRX's phase at `at` (see the class comment). */
function fid215(sessions: Sessions, at: number): string {
  const krx: Phase = sessions.phaseAt('KRX', at);
  if (krx === 'continuous') return '3';
  if (krx === 'closing-auction') return '2';
  if (krx === 'pre-open-auction') return '0';
  if (krx !== 'closed') return '4'; // the after-hours windows and the after-market: after the regular close
  if (openIn(sessions, at) > 0) return '0'; // before today's open
  return laterToday(sessions, at) ? '4' : '9'; // between the close and the after-hours windows, or done for the day
}

/** Milliseconds from `at` to KRX's continuous session today, or 0 when it is not ahead today. */
function openIn(sessions: Sessions, at: number): number {
  const day = kstDayIndex(at);
  for (let t = at, guard = 0; guard < 32; guard++) {
    const changes = sessions.nextChanges(t);
    const first = changes[0];
    if (first === undefined || kstDayIndex(first.at) !== day) return 0;
    if (changes.some((c) => c.venue === 'KRX' && c.phase === 'continuous')) return first.at - at;
    t = first.at;
  }
  return 0;
}

/** Whether KRX has another phase later on the KST day of `at`. */
function laterToday(sessions: Sessions, at: number): boolean {
  const day = kstDayIndex(at);
  for (let t = at, guard = 0; guard < 32; guard++) {
    const changes = sessions.nextChanges(t);
    const first = changes[0];
    if (first === undefined || kstDayIndex(first.at) !== day) return false;
    if (changes.some((c) => c.venue === 'KRX')) return true;
    t = first.at;
  }
  return false;
}

/** HHMMSS of a duration (the form of FID 214). */
function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.min(99, Math.floor(s / 3600)))}${pad(Math.floor(s / 60) % 60)}${pad(s % 60)}`;
}
