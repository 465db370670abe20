import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openRecordingWriter } from '../../../src/adapters/recording/index.js';
import { openSignalStore } from '../../../src/adapters/store/index.js';
import type { Signal, SignalKind } from '../../../src/core/signal.js';
import type { Exchange } from '../../../src/core/market.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

/** Epoch ms of a KST wall time on 2026-11-20 (a Friday). */
export function kst(h: number, m: number, s = 0): number {
  return Date.UTC(2026, 10, 20, h - 9, m, s);
}

export interface TradeSpec {
  /** `005930` or `005930_NX`. */
  readonly item: string;
  /** Venue time, epoch ms (whole seconds). */
  readonly at: number;
  readonly price: number;
  readonly volume: number;
}

/** A 0B REAL frame as Kiwoom sends it (only the FIDs the decoder reads, plus a name). */
export function tradeFrame(t: TradeSpec): string {
  const d = new Date(t.at + 9 * 3600_000);
  const hhmmss = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map((n) => String(n).padStart(2, '0')).join('');
  return JSON.stringify({
    trnm: 'REAL',
    data: [{ type: '0B', name: '주식체결', item: t.item, values: { '10': `+${t.price}`, '11': '+0', '12': '+0.00', '13': '1000', '15': `+${t.volume}`, '20': hhmmss } }],
  });
}

export interface SessionSpec {
  readonly dataDir: string;
  readonly sessionId: string;
  readonly start: number;
  readonly end: number;
  /** The recorded config summary: `{ mode, calendar }` decides the session schedule. */
  readonly config: unknown;
  readonly trades: readonly TradeSpec[];
  /** Lifecycle records `[at, event]`. */
  readonly lifecycle?: ReadonlyArray<readonly [number, Record<string, unknown>]>;
}

/** Writes a recording (through the real writer) into `<dataDir>/recordings`; returns its file. */
export function writeRecording(spec: SessionSpec): string {
  const clock = createVirtualClock(spec.start);
  const w = openRecordingWriter({ dir: join(spec.dataDir, 'recordings'), sessionId: spec.sessionId, startMs: spec.start, appVersion: 'test', config: spec.config, seed: spec.sessionId, clock });
  const rows: Array<[number, 'ws.in' | 'lifecycle', string]> = [
    ...spec.trades.map((t): [number, 'ws.in', string] => [t.at + 120, 'ws.in', tradeFrame(t)]),
    ...(spec.lifecycle ?? []).map(([at, e]): [number, 'lifecycle', string] => [at, 'lifecycle', JSON.stringify(e)]),
  ];
  rows.sort((a, b) => a[0] - b[0]);
  for (const [at, kind, data] of rows) w.append(kind, data, at * 1000);
  w.close(spec.end);
  return w.file;
}

export interface SignalSpec {
  readonly id: string;
  readonly strategy: string;
  readonly kind: SignalKind;
  readonly symbol: string;
  /** Default KRX. */
  readonly venue?: Exchange;
  readonly price: number | null;
  readonly at: number;
  readonly details?: Record<string, unknown>;
}

/** Writes signals through the real store. */
export function writeSignals(file: string, sessionId: string, signals: readonly SignalSpec[]): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const store = openSignalStore({ file, clock: createVirtualClock(0), queueLimit: 10_000, schedule: () => undefined });
  for (const s of signals) {
    const signal: Signal = { id: s.id, sessionId, strategy: s.strategy, strategyVersion: '1.0.0', symbol: s.symbol, venue: s.venue ?? 'KRX', kind: s.kind, price: s.price, tsEvent: s.at, tsRecv: s.at, details: s.details ?? {} };
    store.write(signal);
  }
  store.flush();
  store.close();
}
