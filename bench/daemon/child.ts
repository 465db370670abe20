// Runs one daemon benchmark in a fresh process (see in-child.ts): its RSS and heap are the daemon's
// and the simulator's alone, not the bench runner's frame corpora.
import { benchDaemonLatency } from './latency.js';
import { benchDaemonRss } from './rss.js';
import type { DaemonJob } from './in-child.js';

const job = JSON.parse(process.argv[2] ?? '{}') as DaemonJob;
try {
  const result = job.kind === 'latency' ? await benchDaemonLatency(job.options) : await benchDaemonRss(job.options);
  process.send?.({ ok: true, result }, () => process.disconnect());
} catch (err) {
  process.send?.({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.disconnect());
}
