import { appendFileSync, createWriteStream, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/observability/logger.js';
import { SOAK_FAULT_KINDS as FAULT_KINDS, percentile, runFault, type FaultKind, type FaultOutcome } from './faults.js';
import { auditSignals, createLogLedger, signalsGiven } from './ledger.js';
import { parseSoakArgs, sampleMemory, slopePerHour, type MemorySample } from './stats.js';

/**
 * The real-time soak: the daemon (system clock, mode sim, temp data dir, http port 0) against its
 * embedded simulator for N minutes, a fault injected every few minutes in rotation, then a report.
 * Exit code 1 when a signal was lost or duplicated, a fault did not recover, or a promise rejection
 * went unhandled.
 *
 *   node dist/bench/soak/run.js --minutes 5 --fault-every 20s
 */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  const args = parseSoakArgs(process.argv.slice(2));
  const unknown = (args.faults ?? []).filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`--faults: unknown kinds ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  const rotation = (args.faults ?? FAULT_KINDS) as readonly FaultKind[];
  let unhandled = 0;
  process.on('unhandledRejection', (reason) => {
    unhandled++;
    process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-soak-'));
  const loaded = loadConfig({ env: { KRX_MODE: 'sim', KRX_DATA_DIR: dataDir, KRX_HTTP_PORT: '0' }, cwd: dataDir });
  const config = args.recording ? loaded : { ...loaded, recording: { ...loaded.recording, enabled: false } };
  const logFile = createWriteStream(join(dataDir, 'daemon.log'));
  const ledger = createLogLedger({ onLine: (raw) => logFile.write(`${raw}\n`) });
  const log = createLogger({ level: 'info', clock: systemClock, destination: ledger.destination });
  const baseline = countResources();

  const daemon = await startDaemon({ config, log, clock: systemClock, version: 'soak' });
  const sim = daemon.simulator;
  if (!sim) throw new Error('the soak needs the embedded simulator (mode sim)');
  const startedAt = Date.now();
  const endAt = startedAt + args.minutes * 60_000;
  process.stdout.write(`soak: ${args.minutes} min, ${args.injectFaults ? `a fault every ${args.faultEveryMs / 1000} s` : 'no faults'}${args.recording ? '' : ', no recording'}, data in ${dataDir}\n`);

  const env = {
    daemon,
    sim,
    watchdogMs: config.connection.watchdogMs,
    normalRates: { kiwoomPerSecond: 5, kisPerSecond: 20 },
    // Longer than the ranking poll period (30 s), so at least one poll meets the low limit.
    rateLimitHoldMs: 35_000,
    normalRegPerSecond: config.sim.regRatePerSecond,
    advance: sleep,
    now: () => Date.now(),
    stepMs: 25,
  };
  const outcomes: FaultOutcome[] = [];
  const memory: MemorySample[] = [];
  let nextFaultAt = startedAt + args.faultEveryMs;
  let lastSampleAt = 0;
  let turn = 0;
  while (Date.now() < endAt) {
    const now = Date.now();
    if (now - lastSampleAt >= 5_000) {
      const sample = sampleMemory(now - startedAt, procStatus());
      memory.push(sample);
      if (args.samplesFile !== null) appendFileSync(args.samplesFile, `${JSON.stringify(sample)}\n`);
      lastSampleAt = now;
    }
    if (args.injectFaults && now >= nextFaultAt) {
      const kind = rotation[turn++ % rotation.length] ?? 'drop-close';
      const outcome = await runFault(kind, env, 150_000);
      outcomes.push(outcome);
      process.stdout.write(`  ${new Date(outcome.injectedAt).toISOString()} ${kind}: ${outcome.recoveryMs === null ? 'NOT RECOVERED' : `resubscribed in ${outcome.recoveryMs} ms`}\n`);
      nextFaultAt = Math.max(Date.now() + 1_000, outcome.injectedAt + args.faultEveryMs);
      continue;
    }
    await sleep(250);
  }

  const status = daemon.connection.status();
  const realtime = daemon.connection.stats;
  const simCounters = sim.faults.counters();
  const given = signalsGiven(daemon);
  await daemon.stop('soak over');
  await sleep(500); // closed sockets release their handles on the next turns
  const audit = auditSignals(daemon, given, ledger, join(config.dataDir, config.store.file));
  const leftover = diffResources(baseline, countResources());
  logFile.end();

  const recoveries = outcomes.flatMap((o) => (o.recoveryMs === null ? [] : [o.recoveryMs]));
  const notRecovered = outcomes.filter((o) => o.recoveryMs === null).length;
  const steady = memory.filter((s) => s.atMs >= Math.min(60_000, (args.minutes * 60_000) / 5));
  const fmt = (n: number | null): string => (n === null ? '-' : String(n));
  const rows: Array<[string, string]> = [
    ['duration', `${((Date.now() - startedAt) / 60_000).toFixed(1)} min`],
    ['faults injected', `${outcomes.length} (${FAULT_KINDS.map((k) => `${k} ${outcomes.filter((o) => o.kind === k).length}`).join(', ')})`],
    ['faults not recovered', String(notRecovered)],
    ['reconnects', String(status.reconnects)],
    ['time to resubscribed p50 / p99 / max (from injection; silence and rate-limit include their hold)', `${fmt(percentile(recoveries, 50))} / ${fmt(percentile(recoveries, 99))} / ${fmt(percentile(recoveries, 100))} ms`],
    ...FAULT_KINDS.map((k): [string, string] => {
      const xs = outcomes.filter((o) => o.kind === k && o.recoveryMs !== null).map((o) => o.recoveryMs as number);
      return [`  ${k} p50 / max`, `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 100))} ms`];
    }),
    ['signals given / in DB', `${audit.given} / ${audit.rows}`],
    ['signals lost', String(audit.lost)],
    ['signals duplicated', String(audit.duplicated)],
    ['frames / entries', `${realtime.frames} / ${realtime.entries}`],
    ['decode errors', `${realtime.decodeErrors} (${Object.entries(realtime.decodeErrorsByCode).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'})`],
    ['malformed frames sent by the sim', String(simCounters.malformedSent)],
    ['sim: logins / token issuances kiwoom, kis / rate-limit hits kiwoom, kis / duplicate-login kicks', `${simCounters.logins} / ${simCounters.tokenIssuances.kiwoom}, ${simCounters.tokenIssuances.kis} / ${simCounters.rateLimitHits.kiwoom}, ${simCounters.rateLimitHits.kis} / ${simCounters.duplicateLoginKicks}`],
    ['RSS growth after the first minute', rssGrowth(memory)],
    ['disk use (caps: recording.maxSessionBytes / maxBytes)', `${diskUse(config.dataDir)} (caps ${(config.recording.maxSessionBytes / 1_048_576).toFixed(0)} / ${(config.recording.maxBytes / 1_048_576).toFixed(0)} MB)`],
    ['RSS slope', `${(slopePerHour(steady, 'rss') / 1_048_576).toFixed(1)} MB/h (last ${((memory.at(-1)?.rss ?? 0) / 1_048_576).toFixed(0)} MB)`],
    ...(['heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'rssAnon', 'rssFile', 'rssShmem'] as const).map((field): [string, string] => [
      `${field} slope`,
      `${(slopePerHour(steady, field) / MB).toFixed(1)} MB/h (last ${((memory.at(-1)?.[field] ?? 0) / MB).toFixed(0)} MB)`,
    ]),
    ['open handles after stop (beyond the baseline)', leftover.length === 0 ? 'none' : leftover.join(', ')],
    ['error lines in the log', String(ledger.errors.length)],
    ['unhandled rejections', String(unhandled)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  const failed = audit.lost > 0 || audit.duplicated > 0 || notRecovered > 0 || unhandled > 0 || leftover.length > 0;
  process.stdout.write(failed ? '\nsoak: FAILED\n' : '\nsoak: passed\n');
  return failed ? 1 : 0;
}

const MB = 1_048_576;

/** Last RSS minus the first sample taken at or after one minute, with the max. */
function rssGrowth(memory: readonly MemorySample[]): string {
  const first = memory.find((m) => m.atMs >= 60_000);
  const last = memory.at(-1);
  if (!first || !last) return '-';
  const max = Math.max(...memory.filter((m) => m.atMs >= 60_000).map((m) => m.rss));
  return `${((last.rss - first.rss) / MB).toFixed(1)} MB (at 1 min ${(first.rss / MB).toFixed(0)} MB, last ${(last.rss / MB).toFixed(0)} MB, max after 1 min ${(max / MB).toFixed(0)} MB)`;
}

/** Bytes under the data dir: the recordings and the signal store, each. */
function diskUse(dir: string): string {
  const size = (path: string): number => {
    const st = statSync(path);
    return st.isDirectory() ? readdirSync(path).reduce((n, name) => n + size(`${path}/${name}`), 0) : st.size;
  };
  const total = size(dir);
  const recordings = readdirSync(dir).filter((n) => n === 'recordings').reduce((n, name) => n + size(`${dir}/${name}`), 0);
  return `${(total / MB).toFixed(1)} MB in all, recordings ${(recordings / MB).toFixed(1)} MB`;
}

/** /proc/self/status where there is one (Linux): the RSS split into anonymous, file and shared memory. */
function procStatus(): string | null {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
}

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function diffResources(before: Map<string, number>, after: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [name, n] of after) {
    const extra = n - (before.get(name) ?? 0);
    if (extra > 0) out.push(`${name} x${extra}`);
  }
  return out;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soak crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
