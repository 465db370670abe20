import WebSocket from 'ws';
import type { Clock } from '../../core/clock.js';
import type { LogSink } from '../../core/ports/log-sink.js';
import type { RealtimeEvent } from '../../core/market.js';
import type { SocketCommand, SocketEvent } from '../../core/realtime-socket.js';
import type { RegistrationAnswer, RegistrationMessage, SubscriptionSet } from '../../core/subscription-set.js';
import { routeFrame, type DecodeErrorCode, type FrameStats } from './realtime-frames.js';

export interface RealtimeStats extends FrameStats {
  pingsEchoed: number;
  regMessages: number;
  removeMessages: number;
  /** REG/REMOVE answers with a non-zero return_code, by code. */
  regRejectionsByCode: Record<string, number>;
  decodeErrorsByCode: Record<string, number>;
  socketsOpened: number;
  /** Sockets not yet fully closed, and the most ever at once (must stay 1). */
  openSockets: number;
  maxOpenSockets: number;
}

export function createRealtimeStats(): RealtimeStats {
  return { frames: 0, entries: 0, pings: 0, decodeErrors: 0, pingsEchoed: 0, regMessages: 0, removeMessages: 0, regRejectionsByCode: {}, decodeErrorsByCode: {}, socketsOpened: 0, openSockets: 0, maxOpenSockets: 0 };
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
  /** At most one `activity` event per this many monotonic ms (it feeds the watchdog). */
  readonly activityIntervalMs: number;
  /** Least monotonic time between two REG/REMOVE messages (the broker rate-limits them: 105110). */
  readonly regIntervalMs?: number;
  /** Each broker answer to a REG/REMOVE, with what it settled (for logs and health). */
  readonly onRegistrationAnswer?: (answer: RegistrationAnswer, outcome: { ok: true } | { ok: false; code: string; message: string }) => void;
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
  private lastRegAt = Number.NEGATIVE_INFINITY;
  /** REG/REMOVE messages planned but not sent yet (paced). */
  private readonly outbox: RegistrationMessage[] = [];
  private paceTimer: unknown = undefined;
  private retryTimer: unknown = undefined;
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
      lifecycle: (e: SocketEvent) => this.lifecycle(e),
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
      // Throttled on monotonic time: a wall-clock step back must not mute the watchdog's feed.
      const mono = opts.clock.monotonic();
      if (mono - this.lastActivityAt >= opts.activityIntervalMs) {
        this.lastActivityAt = mono;
        opts.onLifecycle({ type: 'activity' });
      }
      routeFrame(data, tsRecv, sinks, opts.stats);
    });
    this.ws.on('error', (err) => {
      if (!this.closedByUs) opts.onLifecycle({ type: 'socket.error', message: err.message });
    });
    this.ws.on('close', (code, reason) => {
      this.stopTimers();
      if (!this.closedByUs) opts.onLifecycle({ type: 'socket.closed', code, reason: reason.toString() });
    });
  }

  handle(command: SocketCommand): void {
    if (command.type === 'login') {
      // The token goes raw (no "Bearer "), and this message is never logged or recorded.
      this.send(JSON.stringify({ trnm: 'LOGIN', token: command.token }));
      return;
    }
    const plan = this.opts.subscriptions.plan(this.opts.clock.monotonic());
    this.outbox.push(...plan.messages);
    this.opts.onLifecycle({ type: 'reg.sent', messages: plan.messages.length });
    if (plan.messages.length > 0) {
      this.opts.log.info({ registered: plan.registered, removed: plan.removed, messages: plan.messages.length, wanted: this.opts.subscriptions.wantedCount }, 'subscriptions planned');
    }
    this.flushOutbox();
  }

  /** Sends queued REG/REMOVE messages no closer together than `regIntervalMs`. */
  private flushOutbox(): void {
    const interval = this.opts.regIntervalMs ?? 0;
    while (this.outbox.length > 0 && this.paceTimer === undefined) {
      const wait = this.lastRegAt + interval - this.opts.clock.monotonic();
      if (wait > 0) {
        this.paceTimer = this.opts.clock.setTimeout(() => {
          this.paceTimer = undefined;
          this.flushOutbox();
        }, wait);
        return;
      }
      this.sendRegistration(this.outbox.shift() as RegistrationMessage);
    }
  }

  private sendRegistration(message: RegistrationMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.lastRegAt = this.opts.clock.monotonic();
    if (message.trnm === 'REG') this.opts.stats.regMessages++;
    else this.opts.stats.removeMessages++;
    this.send(JSON.stringify(message));
    this.opts.onRegistrationSent?.(message);
  }

  /** Settles REG/REMOVE answers in the wanted set before the machine hears of them. */
  private lifecycle(e: SocketEvent): void {
    if (e.type === 'reg.ack' || e.type === 'reg.rejected') {
      const outcome = e.type === 'reg.ack' ? ({ ok: true } as const) : ({ ok: false, code: e.returnCode, message: e.message } as const);
      if (!outcome.ok) this.opts.stats.regRejectionsByCode[outcome.code] = (this.opts.stats.regRejectionsByCode[outcome.code] ?? 0) + 1;
      const answer = this.opts.subscriptions.answer(outcome, this.opts.clock.monotonic());
      if (answer) this.opts.onRegistrationAnswer?.(answer, outcome);
      if (!outcome.ok) this.scheduleRetry();
    }
    this.opts.onLifecycle(e);
  }

  /** A rejected REG's pairs are planned again at their retry instant. */
  private scheduleRetry(): void {
    const at = this.opts.subscriptions.nextRetryAt();
    if (at === null || this.retryTimer !== undefined || this.closedByUs) return;
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closedByUs || this.ws.readyState !== WebSocket.OPEN) return;
      this.handle({ type: 'sync' });
      this.scheduleRetry();
    }, Math.max(0, at - this.opts.clock.monotonic()));
  }

  /**
   * Closes with a close frame, so anything queued (a last REMOVE) goes out first; a peer that does not
   * answer within `graceMs` is cut off. Resolves once the socket is gone: a replacement never overlaps.
   */
  close(graceMs = 1_000): Promise<void> {
    this.closedByUs = true;
    // A last REMOVE (the daemon unregistering at stop) goes out unpaced: the socket closes right after.
    for (const message of this.outbox) if (message.trnm === 'REMOVE') this.sendRegistration(message);
    this.stopTimers();
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000, 'client closing');
      const cut = this.opts.clock.setTimeout(() => this.ws.terminate(), graceMs);
      void this.closed.then(() => this.opts.clock.clearTimeout(cut));
    } else if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
    }
    return this.closed;
  }

  private stopTimers(): void {
    this.outbox.length = 0;
    if (this.paceTimer !== undefined) this.opts.clock.clearTimeout(this.paceTimer);
    if (this.retryTimer !== undefined) this.opts.clock.clearTimeout(this.retryTimer);
    this.paceTimer = this.retryTimer = undefined;
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
