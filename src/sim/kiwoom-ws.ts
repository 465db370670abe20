import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TimerHandle } from '../core/clock.js';
import type { SimContext } from './context.js';
import { bump } from './counters.js';
import { RateWindow } from './rate-window.js';
import { loginTokenReject } from './token-reject.js';

export const WS_PATH = '/api/dostk/websocket';

const ITEM_RE = /^[0-9A-Za-z_]{0,20}$/;
const TYPE_RE = /^[0-9][0-9A-Za-z]$/;

/** One WebSocket client and what it registered. */
export interface SimConnection {
  readonly id: number;
  readonly ws: WebSocket;
  loggedIn: boolean;
  appkey: string | undefined;
  /** grp_no -> set of `item|type`. */
  readonly groups: Map<string, Set<string>>;
  pingSeq: number;
  /** Time of the oldest PING not yet echoed. */
  pingOutstandingSince: number | undefined;
  pingTimer: TimerHandle | undefined;
  pingTimeout: TimerHandle | undefined;
  closed: boolean;
}

export interface RegistrationView {
  readonly id: number;
  readonly loggedIn: boolean;
  /** Union over groups of `item|type`. */
  readonly items: Set<string>;
  readonly groups: Map<string, Set<string>>;
}

/** Kiwoom's real-time socket: LOGIN first, PING echo, REG/REMOVE per group, R10001 on a second login. */
export class KiwoomWsServer {
  readonly wss: WebSocketServer;
  readonly connections = new Map<number, SimConnection>();
  /** The logged-in connection per appkey (a second login replaces it). */
  private readonly current = new Map<string, SimConnection>();
  private lastLoggedIn: SimConnection | undefined;
  private nextId = 1;
  /** Bumped on every registration change; the feed rebuilds its index when it moves. */
  version = 0;
  silent = false;
  /** Called when the number of logged-in connections may have changed (the feed idles at zero). */
  onActivityChange: () => void = () => undefined;
  /** REG/REMOVE messages per connection in the last second (105110 beyond the limit). */
  private readonly regRate: RateWindow;

  constructor(private readonly ctx: SimContext) {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
    this.regRate = new RateWindow(ctx.opts.regRatePerSecond);
  }

