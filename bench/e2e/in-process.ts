import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Subject } from 'rxjs';
import { routeFrame, type FrameSinks, type FrameStats } from '../../src/adapters/kiwoom/realtime-frames.js';
import { openRecordingWriter, type RecordingWriter } from '../../src/adapters/recording/index.js';
import { openSignalStore } from '../../src/adapters/store/index.js';
import { alwaysOpenCalendar } from '../../src/core/calendar.js';
import { systemClock } from '../../src/core/clock.js';
import type { RealtimeEvent } from '../../src/core/market.js';
import { createStrategyHost } from '../../src/engine/host.js';
import { loadStrategies } from '../../src/engine/load-strategies.js';
import { createRegistry } from '../../src/engine/registry.js';
import { createMarketBook } from '../../src/pipeline/market-book.js';
import { createMarketStream } from '../../src/pipeline/market-stream.js';
import { strategies } from '../../strategies/index.js';
import type { FrameCorpus } from '../frames.js';
import { perSecond } from '../stats.js';

export interface EndToEndOptions {
  /** Append every raw frame to a session recording (kind ws.in), as the live socket would. */
  readonly record?: boolean;
  /** Frames handed over per event-loop turn (default 64), like one socket read's burst of messages. */
  readonly framesPerTurn?: number;
}

export interface EndToEndResult {
  readonly frames: number;
  readonly entries: number;
  /** From the first frame until every signal is committed (and the recording flushed). */
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly framesPerSecond: number;
  readonly signalsEmitted: number;
  readonly signalsCommitted: number;
  readonly decodeErrors: number;
  readonly strategyFaults: number;
  readonly framesRecorded: number;
}

/**
 * The live path in one process, without the socket: Buffers -> routeFrame -> market stream ->
 * strategy host (book + the three example strategies) -> signal store on a temp-file SQLite DB,
 * on the system clock, the store committing on real setImmediate turns. Poll results (ranking,
 * watchlist) are handed to the host between frames where the corpus has them.
 */
export async function benchEndToEnd(corpus: FrameCorpus, options: EndToEndOptions = {}): Promise<EndToEndResult> {
  const perTurn = Math.max(1, options.framesPerTurn ?? 64);
  const clock = systemClock;
  const dir = mkdtempSync(join(tmpdir(), 'krx-bench-e2e-'));
  try {
    const store = openSignalStore({ file: join(dir, 'signals.db'), clock, queueLimit: 1_000_000, maxBatch: 1000 });
    let committed = 0;
    store.onCommitted((signals) => (committed += signals.length));
    let recorder: RecordingWriter | undefined;
    if (options.record === true) {
      recorder = openRecordingWriter({ dir: join(dir, 'recordings'), sessionId: 'bench-e2e', startMs: clock.now(), appVersion: 'bench', clock });
    }
    const loaded = loadStrategies(
      [{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'indicative-deviation' }],
      createRegistry(strategies),
    );
    const host = createStrategyHost({ clock, book: createMarketBook(), sink: store, strategies: loaded, sessionId: 'bench-e2e', seed: 1, cooldownMs: 60_000 });
    const realtime$ = new Subject<RealtimeEvent>();
    const events$ = createMarketStream({ clock, calendar: alwaysOpenCalendar, realtime$, onUniverseDiff: () => {}, onError: () => {} });
    host.start();
    host.attach(events$);

    let decodeErrors = 0;
    const sinks: FrameSinks = {
      event: (e) => realtime$.next(e),
      ping: () => {},
      lifecycle: () => {},
      decodeError: () => void decodeErrors++,
      notice: () => {},
    };
    const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
    const { buffers, polls } = corpus;

    const t0 = performance.now();
    let p = 0;
    for (let i = 0; i < buffers.length; i++) {
      for (; p < polls.length && polls[p]!.beforeFrame <= i; p++) {
        const now = clock.now();
        host.handle({ ...polls[p]!.event, tsEvent: now, tsRecv: now });
      }
      const data = buffers[i]!;
      const tsRecv = clock.now();
      recorder?.appendBytes('ws.in', data, tsRecv * 1000);
      routeFrame(data, tsRecv, sinks, stats);
      if ((i + 1) % perTurn === 0) await nextTurn();
    }
    const emitted = (): number => host.stats().reduce((n, s) => n + s.signals, 0);
    while (store.stats().queued > 0) await nextTurn();
    recorder?.flush();
    const elapsedMs = performance.now() - t0;

    const result: EndToEndResult = {
      frames: buffers.length,
      entries: stats.entries,
      elapsedMs,
      eventsPerSecond: perSecond(stats.entries, elapsedMs),
      framesPerSecond: perSecond(buffers.length, elapsedMs),
      signalsEmitted: emitted(),
      signalsCommitted: committed,
      decodeErrors,
      strategyFaults: host.stats().reduce((n, s) => n + s.faults, 0),
      framesRecorded: recorder?.stats().committed ?? 0,
    };
    host.stop();
    store.close();
    recorder?.close();
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
