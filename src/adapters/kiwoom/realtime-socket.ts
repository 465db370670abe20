import WebSocket from 'ws';
import type { Clock } from '../../core/clock.js';
import type { LogSink } from '../../core/ports/log-sink.js';
import type { RealtimeEvent } from '../../core/market.js';
import type { SocketCommand, SocketEvent } from '../../core/realtime-socket.js';
import type { RegistrationMessage, SubscriptionSet } from '../../core/subscription-set.js';
import { routeFrame, type DecodeErrorCode, type FrameStats } from './realtime-frames.js';

export interface RealtimeStats extends FrameStats {
  pingsEchoed: number;
  regMessages: number;
  removeMessages: number;
  decodeErrorsByCode: Record<string, number>;
  socketsOpened: number;
  /** Sockets not yet fully closed, and the most ever at once (must stay 1). */
  openSockets: number;
  maxOpenSockets: number;
}

export function createRealtimeStats(): RealtimeStats {
  return { frames: 0, entries: 0, pings: 0, decodeErrors: 0, pingsEchoed: 0, regMessages: 0, removeMessages: 0, decodeErrorsByCode: {}, socketsOpened: 0, openSockets: 0, maxOpenSockets: 0 };
}

export interface RealtimeSocketOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly subscriptions: SubscriptionSet;
  readonly stats: RealtimeStats;
  readonly log: LogSink;
  /** Market events (the hot path). */
  readonly onEvent: (e: RealtimeEvent) => void;
  /** Lifecycle news for the connection machine. */
  readonly onLifecycle: (e: SocketEvent) => void;
  /** Every inbound frame as received, for the session recording. */
  readonly onRawFrame?: (data: Buffer, tsRecv: number) => void;
  /** Every REG/REMOVE sent (never LOGIN, which carries the token). */
  readonly onRegistrationSent?: (message: RegistrationMessage) => void;
  /** At most one `activity` event per this many ms (it feeds the watchdog). */
  readonly activityIntervalMs: number;
  /** Log the first N decode errors of each code, then one in every `decodeLogEvery`. */
  readonly decodeLogFirst?: number;
  readonly decodeLogEvery?: number;
}

/**
 * One Kiwoom real-time WebSocket: echoes PINGs unchanged, decodes REAL frames, sends LOGIN and the
 * REG/REMOVE plan of the wanted subscription set, and reports lifecycle events. It never reconnects
 * by itself: the connection machine decides.
 */
export class RealtimeSocket {
  private readonly ws: WebSocket;
  private closedByUs = false;
  private lastActivityAt = Number.NEGATIVE_INFINITY;
  /** Resolves once the underlying TCP socket is gone. */
  readonly closed: Promise<void>;

  constructor(private readonly opts: RealtimeSocketOptions) {
    // No compression: it costs ~25x in throughput. No UTF-8 check inside ws: an invalid frame must be a
    // counted decode error, not a connection close (1007).
    this.ws = new WebSocket(opts.url, { perMessageDeflate: false, skipUTF8Validation: true });
    opts.stats.socketsOpened++;
    opts.stats.openSockets++;
    opts.stats.maxOpenSockets = Math.max(opts.stats.maxOpenSockets, opts.stats.openSockets);
    this.closed = new Promise((resolve) =>
      this.ws.once('close', () => {
        opts.stats.openSockets--;
        resolve();
      }),
    );
    const sinks = {
      event: opts.onEvent,
      ping: (raw: string) => this.echo(raw),
      lifecycle: opts.onLifecycle,
      decodeError: (code: DecodeErrorCode, reason: string, sample: string) => this.decodeError(code, reason, sample),
      notice: (code: string, message: string) => opts.log.warn({ code: 'E_BROKER_REJECT', systemCode: code, message }, 'SYSTEM notice from the real-time server'),
    };
    this.ws.on('open', () => {
      opts.subscriptions.resetConnection();
      opts.onLifecycle({ type: 'socket.opened' });
    });
    // Kiwoom frames are JSON text; a binary frame is read the same way (and fails the same way).
    this.ws.on('message', (data: Buffer) => {
      const tsRecv = opts.clock.now();
      opts.onRawFrame?.(data, tsRecv);
      if (tsRecv - this.lastActivityAt >= opts.activityIntervalMs) {
        this.lastActivityAt = tsRecv;
        opts.onLifecycle({ type: 'activity' });
      }
      routeFrame(data, tsRecv, sinks, opts.stats);
    });
    this.ws.on('error', (err) => {
      if (!this.closedByUs) opts.onLifecycle({ type: 'socket.error', message: err.message });
    });
    this.ws.on('close', (code, reason) => {
      if (!this.closedByUs) opts.onLifecycle({ type: 'socket.closed', code, reason: reason.toString() });
    });
  }

  handle(command: SocketCommand): void {
    if (command.type === 'login') {
      // The token goes raw (no "Bearer "), and this message is never logged or recorded.
      this.send(JSON.stringify({ trnm: 'LOGIN', token: command.token }));
      return;
    }
    const plan = this.opts.subscriptions.plan();
    for (const message of plan.messages) {
      if (message.trnm === 'REG') this.opts.stats.regMessages++;
      else this.opts.stats.removeMessages++;
      this.send(JSON.stringify(message));
      this.opts.onRegistrationSent?.(message);
    }
    this.opts.onLifecycle({ type: 'reg.sent', messages: plan.messages.length });
    if (plan.messages.length > 0) {
      this.opts.log.info({ registered: plan.registered, removed: plan.removed, messages: plan.messages.length, wanted: this.opts.subscriptions.wantedCount }, 'subscriptions synced');
    }
  }

  /**
   * Closes with a close frame, so anything queued (a last REMOVE) goes out first; a peer that does not
   * answer within `graceMs` is cut off. Resolves once the socket is gone: a replacement never overlaps.
   */
  close(graceMs = 1_000): Promise<void> {
    this.closedByUs = true;
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000, 'client closing');
      const cut = this.opts.clock.setTimeout(() => this.ws.terminate(), graceMs);
      void this.closed.then(() => this.opts.clock.clearTimeout(cut));
    } else if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
    }
    return this.closed;
  }

  private send(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  private echo(raw: string): void {
    this.opts.stats.pingsEchoed++;
    this.send(raw);
  }

  private decodeError(code: DecodeErrorCode, reason: string, sample: string): void {
    const byCode = this.opts.stats.decodeErrorsByCode;
    const n = (byCode[code] = (byCode[code] ?? 0) + 1);
    const first = this.opts.decodeLogFirst ?? 5;
    const every = this.opts.decodeLogEvery ?? 1000;
    if (n <= first || n % every === 0) this.opts.log.warn({ code, reason, sample, count: n }, 'real-time frame dropped');
  }
}