  /** Fault control: the REG limits (items per group and connection, messages per second; 0 rejects every REG). */
  setRegLimits(limits: { maxItems?: number; regPerSecond?: number }): void {
    if (limits.maxItems !== undefined && Number.isFinite(limits.maxItems) && limits.maxItems >= 0) this.ctx.opts.wsMaxItems = Math.floor(limits.maxItems);
    if (limits.regPerSecond !== undefined && Number.isFinite(limits.regPerSecond) && limits.regPerSecond >= 0) {
      this.ctx.opts.regRatePerSecond = Math.floor(limits.regPerSecond);
      this.regRate.limit = this.ctx.opts.regRatePerSecond;
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const conn: SimConnection = {
      id: this.nextId++,
      ws,
      loggedIn: false,
      appkey: undefined,
      groups: new Map(),
      pingSeq: 0,
      pingOutstandingSince: undefined,
      pingTimer: undefined,
      pingTimeout: undefined,
      closed: false,
    };
    this.connections.set(conn.id, conn);
    this.ctx.counters.connectionsOpened++;
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(conn, data, isBinary);
      } catch (e) {
        this.ctx.log('error', { conn: conn.id, err: String(e) }, 'ws message handler failed');
      }
    });
    ws.on('close', () => this.onClose(conn));
    ws.on('error', (e) => this.ctx.log('debug', { conn: conn.id, err: e.message }, 'ws error'));
  }

  private onClose(conn: SimConnection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.stopPing(conn);
    this.connections.delete(conn.id);
    if (conn.appkey !== undefined && this.current.get(conn.appkey) === conn) this.current.delete(conn.appkey);
    if (this.lastLoggedIn === conn) this.lastLoggedIn = undefined;
    this.ctx.counters.connectionsClosed++;
    if (conn.groups.size > 0) this.version++;
    if (conn.loggedIn) this.onActivityChange();
  }

  /** Whether any connection is logged in. */
  hasActiveConnections(): boolean {
    for (const c of this.connections.values()) if (c.loggedIn && !c.closed) return true;
    return false;
  }

  /** Sends a control frame unless the server is silent. */
  private send(conn: SimConnection, text: string): void {
    if (this.silent || conn.closed) return;
    conn.ws.send(text);
  }

  private onMessage(conn: SimConnection, data: RawData, isBinary: boolean): void {
    const text = isBinary ? '' : rawToString(data);
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = undefined;
    }
    const obj = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>) : undefined;
    const trnm = typeof obj?.trnm === 'string' ? obj.trnm : '';
    if (!conn.loggedIn && trnm !== 'LOGIN') {
      this.send(conn, JSON.stringify({ trnm: trnm === '' ? 'SYSTEM' : trnm, return_code: 1, return_msg: 'LOGIN 전문을 먼저 전송하셔야 합니다' }));
      conn.ws.close(1008, 'login required');
      return;
    }
    if (obj === undefined) {
      this.ctx.log('debug', { conn: conn.id }, 'ws frame ignored: not a JSON object');
      return;
    }
    switch (trnm) {
      case 'LOGIN':
        this.onLogin(conn, obj);
        return;
      case 'PING':
        this.onPingEcho(conn);
        return;
      case 'REG':
      case 'REMOVE':
        this.onReg(conn, trnm, obj);
        return;
      default:
        this.send(conn, JSON.stringify({ trnm, return_code: 1, return_msg: '지원하지 않는 서비스입니다' }));
    }
  }

  private onLogin(conn: SimConnection, msg: Record<string, unknown>): void {
    const token = typeof msg.token === 'string' ? msg.token : '';
    const rec = this.ctx.kiwoomTokens.find(token);
    if (!this.ctx.kiwoomTokens.isValid(rec, this.ctx.clock.now())) {
      this.ctx.counters.loginFailures++;
      this.ctx.counters.token8005++;
      this.send(conn, loginTokenReject(this.ctx.opts.tokenRejectForm));
      conn.ws.close(1008, 'login failed');
      return;
    }
    const previous = this.current.get(rec.appkey);
    if (previous !== undefined && previous !== conn) {
      this.ctx.counters.duplicateLoginKicks++;
      this.send(previous, JSON.stringify({ trnm: 'SYSTEM', code: 'R10001', message: '동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다' }));
      this.stopPing(previous);
      previous.ws.close(1000, 'R10001');
    }
    this.current.set(rec.appkey, conn);
    this.lastLoggedIn = conn;
    const first = !conn.loggedIn;
    conn.loggedIn = true;
    conn.appkey = rec.appkey;
    this.ctx.counters.logins++;
    this.send(conn, JSON.stringify({ trnm: 'LOGIN', return_code: 0, return_msg: '' }));
    if (first) {
      this.startPing(conn);
      this.onActivityChange();
    }
  }

  private startPing(conn: SimConnection): void {
    const { clock } = this.ctx;
    conn.pingTimer = clock.setInterval(() => {
      if (this.silent || conn.closed) return;
      conn.pingSeq++;
      conn.ws.send(`{"trnm":"PING","seq":${conn.pingSeq}}`);
      this.ctx.counters.pingsSent++;
      if (conn.pingOutstandingSince === undefined) {
        conn.pingOutstandingSince = clock.now();
        conn.pingTimeout = clock.setTimeout(() => this.onPingTimeout(conn), this.ctx.opts.pingTimeoutMs);
      }
    }, this.ctx.opts.pingIntervalMs);
  }

  private onPingEcho(conn: SimConnection): void {
    this.ctx.counters.pingsEchoed++;
    conn.pingOutstandingSince = undefined;
    if (conn.pingTimeout !== undefined) this.ctx.clock.clearTimeout(conn.pingTimeout);
    conn.pingTimeout = undefined;
  }

  private onPingTimeout(conn: SimConnection): void {
    conn.pingTimeout = undefined;
    if (conn.closed || conn.pingOutstandingSince === undefined) return;
    this.ctx.counters.pingTimeouts++;
    this.ctx.log('info', { conn: conn.id }, 'ws client did not echo PING; disconnecting');
    this.stopPing(conn);
    conn.ws.close(1008, 'PING timeout');
  }

  private stopPing(conn: SimConnection): void {
    if (conn.pingTimer !== undefined) this.ctx.clock.clearInterval(conn.pingTimer);
    if (conn.pingTimeout !== undefined) this.ctx.clock.clearTimeout(conn.pingTimeout);
    conn.pingTimer = undefined;
    conn.pingTimeout = undefined;
  }

  private onReg(conn: SimConnection, trnm: 'REG' | 'REMOVE', msg: Record<string, unknown>): void {
    const parsed = parseReg(msg, trnm);
    if (typeof parsed === 'string') {
      this.send(conn, JSON.stringify({ trnm, return_code: 1, return_msg: parsed }));
      return;
    }
    // REMOVE counts against the rate too (a third-party client's live observation, protocol.md 10.7).
    if (!this.regRate.tryAcquire(String(conn.id), this.ctx.clock.monotonic())) {
      this.reject(conn, trnm, 105110, `해당 TRNM으로 허용된 요청 건수를 초과 (TRNM=${trnm})`);
      return;
    }
    let set = conn.groups.get(parsed.grpNo);
    if (trnm === 'REG') {
      const next = set === undefined || parsed.refresh === '0' ? new Set<string>() : new Set(set);
      for (const key of parsed.keys) next.add(key);
      const limit = this.ctx.opts.wsMaxItems;
      // Items count, whatever their types ([U] in the real protocol; items is the reported unit).
      if (itemsOf([next]) > limit) {
        this.reject(conn, trnm, 105118, `그룹당 등록 가능한 종목 수(${limit})를 초과하였습니다`);
        return;
      }
      const others = [...conn.groups].filter(([g]) => g !== parsed.grpNo).map(([, v]) => v);
      if (itemsOf([...others, next]) > limit) {
        this.reject(conn, trnm, 105115, `접속당 등록 가능한 종목 수(${limit})를 초과하였습니다`);
        return;
      }
      this.ctx.counters.regs++;
      set = next;
      conn.groups.set(parsed.grpNo, set);
    } else {
      this.ctx.counters.removes++;
      if (set !== undefined) {
        for (const key of parsed.keys) set.delete(key);
        if (set.size === 0) conn.groups.delete(parsed.grpNo);
      }
    }
    this.version++;
    this.send(conn, JSON.stringify({ trnm, return_code: 0, return_msg: '' }));
  }

  /** A REG/REMOVE over a limit: nothing applied, the socket stays open (the real server's silent-looking rejection). */
  private reject(conn: SimConnection, trnm: 'REG' | 'REMOVE', code: number, message: string): void {
    bump(this.ctx.counters.regRejections, String(code));
    this.send(conn, JSON.stringify({ trnm, return_code: code, return_msg: message }));
  }

  /** The registrations of every connection, and which connection is current (last logged in). */
  registrations(): { current: number | null; connections: RegistrationView[] } {
    const connections = [...this.connections.values()].map((c) => {
      const items = new Set<string>();
      const groups = new Map<string, Set<string>>();
      for (const [g, set] of c.groups) {
        groups.set(g, new Set(set));
        for (const k of set) items.add(k);
      }
      return { id: c.id, loggedIn: c.loggedIn, items, groups };
    });
    return { current: this.lastLoggedIn?.id ?? null, connections };
  }

  /** Fault: close every socket cleanly, or drop it without a close frame. */
  dropAll(mode: 'close' | 'terminate' = 'close', code = 1001): number {
    const all = [...this.connections.values()];
    for (const c of all) {
      this.stopPing(c);
      if (mode === 'terminate') c.ws.terminate();
      else c.ws.close(code, 'sim drop');
    }
    return all.length;
  }

  /** Fault: closes the socket logged in with `appkey` (if any). Returns how many. */
  dropAppkey(appkey: string): number {
    const conn = this.current.get(appkey);
    if (conn === undefined) return 0;
    this.stopPing(conn);
    conn.ws.close(1001, 'sim drop');
    return 1;
  }

  /** Fault: no frames and no PING while silent; TCP stays open. */
  setSilent(silent: boolean): void {
    this.silent = silent;
    if (silent) {
      // Outstanding PINGs must not time out clients while the server itself is mute.
      for (const c of this.connections.values()) {
        if (c.pingTimeout !== undefined) this.ctx.clock.clearTimeout(c.pingTimeout);
        c.pingTimeout = undefined;
        c.pingOutstandingSince = undefined;
      }
    }
  }

  /** Sends raw frames to every open connection (malformed-frame faults). */
  broadcastRaw(frames: ReadonlyArray<string | { data: Buffer; binary: boolean }>): number {
    let n = 0;
    for (const c of this.connections.values()) {
      if (c.closed) continue;
      for (const f of frames) {
        if (typeof f === 'string') c.ws.send(f);
        else c.ws.send(f.data, { binary: f.binary });
        n++;
      }
    }
    return n;
  }

  /** The first registered item of any connection (to aim malformed frames at something real). */
  anyRegisteredItem(): string | undefined {
    for (const c of this.connections.values()) {
      for (const set of c.groups.values()) {
        for (const key of set) {
          const item = key.slice(0, key.indexOf('|'));
          if (item !== '') return item; // not the item-less registration: it names no stock
        }
      }
    }
    return undefined;
  }

  close(): void {
    for (const c of this.connections.values()) {
      this.stopPing(c);
      c.ws.terminate();
    }
    this.wss.close();
  }
}

