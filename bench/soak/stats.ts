import { getHeapSpaceStatistics } from 'node:v8';
/** Argument parsing and the small statistics of the soak report. */
export interface SoakArgs {
  readonly minutes: number;
  readonly faultEveryMs: number;
  /** `--faults a,b`: only these kinds, in this order (default: the whole rotation). */
  readonly faults: readonly string[] | null;
  /** `--no-recording`, `--no-faults`: parts turned off, to bisect memory growth. */
  readonly recording: boolean;
  readonly injectFaults: boolean;
  /** `--samples file.jsonl`: every memory sample, one JSON line each. */
  readonly samplesFile: string | null;
}

/** `--minutes N` (default 5) and `--fault-every 2m|20s|90` (seconds when unitless; default 2 min). */
export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  let minutes = 5;
  let faultEveryMs = 120_000;
  let faults: string[] | null = null;
  let recording = true;
  let injectFaults = true;
  let samplesFile: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--minutes' && value !== undefined) {
      minutes = Number(value);
      i++;
    } else if (flag === '--fault-every' && value !== undefined) {
      faultEveryMs = parseDuration(value);
      i++;
    } else if (flag === '--faults' && value !== undefined) {
      faults = value.split(',').filter((k) => k !== '');
      i++;
    } else if (flag === '--samples' && value !== undefined) {
      samplesFile = value;
      i++;
    } else if (flag === '--no-recording') {
      recording = false;
    } else if (flag === '--no-faults') {
      injectFaults = false;
    } else {
      throw new Error(`unknown argument ${String(flag)} (expected --minutes N, --fault-every 20s|2m, --faults a,b, --no-recording, --no-faults, --samples file)`);
    }
  }
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes must be a positive number');
  return { minutes, faultEveryMs, faults, recording, injectFaults, samplesFile };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (expected e.g. 20s, 2m, 500ms)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
  if (!(ms > 0)) throw new Error(`duration must be positive: ${text}`);
  return ms;
}

export interface MemorySample {
  /** Since the start of the run. */
  readonly atMs: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** The V8 heap's committed size (it grows and shrinks in pages, whatever heapUsed does). */
  readonly heapTotal: number;
  /** Memory of C++ objects bound to JS ones (Buffers, SQLite statements), and of ArrayBuffers alone. */
  readonly external: number;
  readonly arrayBuffers: number;
  /** /proc/self/status (Linux; 0 elsewhere): anonymous memory vs mapped files vs shared memory (SQLite -shm). */
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
  /** Committed bytes of each V8 heap space (new_space, old_space, code_space, large_object_space, ...). */
  readonly spaces?: Readonly<Record<string, number>>;
}

/** One sample of the process's memory. */
export function sampleMemory(atMs: number, procStatus: string | null): MemorySample {
  const m = process.memoryUsage();
  const kb = (key: string): number => {
    const hit = procStatus === null ? null : new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(procStatus);
    return hit ? Number(hit[1]) * 1024 : 0;
  };
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_size]));
  return { spaces, atMs, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), rssShmem: kb('RssShmem') };
}

/** Least-squares slope of a memory figure, in bytes per hour (0 with fewer than two samples). */
export function slopePerHour<K extends Exclude<keyof MemorySample, 'atMs'>>(samples: ReadonlyArray<{ readonly atMs: number } & Readonly<Record<K, number>>>, field: K): number {
  const n = samples.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const s of samples) {
    sx += s.atMs;
    sy += s[field];
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.atMs - mx) * (s[field] - my);
    den += (s.atMs - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 3_600_000;
}
