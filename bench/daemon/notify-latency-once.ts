import { runDaemonJobInChild } from './in-child.js';
import { formatLatency } from './latency-summary.js';

// The issue-15 pair on its own (`npm run build && node dist/bench/daemon/notify-latency-once.js [seconds]`):
// frame-to-signal-committed at 5,000 trades/s without notifications, then with a webhook taking 10 s per request.
const seconds = Number(process.argv[2] ?? '15');
const base = { tradesPerSecond: 5_000, durationMs: seconds * 1000, simulator: 'embedded' as const };
const without = await runDaemonJobInChild({ kind: 'latency', options: base }, 150_000 + seconds * 1000);
process.stdout.write(`without notifications: ${formatLatency(without.signal)}; ${Math.round(without.framesPerSecond)} frames/s, ${Math.round(without.entriesPerSecond)} entries/s, loop delay p99 ${without.loopDelayP99Ms.toFixed(1)} ms\n`);
const withSink = await runDaemonJobInChild({ kind: 'latency', options: { ...base, slowSinkMs: 10_000 } }, 150_000 + seconds * 1000);
process.stdout.write(
  `with a 10 s webhook:   ${formatLatency(withSink.signal)}; ${Math.round(withSink.framesPerSecond)} frames/s, ${Math.round(withSink.entriesPerSecond)} entries/s, loop delay p99 ${withSink.loopDelayP99Ms.toFixed(1)} ms; sink ${JSON.stringify(withSink.sink)}\n`,
);
