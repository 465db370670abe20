import { loadavg } from 'node:os';
import { formatLatency } from './latency-summary.js';
import { benchNotifyAb, formatRounds } from './notify-ab.js';
import { benchOutboxCommitCost } from './outbox-commit-cost.js';

// The issue-15 comparison on its own (`npm run build && node dist/bench/daemon/notify-latency-once.js [seconds] [pairs]`):
// frame-to-signal-committed at 5,000 trades/s without notifications and with a webhook taking 10 s per
// request, in interleaved rounds (A B B A ...) of the same run, each arm's samples pooled.
const seconds = Number(process.argv[2] ?? '15');
const pairs = Number(process.argv[3] ?? '3');
const loadBefore = loadavg()[0] ?? 0;
const r = await benchNotifyAb({ pairs, seconds, tradesPerSecond: 5_000, slowSinkMs: 10_000 });
process.stdout.write(`rounds: ${formatRounds(r.rounds)}\n`);
process.stdout.write(`without notifications (A, pooled): ${formatLatency(r.without)}\n`);
process.stdout.write(`with a 10 s webhook   (B, pooled): ${formatLatency(r.with)}\n`);
process.stdout.write(`B - A: p50 ${r.p50DeltaMs ?? '-'} ms, p99 ${r.p99DeltaMs ?? '-'} ms; faulty rounds ${r.faulty}; load ${loadBefore.toFixed(1)} -> ${(loadavg()[0] ?? 0).toFixed(1)}\n`);
const cost = benchOutboxCommitCost();
process.stdout.write(
  `the commit itself (${cost.commits} interleaved commits of ${cost.signalsPerCommit} signal, synchronous=FULL): p50 / p99 ${cost.without.p50} / ${cost.without.p99} us without, ${cost.with.p50} / ${cost.with.p99} us with an outbox row per signal; load ${(loadavg()[0] ?? 0).toFixed(1)}\n`,
);
