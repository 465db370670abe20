import type { ErrorCode } from '../../core/errors.js';
import type { Signal } from '../../core/signal.js';

/** One thing to announce: a committed signal, a daemon alert (raised or cleared) or the daily digest. */
export type NotifyItem =
  | { readonly kind: 'signal'; readonly id: string; readonly replay: boolean; readonly signal: Signal }
  | { readonly kind: 'alert'; readonly id: string; readonly replay: boolean; readonly alert: AlertBody }
  | { readonly kind: 'digest'; readonly id: string; readonly replay: boolean; readonly digest: DigestBody };

export interface AlertBody {
  /** The condition's name, e.g. `connection-failed`. */
  readonly condition: string;
  readonly state: 'raised' | 'cleared';
  readonly at: number;
  /** A short, secret-free description of what is wrong. */
  readonly detail: string;
}

export interface DigestBody {
  /** The KST day, YYYY-MM-DD. */
  readonly date: string;
  readonly signals: number;
  readonly byStrategy: Readonly<Record<string, number>>;
  /** [symbol, count], most first. */
  readonly topSymbols: readonly (readonly [string, number])[];
  /** Alerts raised that day. */
  readonly faults: number;
  readonly uptimeMs: number;
}

/** What a sink answered, classified: delivered, worth retrying (with the server's hint), or refused for good. */
export type SinkAnswer =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly retry: boolean;
      readonly code: ErrorCode;
      /** Short and secret-free: a status and the service's own description, never the URL. */
      readonly reason: string;
      readonly status?: number;
      /** From a 429's `retry_after` (body) or `Retry-After` (header). */
      readonly retryAfterMs?: number;
    };

/** A message ready to post, and how many of the offered items it holds (from the first). */
export interface ComposedMessage {
  readonly count: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MessageContext {
  readonly language: 'ko' | 'en';
  /** A stock's name by code, when the daemon knows it. */
  readonly nameOf?: (symbol: string) => string | undefined;
  /** The session phase at an instant ('regular', 'pre-market', 'after-hours', 'closed'), when known. */
  readonly phaseOf?: (epochMs: number) => string | undefined;
}

/** One notification service. `send` never throws: every failure is a classified answer. */
export interface SinkClient {
  readonly name: string;
  readonly type: 'telegram' | 'discord' | 'slack' | 'webhook' | 'bus';
  compose(items: readonly NotifyItem[], ctx: MessageContext, sentAt: number): ComposedMessage;
  send(message: ComposedMessage): Promise<SinkAnswer>;
  /** Aborts a request in flight (its send answers E_NOTIFY_HTTP) and frees the connection. */
  close(): Promise<void>;
}