/** Distinct items over sets of `item|type` keys. */
function itemsOf(sets: ReadonlyArray<ReadonlySet<string>>): number {
  const items = new Set<string>();
  for (const set of sets) for (const key of set) items.add(key.slice(0, key.indexOf('|')));
  return items.size;
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

interface ParsedReg {
  grpNo: string;
  refresh: '0' | '1';
  keys: string[];
}

/** Validates a REG/REMOVE body; a string is the error message. */
function parseReg(msg: Record<string, unknown>, trnm: 'REG' | 'REMOVE'): ParsedReg | string {
  const grpNo = msg.grp_no;
  if (typeof grpNo !== 'string' || !/^\d{1,4}$/.test(grpNo)) return 'grp_no 값이 올바르지 않습니다';
  const refresh = msg.refresh ?? '1';
  if (trnm === 'REG' && refresh !== '0' && refresh !== '1') return 'refresh 값이 올바르지 않습니다';
  if (!Array.isArray(msg.data) || msg.data.length === 0) return 'data 값이 올바르지 않습니다';
  const keys: string[] = [];
  for (const d of msg.data as unknown[]) {
    if (typeof d !== 'object' || d === null) return 'data 값이 올바르지 않습니다';
    const { item, type } = d as { item?: unknown; type?: unknown };
    if (!Array.isArray(item) || !Array.isArray(type) || type.length === 0) return 'item/type 값이 올바르지 않습니다';
    for (const i of item) if (typeof i !== 'string' || !ITEM_RE.test(i)) return 'item 값이 올바르지 않습니다';
    for (const t of type) if (typeof t !== 'string' || !TYPE_RE.test(t)) return 'type 값이 올바르지 않습니다';
    for (const t of type as string[]) for (const i of item as string[]) keys.push(`${i}|${t}`);
  }
  return { grpNo, refresh: refresh === '0' ? '0' : '1', keys };
}
